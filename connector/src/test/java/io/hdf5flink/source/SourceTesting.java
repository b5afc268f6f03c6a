package io.hdf5flink.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.reader.SplitDriver;
import io.hdf5flink.source.split.ArraySplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Reading sources without Flink, and the checks every source test makes of its blocks. */
final class SourceTesting {
    private SourceTesting() {}

    /** Every block of every split of {@code source}, split by split, by one reader. */
    static List<ArrayBlock> readAll(ArrayBlockSource source) {
        try {
            return SplitDriver.readAll(source.getSplits(), source.getBlockRows());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ArrayBlock> read(ArrayBlockSource source, ArraySplit split) {
        try {
            return SplitDriver.read(split, source.getBlockRows());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads all of {@code source} and checks it emits exactly {@code expected}. */
    static List<ArrayBlock> assertEmits(ArrayBlockSource source, byte[] expected) {
        List<ArrayBlock> blocks = readAll(source);
        Assembled output = new Assembled(source.getDataType(), source.getShape());
        blocks.forEach(output::add);
        output.assertMatches(expected);
        return blocks;
    }

    /**
     * Checks blocks start on a chunk boundary and hold whole chunk row-bands unless they end
     * where an input ends ({@code inputEnds}, output rows), and fit in {@code blockBytes}.
     */
    static void assertChunkAligned(List<ArrayBlock> blocks, long chunkRows, long blockBytes, long... inputEnds) {
        for (ArrayBlock b : blocks) {
            long start = b.offset()[0];
            long end = start + b.shape()[0];
            boolean endsInput = Arrays.stream(inputEnds).anyMatch(e -> e == end);
            boolean startsInput = start == 0 || Arrays.stream(inputEnds).anyMatch(e -> e == start);
            assertTrue(start % chunkRows == 0 || startsInput, () -> b + " starts inside a chunk");
            assertTrue(end % chunkRows == 0 || endsInput, () -> b + " ends inside a chunk");
            assertTrue(b.data().length <= blockBytes, () -> b + " holds more than " + blockBytes + " bytes");
            for (int d = 1; d < b.rank(); d++) {
                if (b.shape()[d] != 1) assertEquals(0, b.offset()[d], () -> b + " does not start at 0 on axis 1+");
            }
        }
    }

    /** Checks {@code build} fails naming {@code file} and saying each of {@code reasons}. */
    static IllegalArgumentException assertRefused(Executable build, String file, String... reasons) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(file), () -> "message does not name " + file + ": " + e.getMessage());
        for (String reason : reasons) {
            assertTrue(e.getMessage().contains(reason), () -> "message lacks '" + reason + "': " + e.getMessage());
        }
        return e;
    }
}
