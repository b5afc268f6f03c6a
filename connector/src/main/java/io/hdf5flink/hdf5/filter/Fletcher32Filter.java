package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 3, Fletcher-32: appends a 4-byte checksum to the chunk and verifies it on the way
 * back. The checksum is libhdf5's {@code H5_checksum_fletcher32}: the data is summed as
 * big-endian 16-bit words, a trailing odd byte counts as the high byte of a last word, and the
 * 32-bit result (sum2 in the high half) is appended little-endian.
 */
public final class Fletcher32Filter implements Filter {

    /** Bytes the checksum adds to a chunk. */
    static final int CHECKSUM_LENGTH = 4;

    /**
     * Words summed between reductions: the most that cannot overflow 32 bits (libhdf5's
     * bound, which the result depends on only through when the partial sums are folded).
     */
    private static final int WORDS_PER_REDUCTION = 360;

    @Override
    public long encodedLengthBound(long length) {
        return length + CHECKSUM_LENGTH;
    }

    /** libhdf5's Fletcher-32 checksum of the first {@code length} bytes of {@code data}. */
    public static int checksum(byte[] data, int length) {
        int sum1 = 0;
        int sum2 = 0;
        int words = length / 2;
        int p = 0;
        while (words > 0) {
            int block = Math.min(words, WORDS_PER_REDUCTION);
            words -= block;
            for (int end = p + 2 * block; p < end; p += 2) {
                sum1 += ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        }
        if ((length & 1) != 0) {
            sum1 += (data[p] & 0xFF) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
            sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xFFFF) + (sum1 >>> 16);
        sum2 = (sum2 & 0xFFFF) + (sum2 >>> 16);
        return (sum2 << 16) | sum1;
    }

    @Override
    public byte[] encode(byte[] input, int length) {
        byte[] out = new byte[length + CHECKSUM_LENGTH];
        encodeInto(input, length, out);
        return out;
    }

    @Override
    public int encodeInto(byte[] input, int length, byte[] out) {
        System.arraycopy(input, 0, out, 0, length);
        int sum = checksum(input, length);
        out[length] = (byte) sum;
        out[length + 1] = (byte) (sum >>> 8);
        out[length + 2] = (byte) (sum >>> 16);
        out[length + 3] = (byte) (sum >>> 24);
        return length + CHECKSUM_LENGTH;
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (length < CHECKSUM_LENGTH) {
            throw new IOException("Fletcher-32 chunk has " + length
                    + " bytes, too few to hold its 4-byte checksum: corrupt chunk");
        }
        int dataLength = length - CHECKSUM_LENGTH;
        if (dataLength > maxDecodedLength) {
            throw new IOException("Fletcher-32 chunk holds " + dataLength + " data bytes, more than the "
                    + maxDecodedLength + " a chunk can hold: corrupt chunk");
        }
        int stored = (input[dataLength] & 0xFF)
                | (input[dataLength + 1] & 0xFF) << 8
                | (input[dataLength + 2] & 0xFF) << 16
                | (input[dataLength + 3] & 0xFF) << 24;
        int computed = checksum(input, dataLength);
        // libhdf5 before 1.6.3 stored the checksum with the bytes of each 16-bit half swapped on
        // little-endian machines; libhdf5 still accepts that form, and so do we.
        int legacy = ((computed & 0x00FF00FF) << 8) | ((computed >>> 8) & 0x00FF00FF);
        if (stored != computed && stored != legacy) {
            throw new IOException(String.format(
                    "data error detected by Fletcher-32 checksum: stored 0x%08x, computed 0x%08x over %d bytes",
                    stored, computed, dataLength));
        }
        return Arrays.copyOf(input, dataLength);
    }
}
