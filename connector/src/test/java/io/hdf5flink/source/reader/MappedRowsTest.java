package io.hdf5flink.source.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapped window moves along a file larger than several windows and never leaves more than
 * one mapping of the file behind it (counted in {@code /proc/self/maps}, as the kernel sees
 * them): a mapping's pages count in the process's resident memory until it is unmapped, so
 * leaving old windows to the collector made a conversion's resident memory grow with its input.
 */
class MappedRowsTest {
    @TempDir Path dir;

    @Test
    void readingAlongTheFileKeepsOneWindowMappedAndNoneAfterClose() throws IOException {
        Path file = dir.resolve("rows.raw");
        long rows = 5L * MappedRows.MIN_WINDOW / 8 + 3;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(rows * 8); // sparse: zeros
            f.seek(rows * 8 - 8);
            f.writeLong(Long.reverseBytes(42));
        }
        ArrayInput input = new ArrayInput(Location.file(file.toString(), StreamCompression.NONE), true, 0, DataType.INT64, false);
        MappedRows source = new MappedRows(input, 8);
        byte[] block = new byte[1 << 20];
        int most = 0;
        for (long row = 0; row + block.length / 8 <= rows; row += block.length / 8) {
            source.read(row, block);
            most = Math.max(most, mappingsOf(file));
        }
        byte[] last = new byte[8];
        source.read(rows - 1, last);
        assertEquals(42, last[0], "the last row read through a later window");
        assertEquals(1, most, "windows mapped at once");
        source.close();
        assertEquals(0, mappingsOf(file), "mappings left after close");
    }

    private static int mappingsOf(Path file) throws IOException {
        String name = file.toRealPath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return (int) lines.filter(l -> l.endsWith(name)).count();
        }
    }
}
