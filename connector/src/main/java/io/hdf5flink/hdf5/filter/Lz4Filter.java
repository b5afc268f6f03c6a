package io.hdf5flink.hdf5.filter;

import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 32004, the registered LZ4 plugin (H5Zlz4.c, shipped by hdf5plugin and the HDF
 * Group's plugin collection). Its framing, all numbers big-endian:
 *
 * <pre>
 *   u64 decoded size of the chunk
 *   u32 block size (the client data value, 1 GiB when 0, clamped to the decoded size)
 *   per block: u32 stored size, then the block as a raw LZ4 block (no LZ4 frame)
 * </pre>
 *
 * Every block but the last holds exactly the block size of data. The plugin stores a block whose
 * LZ4 form would not be smaller as the plain bytes, so a stored size equal to the block's decoded
 * size means "not compressed"; this filter writes the same. It never declines a chunk.
 */
public final class Lz4Filter implements Filter {

    /** Block size the plugin uses when the client data is absent or 0: 1 GiB. */
    static final int DEFAULT_BLOCK_SIZE = 1 << 30;
    private static final int HEADER_LENGTH = 12;
    private static final int BLOCK_HEADER_LENGTH = 4;

    /** Decompression, also bitshuffle's and Blosc's; compression is {@link Lz4Compression}'s. */
    static final Lz4Decompressor DECOMPRESSOR = new Lz4Decompressor();

    private final int blockSize;

    /**
     * @param blockSize bytes per block as in the filter's client data; 0 means the plugin's
     *     default of 1 GiB
     * @throws IllegalArgumentException when the block size is negative
     */
    public Lz4Filter(int blockSize) {
        if (blockSize < 0) {
            throw new IllegalArgumentException("LZ4 block size must not be negative, got " + blockSize);
        }
        this.blockSize = blockSize == 0 ? DEFAULT_BLOCK_SIZE : blockSize;
    }

    /** The largest output for {@code length} input bytes in this filter's blocks. */
    @Override
    public long encodedLengthBound(long length) {
        long blocks = length == 0 ? 0 : (length - 1) / Math.min(blockSize, length) + 1;
        return HEADER_LENGTH + blocks * BLOCK_HEADER_LENGTH + length;
    }

    @Override
    public byte[] encode(byte[] input, int length) {
        int block = Math.min(blockSize, length);
        int blocks = length == 0 ? 0 : (length - 1) / block + 1;
        // Each stored block is at most its plain size; only the block being compressed may need
        // LZ4's worst case, so one block's worth of slack suffices.
        int slack = block == 0 ? 0 : Lz4Compression.maxCompressedLength(block) - block;
        byte[] out = new byte[HEADER_LENGTH + blocks * BLOCK_HEADER_LENGTH + length + slack];
        BigEndian.putLong(out, 0, length);
        BigEndian.putInt(out, 8, block);
        int written = HEADER_LENGTH;
        for (int start = 0; start < length; start += block) {
            int n = Math.min(block, length - start);
            int data = written + BLOCK_HEADER_LENGTH;
            int stored = Lz4Compression.compress(input, start, n, out, data, out.length - data);
            if (stored >= n) {
                System.arraycopy(input, start, out, data, n);
                stored = n;
            }
            BigEndian.putInt(out, written, stored);
            written = data + stored;
        }
        return written == out.length ? out : Arrays.copyOf(out, written);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (length < HEADER_LENGTH) {
            throw new IOException("LZ4 chunk has " + length + " bytes, fewer than its 12-byte header: corrupt chunk");
        }
        long decodedSize = BigEndian.getLong(input, 0);
        if (decodedSize < 0 || decodedSize > maxDecodedLength) {
            throw new IOException("LZ4 chunk claims " + Long.toUnsignedString(decodedSize)
                    + " decoded bytes, more than the " + maxDecodedLength + " a chunk can hold: corrupt chunk");
        }
        long block = Math.min(BigEndian.getInt(input, 8) & 0xFFFFFFFFL, decodedSize);
        if (block == 0 && decodedSize > 0) {
            throw new IOException("LZ4 chunk has block size 0 for " + decodedSize + " bytes: corrupt chunk");
        }
        byte[] out = new byte[(int) decodedSize];
        int ip = HEADER_LENGTH;
        int op = 0;
        while (op < decodedSize) {
            int n = (int) Math.min(block, decodedSize - op);
            if (length - ip < BLOCK_HEADER_LENGTH) {
                throw new IOException("LZ4 chunk is truncated before the block at decoded byte " + op + ": corrupt chunk");
            }
            long stored = BigEndian.getInt(input, ip) & 0xFFFFFFFFL;
            ip += BLOCK_HEADER_LENGTH;
            if (stored > length - ip) {
                throw new IOException("LZ4 block at decoded byte " + op + " claims " + stored
                        + " stored bytes but only " + (length - ip) + " remain: corrupt chunk");
            }
            if (stored == n) {
                System.arraycopy(input, ip, out, op, n);
            } else {
                int produced;
                try {
                    produced = DECOMPRESSOR.decompress(input, ip, (int) stored, out, op, n);
                } catch (RuntimeException e) {
                    throw new IOException("LZ4 block at decoded byte " + op + " is corrupt: " + e.getMessage(), e);
                }
                if (produced != n) {
                    throw new IOException("LZ4 block at decoded byte " + op + " decodes to " + produced
                            + " bytes instead of " + n + ": corrupt chunk");
                }
            }
            ip += (int) stored;
            op += n;
        }
        return out;
    }
}
