package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.SmallDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20, item 9: a full disk is reported with the file, offset and size, not just "No space left on device". */
class PositionalWriteTest {
    @TempDir Path dir;

    @Test
    void aFullDiskNamesTheFileTheOffsetAndTheSize() throws Exception {
        try (SmallDisk small = SmallDisk.mount(dir.resolve("small"), "256k")) {
            Path file = small.path().resolve("out.h5");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                IOException e = assertThrows(IOException.class,
                        () -> PositionalWrite.writeFully(ch, ByteBuffer.allocate(1 << 20), 4096, file));
                assertTrue(e.getMessage().contains("writing 1048576 bytes at offset 4096 of " + file + " failed: "), e.getMessage());
                assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            }
        }
    }
}
