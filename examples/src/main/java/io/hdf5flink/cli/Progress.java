package io.hdf5flink.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress of a job on the embedded Flink, on stderr: a bar redrawn in place on a terminal, plain
 * lines otherwise, at most once a second and once more when the job ends, so that the last frame
 * of a completed job says 100 %. On a terminal a frame fits its width: {@code COLUMNS} when set,
 * else 80 columns. For {@code convert} and {@code demo} the numbers come from {@link PrepareBlocks}, which
 * counts the bytes it hands to the sink's writers into {@link #BYTES}; for {@code sql} from the
 * table sink's counters, through {@link TableProgressReporter}. Both run in this JVM only
 * on the embedded Flink (under {@code flink run} the job's progress is in Flink's metrics:
 * {@code hdf5.rowsIn}, {@code hdf5.rawBytesIn}, ... of the writer).
 */
final class Progress implements AutoCloseable {
    /** Raw bytes handed to the writers so far, including those restored from a checkpoint. */
    static final AtomicLong BYTES = new AtomicLong();
    /** Of {@link #BYTES}, those a restored checkpoint had already counted (not part of this run's rate). */
    static final AtomicLong RESTORED = new AtomicLong();
    /** Rows (along axis 0) handed to the writers in this run (not restored: for streams, whose rows differ per dataset). */
    static final AtomicLong ROWS = new AtomicLong();

    /** The bar's width when the terminal has room; narrower when it has not, none below MIN_BAR. */
    private static final int BAR = 30;
    private static final int MIN_BAR = 10;
    private static final int DEFAULT_COLUMNS = 80;

    private final PrintWriter err;
    private final long totalBytes;
    private final long totalRows;
    private final LongSupplier bytes;
    private final LongSupplier rows;
    private final LongSupplier restored;
    /** More to say after the numbers of a stream (consumer lag, messages set aside), or empty. */
    private final Supplier<String> extra;
    private final boolean terminal;
    private final int columns;
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean stopped;
    private boolean drawn;

    /**
     * @param totalBytes the raw bytes the job will hand over, or -1 when unknown (a stream)
     * @param rowBytes bytes of one output row, to show rows
     * @param columns the terminal's width (a frame leaves its last column free, so as not to wrap)
     */
    Progress(PrintWriter err, long totalBytes, long rowBytes, boolean terminal, int columns) {
        this(err, totalBytes, totalBytes / Math.max(1, rowBytes), BYTES::get, () -> BYTES.get() / Math.max(1, rowBytes),
                RESTORED::get, () -> "", terminal, columns);
    }

    /**
     * @param totalRows the rows the job will hand over, when {@code totalBytes} is known
     * @param bytes the raw bytes handed over so far
     * @param rows the rows handed over so far
     * @param restored of {@code bytes}, those a restored checkpoint had already counted
     */
    private Progress(PrintWriter err, long totalBytes, long totalRows, LongSupplier bytes, LongSupplier rows, LongSupplier restored,
            Supplier<String> extra, boolean terminal, int columns) {
        this.err = err;
        this.totalBytes = totalBytes;
        this.totalRows = totalRows;
        this.bytes = bytes;
        this.rows = rows;
        this.restored = restored;
        this.extra = extra;
        this.terminal = terminal;
        this.columns = columns;
        this.thread = new Thread(this::loop, "flink-hdf5-progress");
        this.thread.setDaemon(true);
    }

    /** Resets the counters; call before the job starts. */
    static void reset() {
        BYTES.set(0);
        RESTORED.set(0);
        ROWS.set(0);
    }

    static Progress start(PrintWriter err, long totalBytes, long rowBytes) {
        return started(new Progress(err, totalBytes, rowBytes, System.console() != null, columns(System.getenv("COLUMNS"))));
    }

    /** Progress of a job of unknown size whose rows and bytes {@code bytes} and {@code rows} count. */
    static Progress start(PrintWriter err, LongSupplier bytes, LongSupplier rows) {
        return start(err, bytes, rows, () -> "");
    }

    /** As {@link #start(PrintWriter, LongSupplier, LongSupplier)}, each line ending with what {@code extra} says. */
    static Progress start(PrintWriter err, LongSupplier bytes, LongSupplier rows, Supplier<String> extra) {
        return started(new Progress(err, -1, -1, bytes, rows, () -> 0, extra, System.console() != null,
                columns(System.getenv("COLUMNS"))));
    }

    private static Progress started(Progress p) {
        p.thread.start();
        return p;
    }

    /** The terminal's width: {@code COLUMNS} when it is a positive number, else 80. */
    static int columns(String columnsVariable) {
        try {
            int c = columnsVariable == null ? 0 : Integer.parseInt(columnsVariable.strip());
            return c > 0 ? c : DEFAULT_COLUMNS;
        } catch (NumberFormatException e) {
            return DEFAULT_COLUMNS;
        }
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

    synchronized void print() {
        long bytes = this.bytes.getAsLong();
        long rowCount = this.rows.getAsLong();
        double seconds = elapsedSeconds();
        double rate = (bytes - restored.getAsLong()) / 1e6 / Math.max(seconds, 1e-3);
        String rows = String.format(Locale.ROOT, "%,d", rowCount);
        String line;
        if (totalBytes > 0) {
            // Rounded down: 100 % only once every byte is handed over.
            int percent = bytes >= totalBytes ? 100 : (int) Math.min(99, 100.0 * bytes / totalBytes);
            String total = String.format(Locale.ROOT, "%,d", totalRows);
            String eta = rate > 0 ? duration(Math.max(0, totalBytes - bytes) / 1e6 / rate) : "?";
            if (terminal) {
                String numbers = String.format(Locale.ROOT, " %3d%%  %s / %s rows  %.1f MB/s  ETA %s", percent, rows,
                        total, rate, eta);
                int bar = Math.min(BAR, columns - 1 - numbers.length() - 2);
                int filled = percent * bar / 100;
                line = bar < MIN_BAR ? numbers.strip() : "[" + "#".repeat(filled) + ".".repeat(bar - filled) + "]" + numbers;
            } else {
                line = String.format(Locale.ROOT, "progress: %s / %s rows (%d%%), %.1f MB/s, ETA %s",
                        rows, total, percent, rate, eta);
            }
        } else {
            line = String.format(Locale.ROOT, terminal ? "%s rows  %.1f MB/s  %s elapsed" : "progress: %s rows, %.1f MB/s, %s elapsed",
                    rows, rate, duration(seconds)) + extra.get();
        }
        if (terminal) err.print("\r" + fitted(line)); else err.println(line);
        err.flush();
        drawn = true;
    }

    /** {@code line} cut or padded to the terminal's width less one column: it covers the frame before. */
    private String fitted(String line) {
        int width = Math.max(0, columns - 1);
        return line.length() >= width ? line.substring(0, width) : line + " ".repeat(width - line.length());
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
            if (!drawn) return;
            print();
            if (terminal) {
                err.println();
                err.flush();
            }
        }
    }
}
