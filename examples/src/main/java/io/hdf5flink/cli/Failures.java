package io.hdf5flink.cli;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns the exception a failed job ends with into the one line that says what went wrong. */
final class Failures {
    /** Flink's and the JDK's wrappers: their messages say "the job failed", not why. */
    private static final Set<String> WRAPPERS = Set.of(
            "org.apache.flink.runtime.client.JobExecutionException",
            "org.apache.flink.client.program.ProgramInvocationException",
            "org.apache.flink.runtime.JobException",
            "org.apache.flink.runtime.client.JobInitializationException",
            "org.apache.flink.util.FlinkException",
            "org.apache.flink.util.FlinkRuntimeException",
            "org.apache.flink.util.WrappingRuntimeException",
            "org.apache.flink.runtime.taskmanager.AsynchronousException",
            "org.apache.flink.streaming.runtime.tasks.AsynchronousException",
            "org.apache.flink.runtime.checkpoint.CheckpointException");

    private Failures() {}

    /** The message of the first exception in the cause chain that is not a mere wrapper. */
    static String message(Throwable t) {
        Throwable last = t;
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            last = c;
            if (!isWrapper(c)) return describe(c);
        }
        return describe(last);
    }

    private static boolean isWrapper(Throwable c) {
        if (c.getCause() == null) return false;
        // Flink wraps a failure inside a checkpoint in a bare Exception ("Could not perform
        // checkpoint N for operator ..."): a plain java.lang.Exception with a cause only wraps.
        if (c.getClass() == Exception.class) return true;
        if (c instanceof ExecutionException || c instanceof CompletionException
                || c instanceof InvocationTargetException || WRAPPERS.contains(c.getClass().getName())) {
            return true;
        }
        String m = c.getMessage();
        return m == null || m.equals(c.getCause().toString()) || GENERIC_MESSAGES.matcher(m).matches();
    }

    /**
     * Messages of plain exceptions that only say a failure happened elsewhere (their cause says
     * what): those of Flink's split fetchers, which wrap whatever a source reader throws, and of
     * its planner, which wraps what a table factory refuses and lists the table's options.
     */
    private static final java.util.regex.Pattern GENERIC_MESSAGES = java.util.regex.Pattern.compile(
            "One or more fetchers have encountered exception|SplitFetcher thread \\d+ received unexpected exception.*"
                    + "|(?s)Unable to create a (source|sink) for (reading|writing) table .*");

    private static String describe(Throwable c) {
        String m = c.getMessage();
        if (m == null || m.isBlank()) return c.getClass().getSimpleName();
        // NoSuchFileException and friends say only the path (and the reason, when they have one).
        if (c instanceof java.nio.file.AccessDeniedException a && a.getReason() == null) return m + ": permission denied";
        if (c instanceof java.nio.file.NoSuchFileException n && n.getReason() == null) return m + ": no such file";
        if (c instanceof IOException && c.getClass() != IOException.class) return c.getClass().getSimpleName() + ": " + m;
        return m;
    }
}
