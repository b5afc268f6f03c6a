package io.hdf5flink.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The output array put together from blocks, as a sink would: each block is checked to be
 * valid, inside the array, and not to overlap any block before it.
 */
final class Assembled {
    private final DataType type;
    private final long[] shape;
    private final byte[] data;
    private final BitSet written;

    Assembled(DataType type, long[] shape) {
        this.type = type;
        this.shape = shape.clone();
        long elements = 1;
        for (long s : shape) elements *= s;
        this.data = new byte[Math.toIntExact(elements * type.size())];
        this.written = new BitSet(Math.toIntExact(elements));
    }

    Assembled add(ArrayBlock block) {
        block.validate();
        assertEquals(type, block.type(), block::toString);
        long[] at = block.offset();
        long[] extent = block.shape();
        assertEquals(shape.length, extent.length, block::toString);
        for (int d = 0; d < shape.length; d++) {
            assertTrue(at[d] + extent[d] <= shape[d], () -> block + " lies outside " + Arrays.toString(shape));
        }
        int last = shape.length - 1;
        long runs = block.elementCount() / Math.max(1, extent[last]);
        long[] index = new long[shape.length];
        for (long run = 0; run < runs; run++) {
            long rest = run;
            for (int d = last - 1; d >= 0; d--) {
                index[d] = rest % extent[d];
                rest /= extent[d];
            }
            long target = 0;
            for (int d = 0; d < last; d++) target = target * shape[d] + at[d] + index[d];
            target = target * shape[last] + at[last];
            int from = Math.toIntExact(target);
            int length = Math.toIntExact(extent[last]);
            assertFalse(length > 0 && written.get(from, from + length).cardinality() > 0,
                    () -> block + " overlaps a block before it");
            written.set(from, from + length);
            System.arraycopy(block.data(), Math.toIntExact(run * length * type.size()), data, from * type.size(),
                    length * type.size());
        }
        return this;
    }

    /** Checks every element was written and the array equals {@code expected}. */
    void assertMatches(byte[] expected) {
        assertEquals(data.length / type.size(), written.cardinality(), "elements written");
        assertArrayEquals(expected, data);
    }
}
