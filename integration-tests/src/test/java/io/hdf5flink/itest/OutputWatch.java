package io.hdf5flink.itest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the crash harnesses watch in a running child: the output file's size (to kill in the
 * middle of a commit's writes) and the completed checkpoints (to kill right after one), and the
 * SIGKILL itself, with its moment.
 */
public final class OutputWatch {
    public final Path out;
    public final Path checkpoints;
    long size;
    /** When the output last changed size (System.nanoTime), 0 before. */
    public long lastGrowthNanos;
    /** When the child was killed (System.nanoTime). */
    public long killedAt;
    /** Whether the file was past its creation (2 KiB: an empty file and its root group) before the last change. */
    public boolean existedBefore;

    public OutputWatch(Path out, Path checkpoints) {
        this.out = out;
        this.checkpoints = checkpoints;
        size = size();
    }

    private long size() {
        try {
            return Files.exists(out) ? Files.size(out) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Whether the file changed size since the last poll. */
    public boolean poll() {
        long now = size();
        if (now != size) {
            existedBefore = size >= 2048;
            size = now;
            lastGrowthNanos = System.nanoTime();
            return true;
        }
        return false;
    }

    /**
     * Kills the child with SIGKILL now, noting the moment and the file's last size first, and
     * waits for it to end.
     *
     * @return false when the child had ended on its own (exit 0) before the signal reached it: a
     *     kill aimed at the last instants of a run can lose that race, and is then no kill
     */
    public boolean kill(Process child) throws InterruptedException {
        poll();
        killedAt = System.nanoTime();
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        return child.exitValue() != 0;
    }

    /** Whether the last change of the output came less than {@code millis} before the kill. */
    public boolean killedWithinMillisOfAWrite(long millis) {
        return lastGrowthNanos > 0 && killedAt - lastGrowthNanos < TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** The highest checkpoint number with a {@code _metadata} file below {@code checkpoints}, or 0. */
    public static long newestCheckpoint(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) return 0;
        long best = 0;
        try (Stream<Path> all = Files.walk(checkpoints, 3)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (!p.getFileName().toString().equals("_metadata")) continue;
                String chk = p.getParent().getFileName().toString();
                if (chk.startsWith("chk-")) best = Math.max(best, Long.parseLong(chk.substring(4)));
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return best; // a directory vanished while walking
        }
        return best;
    }
}
