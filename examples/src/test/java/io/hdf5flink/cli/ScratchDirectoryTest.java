package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scratch directories of ended processes are deleted, those of living ones (another process
 * holding the owner lock, or this one) and other {@code flink-hdf5-*} directories are not.
 */
class ScratchDirectoryTest {
    @TempDir Path tmp;

    /** Holds the owner lock of the directory {@code args[0]} until killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0], ScratchDirectory.OWNER_LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                channel.lock();
                System.out.println("locked");
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
            }
        }
    }

    private Path scratch(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.write(dir.resolve(ScratchDirectory.OWNER_LOCK), new byte[0]);
        Files.write(Files.createDirectories(dir.resolve("blobStorage")).resolve("libgkl_compression1.so"), new byte[1000]);
        return dir;
    }

    @Test
    void deletesTheDirectoriesOfEndedProcessesOnly() throws Exception {
        Path ended = scratch("flink-hdf5-ended");
        Path living = scratch("flink-hdf5-living");
        Path sqlCheckpoints = Files.createDirectories(tmp.resolve("flink-hdf5-sql-checkpoints123"));
        Path other = scratch("other-ended");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), living.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());

            ScratchDirectory.deleteThoseOfEndedProcesses(tmp);
            assertFalse(Files.exists(ended), "the directory of an ended process is deleted");
            assertTrue(Files.exists(living.resolve("blobStorage/libgkl_compression1.so")), "a living process's directory stays");
            assertTrue(Files.isDirectory(sqlCheckpoints), "a directory without an owner lock stays");
            assertTrue(Files.isDirectory(other), "only flink-hdf5-* directories are looked at");

            holder.destroyForcibly().waitFor(); // SIGKILL: the lock goes with the process
            ScratchDirectory.deleteThoseOfEndedProcesses(tmp);
            assertFalse(Files.exists(living), "the directory of a killed process is deleted");
            assertTrue(Files.isDirectory(sqlCheckpoints));
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void theDirectoryOfThisProcessStays() throws Exception {
        Path own = ScratchDirectory.ofThisProcess();
        assertTrue(Files.isRegularFile(own.resolve(ScratchDirectory.OWNER_LOCK)));
        assertTrue(own.getFileName().toString().startsWith(ScratchDirectory.PREFIX));
        ScratchDirectory.deleteThoseOfEndedProcesses(own.getParent());
        assertTrue(Files.isDirectory(own), "its lock is held by this process");
        assertEquals(own, ScratchDirectory.ofThisProcess(), "one directory per process");
    }
}
