package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two processes never write one file: the second is refused by the first one's lock. */
class SecondWriterTest {
    @TempDir Path dir;

    @Test
    void aSecondProcessIsRefusedWhileTheFirstWrites() throws Exception {
        Path file = dir.resolve("shared.h5");
        Path log = dir.resolve("writer.log");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingAppender.class.getName(), file.toString(), "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(log) && Files.readString(log).contains("COMMITTED")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(writer.isAlive(), "the first writer must be running: " + Files.readString(log));
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(file));
            assertTrue(e.getMessage().contains("shared.h5") && e.getMessage().contains("open for writing by another writer"),
                    e.getMessage());
            // Reading is fine while it writes.
            try (Hdf5File reader = Hdf5File.openReadOnly(file)) {
                assertTrue(reader.dataset(CrashingAppender.DATASET).shape()[0] > 0);
            }
        } finally {
            writer.destroyForcibly().waitFor();
        }
        Hdf5File.openForAppend(file).close(); // the lock dies with its process
    }
}
