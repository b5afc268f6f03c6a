package io.hdf5flink.hdf5.testing;

import java.util.Arrays;
import java.util.Objects;

/**
 * One allocated chunk of a chunked dataset, as listed on request (see
 * {@link ReferenceLibrary#describe(java.nio.file.Path, java.nio.file.Path, int)}).
 *
 * @param offset the chunk's first element, in dataset coordinates
 * @param filterMask bit {@code i} set when pipeline stage {@code i} was skipped for this chunk
 * @param address the chunk's file address
 * @param size the chunk's stored (filtered) size in bytes
 */
public record ChunkInfo(long[] offset, int filterMask, long address, long size) {

    /** Copies {@code offset}. */
    public ChunkInfo {
        offset = offset.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChunkInfo that
                && Arrays.equals(offset, that.offset)
                && filterMask == that.filterMask
                && address == that.address
                && size == that.size;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(offset), filterMask, address, size);
    }

    @Override
    public String toString() {
        return "{offset " + Arrays.toString(offset) + ", filterMask " + filterMask + ", address " + address + ", size " + size + "}";
    }
}
