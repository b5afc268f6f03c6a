package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * A dataspace selection of one hyperslab block, serialized as the virtual dataset's global heap
 * block stores it (specification IV.A.2.i, "Virtual Dataset Global Heap Block", and the
 * dataspace selection encodings of section VI): version 1 (32-bit block corners, as libhdf5
 * writes for files of the earliest format) when every coordinate fits, else version 2 (a regular
 * hyperslab with 64-bit start, stride, count and block), which libhdf5 reads since 1.10, the
 * release that introduced virtual datasets.
 */
public record HyperslabSelection(long[] start, long[] extent) {
    private static final int SELECTION_HYPERSLAB = 2;
    private static final int FLAG_REGULAR = 0x01;

    public HyperslabSelection {
        if (start.length != extent.length) throw new IllegalArgumentException("start and extent differ in rank");
        for (int d = 0; d < start.length; d++) {
            if (start[d] < 0 || extent[d] <= 0) {
                throw new IllegalArgumentException("a hyperslab block needs start >= 0 and extent > 0 on every axis, got axis "
                        + d + ": start " + start[d] + ", extent " + extent[d]);
            }
        }
        start = start.clone();
        extent = extent.clone();
    }

    /** The serialized selection: version 1 when its corners fit in 32 bits, else version 2. */
    public byte[] encode() {
        return fitsVersion1() ? encodeVersion1() : encodeVersion2();
    }

    boolean fitsVersion1() {
        for (int d = 0; d < start.length; d++) if (start[d] + extent[d] - 1 > 0xffff_fffeL) return false;
        return true;
    }

    byte[] encodeVersion1() {
        int rank = start.length;
        int length = 8 + 8 * rank;
        ByteBuffer b = Bytes.allocate(16 + length);
        b.putInt(SELECTION_HYPERSLAB);
        b.putInt(1);
        b.putInt(0); // reserved
        b.putInt(length);
        b.putInt(rank);
        b.putInt(1); // blocks
        for (long s : start) b.putInt((int) s);
        for (int d = 0; d < rank; d++) b.putInt((int) (start[d] + extent[d] - 1)); // inclusive end
        return b.array();
    }

    byte[] encodeVersion2() {
        int rank = start.length;
        int length = 4 + 32 * rank;
        ByteBuffer b = Bytes.allocate(13 + length);
        b.putInt(SELECTION_HYPERSLAB);
        b.putInt(2);
        b.put((byte) FLAG_REGULAR);
        b.putInt(length);
        b.putInt(rank);
        for (int d = 0; d < rank; d++) {
            b.putLong(start[d]);
            b.putLong(1); // stride
            b.putLong(1); // count
            b.putLong(extent[d]); // block
        }
        return b.array();
    }
}
