package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 32008, bitshuffle (github.com/kiyo-masui/bitshuffle, the filter DECTRIS EIGER,
 * odin-data and areaDetector's {@code BSLZ4} write): the chunk's elements are cut into blocks,
 * each block is bit-transposed ({@link BitTranspose}) and, usually, compressed with LZ4 or zstd.
 *
 * <p>Client data, as the plugin's "set local" step records it: {@code [0]}, {@code [1]} the
 * plugin's version (this engine records 0.4, the first with zstd; readers ignore it), {@code [2]}
 * the element size, then as the user gave them: {@code [3]} the block size in elements (a
 * multiple of 8; 0 for the default, 8192 bytes' worth and at least 128), {@code [4]} the
 * compression (0 none, 2 LZ4, 3 zstd), {@code [5]} the zstd level.
 *
 * <p>With compression the chunk is framed, all numbers big-endian:
 *
 * <pre>
 *   u64 decoded size of the chunk
 *   u32 block size in bytes (elements x element size)
 *   per block: u32 compressed size, then the compressed block (a raw LZ4 block, or a zstd frame)
 *   the last (size mod 8) elements, copied as they are
 * </pre>
 *
 * A block holds the block size of elements, the last one fewer (rounded down to a multiple of 8).
 * Without compression the chunk is the transposed blocks and the copied elements, same size as
 * the input. The plugin compresses every block, even when it grows, and so does this filter; it
 * never declines a chunk. A chunk must hold whole elements, as every HDF5 chunk does.
 */
public final class BitshuffleFilter implements Filter {
    /** The compression values of client data slot 4. */
    static final int NONE = 0;
    static final int LZ4 = 2;
    static final int ZSTD = 3;

    private static final int HEADER_LENGTH = 12;
    private static final int BLOCK_HEADER_LENGTH = 4;
    private static final ThreadScratch OUTPUT = new ThreadScratch();

    private final int elementSize;
    private final int blockSize;
    private final int compression;
    private final int zstdLevel;

    /**
     * @param elementSize bytes per element, client data slot 2
     * @param blockSize elements per block, a multiple of 8, or 0 for the plugin's default
     * @param compression {@link #NONE}, {@link #LZ4} or {@link #ZSTD}
     * @param zstdLevel the zstd level (used with {@link #ZSTD} only)
     * @throws IllegalArgumentException when a value is outside what the plugin accepts
     */
    public BitshuffleFilter(int elementSize, int blockSize, int compression, int zstdLevel) {
        if (elementSize < 1) throw new IllegalArgumentException("bitshuffle element size must be positive, got " + elementSize);
        if (blockSize < 0 || blockSize % 8 != 0) {
            throw new IllegalArgumentException("bitshuffle block size must be a multiple of 8 elements, got " + blockSize);
        }
        if (compression != NONE && compression != LZ4 && compression != ZSTD) {
            throw new IllegalArgumentException("bitshuffle compression " + compression + " is not 0 (none), 2 (LZ4) or 3 (zstd)");
        }
        if ((long) blockSize * elementSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bitshuffle blocks of " + blockSize + " elements of " + elementSize
                    + " bytes exceed 2 GiB");
        }
        if (compression == ZSTD) ZstdFilter.requireLevel(zstdLevel);
        this.elementSize = elementSize;
        this.blockSize = blockSize == 0 ? defaultBlockSize(elementSize) : blockSize;
        this.compression = compression;
        this.zstdLevel = zstdLevel;
    }

    /** The plugin's block size for client data 0, in elements: 8192 bytes' worth, a multiple of 8, at least 128. */
    static int defaultBlockSize(int elementSize) {
        int elements = 8192 / elementSize;
        return Math.max(elements - elements % 8, 128);
    }

    private BlockCodec codec() {
        return compression == ZSTD ? BlockCodec.zstd(zstdLevel) : BlockCodec.lz4();
    }

    @Override
    public long encodedLengthBound(long length) {
        if (compression == NONE) return length;
        long n = length / elementSize;
        long blocks = n / blockSize;
        long last = n % blockSize / 8 * 8;
        try (BlockCodec codec = codec()) {
            return HEADER_LENGTH + blocks * (BLOCK_HEADER_LENGTH + codec.maxCompressedLength(blockSize * elementSize))
                    + (last == 0 ? 0 : BLOCK_HEADER_LENGTH + codec.maxCompressedLength((int) last * elementSize))
                    + (length - (blocks * blockSize + last) * elementSize);
        }
    }

    @Override
    public byte[] encode(byte[] input, int length) throws IOException {
        if (length % elementSize != 0) {
            throw new IOException("bitshuffle needs whole elements: " + length + " bytes are not a multiple of "
                    + elementSize);
        }
        int n = length / elementSize;
        int block = Math.min(blockSize, n - n % 8);
        byte[] planes = new byte[block * elementSize];
        if (compression == NONE) {
            byte[] out = new byte[length];
            forEachBlock(n, (at, count) -> BitTranspose.transpose(input, at, out, at, count, elementSize, planes));
            copyLeftover(input, out, n, out.length - (n % 8) * elementSize);
            return out;
        }
        byte[] out = OUTPUT.atLeast((int) encodedLengthBound(length));
        BigEndian.putLong(out, 0, length);
        BigEndian.putInt(out, 8, blockSize * elementSize);
        byte[] transposed = new byte[block * elementSize];
        int[] written = {HEADER_LENGTH};
        try (BlockCodec codec = codec()) {
            forEachBlock(n, (at, count) -> {
                BitTranspose.transpose(input, at, transposed, 0, count, elementSize, planes);
                int size = codec.compress(transposed, 0, count * elementSize, out, written[0] + BLOCK_HEADER_LENGTH);
                BigEndian.putInt(out, written[0], size);
                written[0] += BLOCK_HEADER_LENGTH + size;
            });
        }
        int end = copyLeftover(input, out, n, written[0]);
        return Arrays.copyOf(out, end);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (compression == NONE) {
            if (length > maxDecodedLength || length % elementSize != 0) {
                throw new IOException("bitshuffle chunk of " + length + " bytes is not whole " + elementSize
                        + "-byte elements within the " + maxDecodedLength + " a chunk can hold: corrupt chunk");
            }
            int n = length / elementSize;
            byte[] out = new byte[length];
            byte[] planes = new byte[Math.min(blockSize, n) * elementSize];
            forEachBlock(n, blockSize, (at, count) -> BitTranspose.untranspose(input, at, out, at, count, elementSize, planes));
            copyLeftover(input, out, n, length - (n % 8) * elementSize);
            return out;
        }
        if (length < HEADER_LENGTH) {
            throw new IOException("bitshuffle chunk has " + length + " bytes, fewer than its 12-byte header: corrupt chunk");
        }
        long decodedSize = BigEndian.getLong(input, 0);
        if (decodedSize < 0 || decodedSize > maxDecodedLength || decodedSize % elementSize != 0) {
            throw new IOException("bitshuffle chunk claims " + Long.toUnsignedString(decodedSize) + " decoded bytes, not "
                    + "whole " + elementSize + "-byte elements within the " + maxDecodedLength
                    + " a chunk can hold: corrupt chunk");
        }
        int n = (int) (decodedSize / elementSize);
        // The plugin takes the block size from the header (0 there meaning its default).
        long headerBlock = (BigEndian.getInt(input, 8) & 0xFFFFFFFFL) / elementSize;
        if (headerBlock % 8 != 0 || headerBlock > Integer.MAX_VALUE) {
            throw new IOException("bitshuffle chunk has a block size of " + headerBlock
                    + " elements, not a multiple of 8: corrupt chunk");
        }
        int chunkBlock = headerBlock == 0 ? defaultBlockSize(elementSize) : (int) headerBlock;
        int block = Math.min(chunkBlock, n - n % 8);
        byte[] out = new byte[n * elementSize];
        byte[] planes = new byte[block * elementSize];
        byte[] transposed = new byte[block * elementSize];
        int[] read = {HEADER_LENGTH};
        try (BlockCodec codec = codec()) {
            forEachBlock(n, chunkBlock, (at, count) -> {
                int ip = read[0];
                if (length - ip < BLOCK_HEADER_LENGTH) {
                    throw new IOException("bitshuffle chunk is truncated before the block at element " + at / elementSize
                            + ": corrupt chunk");
                }
                long stored = BigEndian.getInt(input, ip) & 0xFFFFFFFFL;
                ip += BLOCK_HEADER_LENGTH;
                if (stored > length - ip) {
                    throw new IOException("bitshuffle block at element " + at / elementSize + " claims " + stored
                            + " stored bytes but only " + (length - ip) + " remain: corrupt chunk");
                }
                try {
                    codec.decompress(input, ip, (int) stored, transposed, 0, count * elementSize);
                } catch (IOException e) {
                    throw new IOException("bitshuffle block at element " + at / elementSize + ": " + e.getMessage()
                            + ": corrupt chunk", e);
                }
                BitTranspose.untranspose(transposed, 0, out, at, count, elementSize, planes);
                read[0] = ip + (int) stored;
            });
        }
        int leftover = (n % 8) * elementSize;
        if (length - read[0] < leftover) {
            throw new IOException("bitshuffle chunk is truncated in its last " + n % 8 + " elements: corrupt chunk");
        }
        System.arraycopy(input, read[0], out, out.length - leftover, leftover);
        return out;
    }

    /** One block of a chunk: its first byte and its element count. */
    private interface BlockVisit {
        void at(int firstByte, int elements) throws IOException;
    }

    private void forEachBlock(int n, BlockVisit visit) throws IOException {
        forEachBlock(n, blockSize, visit);
    }

    /** The blocks of {@code n} elements: whole ones, then the rest rounded down to a multiple of 8. */
    private void forEachBlock(int n, int block, BlockVisit visit) throws IOException {
        int whole = n / block * block;
        for (int i = 0; i < whole; i += block) {
            visit.at(i * elementSize, block);
        }
        int last = (n - whole) / 8 * 8;
        if (last > 0) visit.at(whole * elementSize, last);
    }

    /** Copies the last {@code n mod 8} elements of {@code input} to {@code out} at {@code at}; returns the end. */
    private int copyLeftover(byte[] input, byte[] out, int n, int at) {
        int leftover = (n % 8) * elementSize;
        System.arraycopy(input, (n - n % 8) * elementSize, out, at, leftover);
        return at + leftover;
    }
}
