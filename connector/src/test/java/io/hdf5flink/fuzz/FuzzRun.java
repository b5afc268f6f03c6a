package io.hdf5flink.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one fuzz input under the limits every target shares, and counts executions.
 *
 * <ul>
 *   <li><b>No hang:</b> the input runs on a worker thread and fails when it takes longer than its
 *       timeout (a stuck worker is abandoned and replaced; the test has failed anyway).
 *   <li><b>No unbounded allocation:</b> the bytes the worker allocates while it runs the input are
 *       measured ({@code ThreadMXBean.getThreadAllocatedBytes}) and must stay under the target's
 *       budget, so an allocation sized from an untrusted number fails even on a large heap. The
 *       fuzzing executions also run in a JVM with a small heap (see connector/pom.xml).
 *   <li><b>Only clean failures:</b> each target catches the exceptions its contract documents;
 *       anything else (and every {@link Error}) propagates to Jazzer as a finding.
 * </ul>
 *
 * <p>Executions are counted per target and printed when the test class finishes, whether Jazzer
 * ran the seed corpus (regression mode) or fuzzed ({@code JAZZER_FUZZ=1}).
 */
final class FuzzRun {
    /** Per-input time limit; far above what any seed needs (milliseconds), also under instrumentation. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Map<String, AtomicLong> EXECUTIONS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> OUTCOMES = new ConcurrentHashMap<>();
    private static final Map<String, Long> STARTED = new ConcurrentHashMap<>();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static ExecutorService worker = newWorker();
    /** Set while an over-budget input runs a second time, which counts no outcome. */
    private static volatile boolean repeating;

    private FuzzRun() {}

    interface Body {
        void run() throws Exception;
    }

    /** Whether Jazzer fuzzes in this JVM (as opposed to running the seed corpus only). */
    static boolean fuzzing() {
        String env = System.getenv("JAZZER_FUZZ");
        String property = System.getProperty("JAZZER_FUZZ");
        return (env != null && !env.isEmpty() && !env.equals("0")) || (property != null && !property.isEmpty() && !property.equals("0"));
    }

    /**
     * Runs {@code body} for {@code target}: it must finish within {@link #TIMEOUT} and allocate
     * at most {@code allocationLimit} bytes. Errors and exceptions it throws are rethrown as they
     * are, for Jazzer to report.
     */
    static void run(String target, long allocationLimit, String input, Body body) {
        STARTED.putIfAbsent(target, System.nanoTime());
        EXECUTIONS.computeIfAbsent(target, t -> new AtomicLong()).incrementAndGet();
        Callable<Long> measured = () -> {
            long id = Thread.currentThread().getId();
            long before = THREADS.getThreadAllocatedBytes(id);
            body.run();
            return THREADS.getThreadAllocatedBytes(id) - before;
        };
        long allocated = bounded(target, input, measured);
        if (allocated > allocationLimit) {
            // The first input to reach a path also loads and initializes its classes, on this
            // thread: only an input that is over budget a second time is a finding.
            repeating = true;
            try {
                allocated = bounded(target, input, measured);
            } finally {
                repeating = false;
            }
        }
        if (allocated > allocationLimit) {
            throw new AssertionError(target + ": allocated " + (allocated >> 10) + " KiB, more than the "
                    + (allocationLimit >> 10) + " KiB budget, for " + input);
        }
    }

    private static long bounded(String target, String input, Callable<Long> measured) {
        Future<Long> future = executor().submit(measured);
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            abandonWorker();
            throw new AssertionError(target + ": no result after " + TIMEOUT.toSeconds() + " s (a hang?) for " + input);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(target + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error error) throw error;
            if (cause instanceof RuntimeException runtime) throw runtime;
            throw new AssertionError(target + ": unexpected checked exception for " + input + ": " + cause, cause);
        }
    }

    /** A clean refusal must say why: a message that is neither null nor blank. */
    static void requireMessage(Throwable t) {
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            throw new AssertionError("refused without a message: " + t, t);
        }
    }

    /** Counts how an input ended ("accepted", "refused", ...), for the report. */
    static void outcome(String target, String outcome) {
        if (repeating) return;
        OUTCOMES.computeIfAbsent(target + "\0" + outcome, k -> new AtomicLong()).incrementAndGet();
    }

    /** Prints (and returns) the target's execution count: the "fuzz executions" figure. */
    static long report(String target) {
        AtomicLong n = EXECUTIONS.getOrDefault(target, new AtomicLong());
        Long started = STARTED.get(target);
        double seconds = started == null ? 0 : (System.nanoTime() - started) / 1e9;
        StringBuilder outcomes = new StringBuilder();
        new java.util.TreeMap<>(OUTCOMES).forEach((k, v) -> {
            if (k.startsWith(target + "\0")) outcomes.append(", ").append(k.substring(target.length() + 1)).append(' ').append(v);
        });
        System.out.printf("FUZZ EXECUTIONS %s: %d in %.1f s (%s mode, heap %d MiB%s)%n", target, n.get(), seconds,
                fuzzing() ? "fuzzing" : "regression", Runtime.getRuntime().maxMemory() >> 20, outcomes);
        return n.get();
    }

    private static synchronized ExecutorService executor() {
        return worker;
    }

    private static synchronized void abandonWorker() {
        worker.shutdownNow();
        worker = newWorker();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-input");
            t.setDaemon(true);
            return t;
        });
    }

    /** A short printable description of an input, for failure messages. */
    static String describe(byte[] input) {
        StringBuilder s = new StringBuilder(input.length + " bytes: ");
        for (int i = 0; i < Math.min(input.length, 48); i++) s.append(String.format("%02x", input[i]));
        if (input.length > 48) s.append("...");
        return s.toString();
    }
}
