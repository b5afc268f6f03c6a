package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing to a file system that fills up: the write fails with a clear error, the file stays
 * valid at its last commit (libhdf5 reads exactly the committed rows), and once there is space
 * again the file is reopened and appending goes on. Needs root to mount a small tmpfs; skipped
 * with a message otherwise (CI runs as root).
 */
class DiskFullInteropTest {
    @TempDir Path dir;
    private Path mount;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        mount = dir.resolve("small");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor() == 0, "cannot mount a tmpfs (needs root): " + out.trim());
    }

    @AfterEach
    void unmount() throws Exception {
        new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }

    private static ByteBuffer rows(long from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 16 * 8).order(ByteOrder.LITTLE_ENDIAN);
        Random noise = new Random(from);
        for (long r = from; r < from + count; r++) {
            for (int c = 0; c < 16; c++) b.putLong(r * 16 + c + (noise.nextLong() << 20)); // incompressible
        }
        return b.flip();
    }

    @Test
    void aFullDiskFailsClearlyKeepsTheLastCommitAndAppendingResumesWithSpace() throws Exception {
        Path file = mount.resolve("full.h5");
        Path ballast = mount.resolve("ballast");
        Files.write(ballast, new byte[1 << 20]);
        long committed = 0;
        Hdf5File f = Hdf5File.create(file);
        Hdf5Dataset d = f.createDataset("/data", DatasetSpec.builder(DataType.INT64, 0, 16)
                .maxShape(DatasetSpec.UNLIMITED, 16).chunks(256, 16).deflate(1).commitTokenCapacity(16).build());
        Hdf5Exception failure = null;
        try {
            while (true) {
                d.append(rows(committed, 512));
                d.setCommitToken(Long.toString(committed + 512).getBytes());
                f.commit();
                committed += 512;
            }
        } catch (Hdf5Exception e) {
            failure = e;
        } finally {
            f.abandon();
        }
        assertTrue(committed > 0, "some commits must have fit");
        String message = failure.getMessage();
        assertTrue(message.contains("full.h5") && message.contains("/data") && message.contains("No space left"), message);

        String check = String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['data']",
                "t = d.attrs['_hdf5flink_commit_token']",
                "n = int.from_bytes(bytes(t[:4]), 'little')",
                "print(d.shape[0], bytes(t[4:4 + n]).decode())");
        assertEquals(committed + " " + committed, ReferenceLibrary.runPython(check, file.toString()).trim(),
                "libhdf5 must see exactly the last commit");

        Files.delete(ballast);
        try (Hdf5File g = Hdf5File.openForAppend(file)) {
            Hdf5Dataset e = g.dataset("/data");
            assertEquals(committed, e.shape()[0]);
            e.append(rows(committed, 256));
            e.setCommitToken(Long.toString(committed + 256).getBytes());
        }
        String after = ReferenceLibrary.runPython(check + "\n" + String.join("\n",
                "low = (1 << 20) - 1",
                "assert ((d[:] & low) == (np.arange(d.shape[0] * 16).reshape(-1, 16) & low)).all(), 'values'"),
                file.toString()).trim();
        assertTrue(after.startsWith((committed + 256) + " " + (committed + 256)), after);
        assertThrows(Hdf5Exception.class, () -> Hdf5File.create(file), "an existing file is never overwritten");
    }
}
