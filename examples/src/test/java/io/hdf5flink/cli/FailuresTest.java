package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.ExecutionException;
import org.apache.flink.client.program.ProgramInvocationException;
import org.apache.flink.runtime.JobException;
import org.apache.flink.runtime.client.JobExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void skipsFlinksWrappersToTheCause() {
        // The chain `flink run` delivers when a task fails on the cluster.
        Throwable cause = new FileAlreadyExistsException("/data/.hdf5-staging");
        Throwable chain = new ExecutionException(new ProgramInvocationException("Job failed (JobID: 1)",
                new JobExecutionException(null, "Job execution failed.",
                        new JobException("Recovery is suppressed by NoRestartBackoffTimeStrategy", cause))));
        assertEquals("FileAlreadyExistsException: /data/.hdf5-staging", Failures.message(chain));
    }

    @Test
    void skipsTheWrapperOfAFailureInsideACheckpoint() {
        // StreamTask wraps what a writer throws while checkpointing in a bare Exception.
        Throwable cause = new FileAlreadyExistsException("/data/.hdf5-staging");
        Throwable chain = new JobException("Recovery is suppressed by NoRestartBackoffTimeStrategy",
                new Exception("Could not perform checkpoint 1 for operator Writer (2/2)#0.", cause));
        assertEquals("FileAlreadyExistsException: /data/.hdf5-staging", Failures.message(chain));
    }

    @Test
    void keepsAMessageThatSaysMoreThanItsCause() {
        Throwable e = new IllegalArgumentException("out.h5:/data holds <i2, the block is <f8",
                new IllegalStateException("inner"));
        assertEquals("out.h5:/data holds <i2, the block is <f8", Failures.message(e));
        assertEquals("inner", Failures.message(new RuntimeException(new IllegalStateException("inner"))));
        assertEquals("NullPointerException", Failures.message(new NullPointerException()));
    }

    /** Issue 20, item 9: the failures that named nothing. */
    @Test
    void namesWhatFailedWhereTheJdkAndFlinkDoNot() {
        // A source reader failing (the input truncated during the run) reaches the job through
        // Flink's split fetcher, whose own message says nothing.
        Throwable truncated = new java.io.EOFException("/data/rec.npy: the file ends at byte 4096, row 64 needs 8192");
        Throwable chain = new RuntimeException("One or more fetchers have encountered exception",
                new RuntimeException("SplitFetcher thread 10 received unexpected exception while polling the records", truncated));
        assertEquals("EOFException: /data/rec.npy: the file ends at byte 4096, row 64 needs 8192", Failures.message(chain));
        assertEquals("/x/unreadable.npy: permission denied",
                Failures.message(new java.nio.file.AccessDeniedException("/x/unreadable.npy")));
        assertEquals("/x/gone.npy: no such file", Failures.message(new java.nio.file.NoSuchFileException("/x/gone.npy")));
    }
}
