package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads a block of the file; the engine's storage implements it, structures decode from it. */
public interface BlockReader {
    /**
     * Reads {@code length} bytes at {@code address} into a little-endian buffer positioned at 0.
     *
     * @param what the structure being read, named in the error when the block is past the end
     */
    ByteBuffer read(long address, int length, String what) throws IOException;
}
