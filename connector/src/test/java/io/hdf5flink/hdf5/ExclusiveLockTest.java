package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inter-process lock: three processes incrementing one counter file under it, each deleting
 * the lock file now and then while holding it (as the holders of ledgers, master and commit locks
 * do when they are done), must lose no increment: a process that waited on a deleted lock file
 * must not hold its lock beside one that locked the new file, even when that new file reuses the
 * inode number of the one the waiter looked at first (before deleted files were marked, 3 runs in
 * 40 of these processes lost increments on ext4). And the note a holder leaves is read back by
 * the next.
 */
class ExclusiveLockTest {
    private static final int ROUNDS = 600;

    @TempDir Path dir;

    /** One of the processes: {@code ROUNDS} increments, deleting the lock file every third. */
    public static final class Incrementing {
        public static void main(String[] args) throws IOException {
            increment(Path.of(args[0]), Path.of(args[1]));
        }
    }

    static void increment(Path lock, Path counter) throws IOException {
        for (int i = 0; i < ROUNDS; i++) {
            int round = i;
            ExclusiveLock.holding(lock, held -> {
                long n = Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
                Thread.onSpinWait();
                Files.writeString(counter, Long.toString(n + 1));
                if (round % 3 == 1) held.deleteLockFile();
                return null;
            });
        }
    }

    @Test
    void threeProcessesDeletingTheLockFileLoseNoIncrement() throws Exception {
        Path lock = dir.resolve("locks/counter.lock");
        Path counter = dir.resolve("counter");
        List<Process> others = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            others.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Incrementing.class.getName(), lock.toString(), counter.toString())
                    .inheritIO().start());
        }
        increment(lock, counter);
        for (Process p : others) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        assertEquals(3L * ROUNDS, Long.parseLong(Files.readString(counter).trim()), "increments lost: two holders at once");
    }

    @Test
    void theNextHolderReadsTheNoteTheLastOneLeft() throws Exception {
        Path lock = dir.resolve("note.lock");
        byte[] note = "committer 7, commit 12".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(new byte[0], ExclusiveLock.holding(lock, held -> held.note()), "a new lock file has no note");
        ExclusiveLock.holding(lock, held -> {
            held.note(new byte[200]);
            held.note(note); // a shorter note replaces a longer one whole
            return null;
        });
        assertArrayEquals(note, ExclusiveLock.holding(lock, held -> held.note()));
        Files.write(lock, new byte[] {0, 0, 1}); // torn: no note
        assertArrayEquals(new byte[0], ExclusiveLock.holding(lock, held -> held.note()));
    }
}
