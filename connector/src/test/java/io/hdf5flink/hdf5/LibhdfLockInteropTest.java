package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine and libhdf5 (h5py, in its own process) exclude each other's writers, either way
 * round, while h5py readers still open a file the engine writes (issue 20: with only Java's fcntl
 * locks, h5py appended while convert appended, and the file was corrupt).
 */
class LibhdfLockInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    @TempDir Path dir;

    private Path file() {
        Path file = dir.resolve("locked.h5");
        try (Hdf5File f = Hdf5File.create(file)) {
            f.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(4).build())
                    .appendValues(new int[] {1, 2, 3, 4});
        }
        return file;
    }

    /** Runs Python with h5py; returns the process once it printed READY. */
    private static Process python(String script, Path file) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import sys, time, h5py\n" + script, file.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("READY", line, "h5py did not get ready");
        return p;
    }

    private static String run(String script, Path file) throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import sys, h5py\n" + script, file.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void theEngineIsRefusedWhileAnH5pyWriterHoldsTheFile() throws Exception {
        Path file = file();
        Process h5pyWriter = python("f = h5py.File(sys.argv[1], 'r+')\nprint('READY', flush=True)\ntime.sleep(60)", file);
        try {
            byte[] before = Files.readAllBytes(file); // as h5py has it open (it marks the superblock)
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(file));
            assertTrue(e.getMessage().contains("locked.h5 is open for writing by another writer (a libhdf5 writer"),
                    e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(file));
        } finally {
            h5pyWriter.destroyForcibly().waitFor();
        }
        try (Hdf5File f = Hdf5File.openForAppend(file)) { // the lock went with the process
            f.dataset("/d").appendValues(new int[] {5});
        }
    }

    @Test
    void anH5pyWriterIsRefusedWhileTheEngineWritesAndReadersStillRead() throws Exception {
        Path file = file();
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            String writer = run("""
                    try:
                        h5py.File(sys.argv[1], 'r+')
                        print('OPENED')
                    except OSError as e:
                        print('REFUSED', e)
                    """, file);
            assertTrue(writer.startsWith("REFUSED") && writer.contains("lock"), writer);
            String reader = run("print(list(h5py.File(sys.argv[1], 'r')['d'][:]))", file);
            assertEquals("[1, 2, 3, 4]", reader);
        }
        assertEquals("OPENED", run("h5py.File(sys.argv[1], 'r+'); print('OPENED')", file));
    }

    /**
     * POSIX drops a process's fcntl locks on a file when any descriptor of it closes; the sink's
     * writers write chunks through descriptors of their own in the committer's JVM. The writer's
     * lock must still refuse a second writer (here a POSIX lock from another process, as a second
     * engine in another JVM takes) after such a close.
     */
    @Test
    void theWritersLockOutlivesOtherDescriptorsOfTheFileClosingInThisProcess() throws Exception {
        Path file = file();
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                other.size();
            }
            String second = run("""
                    import fcntl, os
                    fd = os.open(sys.argv[1], os.O_RDWR)
                    try:
                        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        print('LOCKED')
                    except OSError as e:
                        print('REFUSED', e)
                    """, file);
            assertTrue(second.startsWith("REFUSED"), second);
        }
    }
}
