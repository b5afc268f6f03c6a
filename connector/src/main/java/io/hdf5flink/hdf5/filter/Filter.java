package io.hdf5flink.hdf5.filter;

import java.io.IOException;

/**
 * One stage of an HDF5 filter pipeline: encodes a chunk on its way to disk and decodes it on
 * its way back. Implementations are stateless and thread-safe, so many threads may encode
 * chunks of the same dataset at once while a single thread writes them.
 *
 * <p>Each implementation has its entry in {@link KnownFilter}, which knows its id, names and
 * client data and makes it.
 */
public interface Filter {

    /**
     * The largest output {@link #encode} can give for {@code length} input bytes. Decoding the
     * stage after this one may produce no more than this, which bounds what a corrupt chunk can
     * make the reader allocate.
     */
    long encodedLengthBound(long length);

    /**
     * Encodes the first {@code length} bytes of {@code input}.
     *
     * @return the encoded bytes (exactly sized), or {@code null} when an optional filter
     *     declines this chunk (its output would not be smaller); the chunk is then stored without
     *     this stage and the stage's bit is set in the chunk's filter mask
     */
    byte[] encode(byte[] input, int length) throws IOException;

    /**
     * Encodes the first {@code length} bytes of {@code input} into the start of {@code out},
     * which holds at least {@link #encodedLengthBound encodedLengthBound(length)} bytes: for a
     * caller that reuses its output arrays (the sink's writers), with no exactly sized copy. The
     * codecs a benchmark measures write there directly; the others encode and copy.
     *
     * @return the encoded length, or -1 when an optional filter declines this chunk (as {@link
     *     #encode} returns {@code null})
     */
    default int encodeInto(byte[] input, int length, byte[] out) throws IOException {
        byte[] encoded = encode(input, length);
        if (encoded == null) return -1;
        System.arraycopy(encoded, 0, out, 0, encoded.length);
        return encoded.length;
    }

    /**
     * Decodes the first {@code length} bytes of {@code input}.
     *
     * @param maxDecodedLength an upper bound on the decoded size, taken from the dataset's chunk
     *     shape; a stream that claims or produces more is corrupt and must be refused, never
     *     used to size an allocation
     */
    byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException;
}
