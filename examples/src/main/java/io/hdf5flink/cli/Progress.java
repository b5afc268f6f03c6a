package io.hdf5flink.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of a job on the embedded Flink, on stderr: a bar redrawn in place on a terminal, plain
 * lines otherwise, at most once a second. The numbers come from {@link PrepareBlocks}, which
 * counts the bytes it hands to the sink's writers into {@link #BYTES}; it runs in this JVM only
 * on the embedded Flink (under {@code flink run} the job's progress is in Flink's metrics:
 * {@code hdf5.rowsIn}, {@code hdf5.rawBytesIn}, ... of the writer).
 */
final class Progress implements AutoCloseable {
    /** Raw bytes handed to the writers so far, including those restored from a checkpoint. */
    static final AtomicLong BYTES = new AtomicLong();
    /** Of {@link #BYTES}, those a restored checkpoint had already counted (not part of this run's rate). */
    static final AtomicLong RESTORED = new AtomicLong();

    private static final int BAR = 30;

    private final PrintWriter err;
    private final long totalBytes;
    private final long rowBytes;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean stopped;
    private boolean drawn;

    /**
     * @param totalBytes the raw bytes the job will hand over, or -1 when unknown (a stream)
     * @param rowBytes bytes of one output row, to show rows
     */
    private Progress(PrintWriter err, long totalBytes, long rowBytes, boolean terminal) {
        this.err = err;
        this.totalBytes = totalBytes;
        this.rowBytes = Math.max(1, rowBytes);
        this.terminal = terminal;
        this.thread = new Thread(this::loop, "flink-hdf5-progress");
        this.thread.setDaemon(true);
    }

    /** Resets the counters; call before the job starts. */
    static void reset() {
        BYTES.set(0);
        RESTORED.set(0);
    }

    static Progress start(PrintWriter err, long totalBytes, long rowBytes) {
        Progress p = new Progress(err, totalBytes, rowBytes, System.console() != null);
        p.thread.start();
        return p;
    }

    /** Seconds since the job was submitted. */
    double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    private void loop() {
        try {
            while (!stopped) {
                Thread.sleep(1000);
                if (!stopped) print();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void print() {
        long bytes = BYTES.get();
        double seconds = elapsedSeconds();
        double rate = (bytes - RESTORED.get()) / 1e6 / Math.max(seconds, 1e-3);
        String rows = String.format(Locale.ROOT, "%,d", bytes / rowBytes);
        String line;
        if (totalBytes > 0) {
            double fraction = Math.min(1.0, (double) bytes / totalBytes);
            String total = String.format(Locale.ROOT, "%,d", totalBytes / rowBytes);
            String eta = rate > 0 ? duration((totalBytes - bytes) / 1e6 / rate) : "?";
            if (terminal) {
                int filled = (int) Math.round(fraction * BAR);
                line = String.format(Locale.ROOT, "\r[%s%s] %3.0f%%  %s / %s rows  %.1f MB/s  ETA %s  ",
                        "#".repeat(filled), ".".repeat(BAR - filled), fraction * 100, rows, total, rate, eta);
            } else {
                line = String.format(Locale.ROOT, "progress: %s / %s rows (%.0f%%), %.1f MB/s, ETA %s",
                        rows, total, fraction * 100, rate, eta);
            }
        } else {
            line = String.format(Locale.ROOT, terminal ? "\r%s rows  %.1f MB/s  %s elapsed  " : "progress: %s rows, %.1f MB/s, %s elapsed",
                    rows, rate, duration(seconds));
        }
        if (terminal) err.print(line); else err.println(line);
        err.flush();
        drawn = true;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (terminal && drawn) {
                err.println();
                err.flush();
            }
        }
    }
}
