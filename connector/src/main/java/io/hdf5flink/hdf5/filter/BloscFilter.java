package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * HDF5 filter 32001, Blosc (version 1, the HDF5 filter of PyTables, hdf5plugin and
 * areaDetector): each chunk is one Blosc frame. Client data as the plugin's "set local" step
 * records it: {@code [0]} the filter revision (2), {@code [1]} the Blosc format (2), {@code [2]}
 * the element size (1 above 255), {@code [3]} the chunk's size in bytes; then as the user gave
 * them: {@code [4]} the level 0-9 (default 5), {@code [5]} the shuffle (0 none, 1 byte, 2 bit;
 * default 1), {@code [6]} the compressor (0 BloscLZ, the default, 1 LZ4, 2 LZ4HC, 3 Snappy, 4
 * zlib, 5 zstd).
 *
 * <p>The frame, all numbers little-endian: a 16-byte header (format version 2, the compressor's
 * format version 1, flags, element size, u32 decoded size, u32 block size, u32 frame size), then
 * one u32 start offset per block, then the blocks. The flags say byte shuffle (0x1), a frame that
 * is the plain bytes after the header (0x2), bit shuffle (0x4), blocks not split (0x10), and the
 * compressor's format in the top three bits (0 BloscLZ, 1 LZ4 and LZ4HC, 2 Snappy, 3 zlib, 4
 * zstd). Each block (the last one shorter) is byte- or bit-shuffled as a whole (bit shuffle only
 * when its element count is a multiple of 8), then, unless the flags say otherwise, split into
 * one stream per byte of an element where elements have at most 16 bytes and a block holds at
 * least 128 of them (never the last, shorter block); each stream is a u32 size and the
 * compressed bytes, or the plain bytes when the size equals the stream's.
 *
 * <p>Decoded: all five compressor formats, LZ4HC included (it is LZ4's format), with BloscLZ by
 * this engine's own decoder ({@link BloscLz}). Encoded: LZ4, Snappy, zlib and zstd, splitting and
 * sizing blocks as libblosc 1.21 does by default. A dataset whose client data names BloscLZ or
 * LZ4HC gets LZ4 frames: every Blosc reader decodes them, since each frame names its own
 * compressor. The levels are libblosc's: zlib at the level, zstd at {@code 2 level - 1} (22 at
 * 9); LZ4 and Snappy have one speed here, where libblosc's LZ4 trades ratio for speed at low
 * levels. Like the plugin, which gives Blosc an output buffer the chunk's size, this filter
 * declines (the chunk is stored unfiltered) a chunk that does not shrink, every chunk at level 0
 * and every chunk under 128 bytes, which Blosc would store as plain bytes after its header.
 */
public final class BloscFilter implements Filter {
    /** Client data slot 0 as the plugin records it: its revision, 2 since Blosc 1.3's compressors. */
    static final int FILTER_REVISION = 2;
    /** Client data slot 1 and the frame's first byte: the Blosc 1 frame format. */
    static final int FORMAT_VERSION = 2;

    /** The shuffle values of client data slot 5. */
    static final int NOSHUFFLE = 0;
    static final int SHUFFLE = 1;
    static final int BITSHUFFLE = 2;

    /** The compressor codes of client data slot 6. */
    static final int BLOSCLZ = 0;
    static final int LZ4 = 1;
    static final int LZ4HC = 2;
    static final int SNAPPY = 3;
    static final int ZLIB = 4;
    static final int ZSTD = 5;

    /** The shuffles and compressors by their client data values, as users name them. */
    static final List<String> SHUFFLE_NAMES = List.of("noshuffle", "shuffle", "bitshuffle");
    static final List<String> COMPRESSOR_NAMES = List.of("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd");

    /** Elements wider than this are compressed as bytes, as the plugin records them. */
    static final int MAX_TYPE_SIZE = 255;

    private static final int HEADER_LENGTH = 16;
    private static final int COMPRESSOR_FORMAT_VERSION = 1;
    private static final int FLAG_SHUFFLE = 0x1;
    private static final int FLAG_MEMCPYED = 0x2;
    private static final int FLAG_BITSHUFFLE = 0x4;
    private static final int FLAG_RESERVED = 0x8;
    private static final int FLAG_DONT_SPLIT = 0x10;
    /** Below this many bytes Blosc stores the plain bytes. */
    private static final int MIN_BUFFER = 128;
    private static final int MAX_SPLITS = 16;
    private static final int L1 = 32 * 1024;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final ThreadScratch OUTPUT = new ThreadScratch();
    private static final ThreadScratch BLOCK = new ThreadScratch();
    private static final ThreadScratch PLANES = new ThreadScratch();

    private final int typeSize;
    private final int level;
    private final int shuffle;
    /** The compressor this filter writes with: LZ4 where the client data names BloscLZ or LZ4HC. */
    private final int writer;

    /**
     * @param typeSize the element size, client data slot 2 (above 255 compressed as bytes)
     * @param level 0 to 9, slot 4
     * @param shuffle {@link #NOSHUFFLE}, {@link #SHUFFLE} or {@link #BITSHUFFLE}, slot 5
     * @param compressor {@link #BLOSCLZ} to {@link #ZSTD}, slot 6
     * @throws IllegalArgumentException when a value is outside what the plugin accepts
     */
    public BloscFilter(int typeSize, int level, int shuffle, int compressor) {
        if (typeSize < 1) throw new IllegalArgumentException("Blosc element size must be positive, got " + typeSize);
        if (level < 0 || level > 9) throw new IllegalArgumentException("Blosc level " + level + " is not 0 to 9");
        if (shuffle < NOSHUFFLE || shuffle > BITSHUFFLE) {
            throw new IllegalArgumentException("Blosc shuffle " + shuffle + " is not 0 (none), 1 (byte) or 2 (bit)");
        }
        if (compressor < BLOSCLZ || compressor > ZSTD) {
            throw new IllegalArgumentException("Blosc compressor " + compressor + " is not 0 (blosclz), 1 (lz4), "
                    + "2 (lz4hc), 3 (snappy), 4 (zlib) or 5 (zstd)");
        }
        this.typeSize = typeSize > MAX_TYPE_SIZE ? 1 : typeSize;
        this.level = level;
        this.shuffle = shuffle;
        this.writer = compressor == BLOSCLZ || compressor == LZ4HC ? LZ4 : compressor;
    }

    /** Frames are never larger than the chunk plus a header (a plain frame from another writer). */
    @Override
    public long encodedLengthBound(long length) {
        return length + HEADER_LENGTH;
    }

    @Override
    public byte[] encode(byte[] input, int length) throws IOException {
        if (level == 0 || length < MIN_BUFFER) return null;
        int block = blockSize(length);
        boolean split = splits(block);
        int blocks = (length - 1) / block + 1;
        int starts = HEADER_LENGTH + 4 * blocks;
        try (BlockCodec codec = codec(writer)) {
            byte[] out = OUTPUT.atLeast(starts + length + 4 + codec.maxCompressedLength(block));
            out[0] = FORMAT_VERSION;
            out[1] = COMPRESSOR_FORMAT_VERSION;
            out[2] = (byte) ((shuffle == SHUFFLE ? FLAG_SHUFFLE : 0) | (shuffle == BITSHUFFLE ? FLAG_BITSHUFFLE : 0)
                    | (split ? 0 : FLAG_DONT_SPLIT) | format(writer) << 5);
            out[3] = (byte) typeSize;
            INT.set(out, 4, length);
            INT.set(out, 8, block);
            byte[] shuffled = BLOCK.atLeast(block);
            int pos = starts;
            for (int j = 0; j < blocks; j++) {
                int from = j * block;
                int size = Math.min(block, length - from);
                INT.set(out, HEADER_LENGTH + 4 * j, pos);
                byte[] src = shuffleBlock(input, from, size, shuffled);
                int srcOff = src == input ? from : 0;
                int streams = split && size == block ? typeSize : 1;
                int stream = size / streams;
                for (int s = 0; s < streams; s++) {
                    int compressed = codec.compress(src, srcOff + s * stream, stream, out, pos + 4);
                    if (compressed >= stream) {
                        System.arraycopy(src, srcOff + s * stream, out, pos + 4, stream);
                        compressed = stream;
                    }
                    INT.set(out, pos, compressed);
                    pos += 4 + compressed;
                    if (pos > length) return null; // it does not shrink: the plugin's buffer is full
                }
            }
            INT.set(out, 12, pos);
            return Arrays.copyOf(out, pos);
        }
    }

    /** The block shuffled as the flags say, into {@code shuffled}; {@code input} itself when not shuffled. */
    private byte[] shuffleBlock(byte[] input, int from, int size, byte[] shuffled) {
        if (shuffle == SHUFFLE && typeSize > 1) {
            ShuffleFilter.shuffle(input, from, size, typeSize, shuffled, 0);
            return shuffled;
        }
        if (shuffle == BITSHUFFLE && size >= typeSize) {
            bitShuffle(input, from, size, typeSize, shuffled, 0, true);
            return shuffled;
        }
        return input;
    }

    /**
     * Blosc's bit shuffle of one block: the bit transpose when the block holds a multiple of 8
     * whole elements, the bytes past them copied; otherwise the block copied as it is.
     */
    private static void bitShuffle(byte[] in, int inOff, int size, int typeSize, byte[] out, int outOff, boolean forward) {
        int elements = size / typeSize;
        if (elements % 8 != 0) {
            System.arraycopy(in, inOff, out, outOff, size);
            return;
        }
        byte[] planes = PLANES.atLeast(size);
        if (forward) {
            BitTranspose.transpose(in, inOff, out, outOff, elements, typeSize, planes);
        } else {
            BitTranspose.untranspose(in, inOff, out, outOff, elements, typeSize, planes);
        }
        int whole = elements * typeSize;
        System.arraycopy(in, inOff + whole, out, outOff + whole, size - whole);
    }

    /**
     * The block size libblosc 1.21 chooses by default: the whole chunk under 32 KiB, else 32 KiB
     * (twice that for zlib and zstd) scaled by the level, and for split blocks the size of one
     * stream times the element size, kept between 64 KiB and 1 MiB; at most the chunk, a multiple
     * of the element size.
     */
    private int blockSize(int length) {
        long block = length;
        if (length >= L1) {
            boolean strong = writer == ZLIB || writer == ZSTD;
            block = L1 * (strong ? 2L : 1L);
            block = switch (level) {
                case 1 -> block / 2;
                case 2 -> block;
                case 3 -> block * 2;
                case 4, 5 -> block * 4;
                case 6, 7, 8 -> block * 8;
                default -> block * (strong ? 16 : 8);
            };
        }
        if (splits(block)) {
            block = Math.min(Math.max(Math.min(block, 1 << 18) * typeSize, 1 << 16), 1 << 20);
        }
        block = Math.min(block, length);
        return (int) (block > typeSize ? block - block % typeSize : block);
    }

    /** Whether libblosc splits blocks of this size by default: not for zstd, not for wide elements or small blocks. */
    private boolean splits(long block) {
        return writer != ZSTD && typeSize <= MAX_SPLITS && block / typeSize >= MIN_BUFFER;
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (length < HEADER_LENGTH) {
            throw corrupt("has " + length + " bytes, fewer than its 16-byte header");
        }
        int version = input[0] & 0xFF;
        int flags = input[2] & 0xFF;
        int size = (int) INT.get(input, 4);
        int block = (int) INT.get(input, 8);
        int frame = (int) INT.get(input, 12);
        if (version != FORMAT_VERSION) throw corrupt("has format version " + version + ", not 2");
        if (size < 0 || size > maxDecodedLength) {
            throw corrupt("claims " + Integer.toUnsignedString(size) + " decoded bytes, more than the "
                    + maxDecodedLength + " a chunk can hold");
        }
        if (frame < HEADER_LENGTH || frame > length) {
            throw corrupt("claims " + Integer.toUnsignedString(frame) + " bytes but " + length + " are stored");
        }
        byte[] out = new byte[size];
        if (size == 0) return out;
        if ((flags & FLAG_MEMCPYED) != 0) {
            if (frame != size + HEADER_LENGTH) throw corrupt("of plain bytes has " + frame + " bytes for " + size);
            System.arraycopy(input, HEADER_LENGTH, out, 0, size);
            return out;
        }
        int typeSize = input[3] & 0xFF;
        if ((flags & FLAG_RESERVED) != 0 || typeSize == 0 || block <= 0 || block > size) {
            throw corrupt("has flags 0x" + Integer.toHexString(flags) + ", element size " + typeSize + " and block size "
                    + block + " for " + size + " bytes");
        }
        if ((input[1] & 0xFF) != COMPRESSOR_FORMAT_VERSION) {
            throw corrupt("has compressor format version " + (input[1] & 0xFF) + ", not 1");
        }
        int blocks = (size - 1) / block + 1;
        if (blocks > (frame - HEADER_LENGTH) / 4) throw corrupt("is too short for the starts of its " + blocks + " blocks");
        byte[] unshuffled = BLOCK.atLeast(block);
        try (BlockCodec codec = decoder(flags >>> 5)) {
            for (int j = 0; j < blocks; j++) {
                int from = j * block;
                int bsize = Math.min(block, size - from);
                boolean byteShuffled = (flags & FLAG_SHUFFLE) != 0 && typeSize > 1;
                boolean bitShuffled = !byteShuffled && (flags & FLAG_BITSHUFFLE) != 0 && bsize >= typeSize;
                boolean shuffled = byteShuffled || bitShuffled;
                // As libblosc reads it: split where its older versions split, unless the flag says not.
                int streams = (flags & FLAG_DONT_SPLIT) == 0 && typeSize <= MAX_SPLITS && bsize / typeSize >= MIN_BUFFER
                        && bsize == block ? typeSize : 1;
                readStreams(codec, input, frame, (int) INT.get(input, HEADER_LENGTH + 4 * j), j, bsize, streams,
                        shuffled ? unshuffled : out, shuffled ? 0 : from);
                if (byteShuffled) {
                    ShuffleFilter.unshuffle(unshuffled, 0, bsize, typeSize, out, from);
                } else if (bitShuffled) {
                    bitShuffle(unshuffled, 0, bsize, typeSize, out, from, false);
                }
            }
        }
        return out;
    }

    /** Decodes block {@code j}'s streams, starting at {@code start} in the frame, into {@code out} at {@code at}. */
    private static void readStreams(BlockCodec codec, byte[] input, int frame, int start, int j, int bsize, int streams,
            byte[] out, int at) throws IOException {
        int stream = bsize / streams;
        if (stream * streams != bsize) throw corrupt("splits block " + j + " of " + bsize + " bytes in " + streams);
        int pos = start;
        for (int s = 0; s < streams; s++) {
            if (pos < 0 || pos > frame - 4) throw corrupt("points block " + j + " outside the frame");
            int stored = (int) INT.get(input, pos);
            pos += 4;
            if (stored < 0 || stored > frame - pos) throw corrupt("block " + j + " claims " + stored + " stored bytes");
            if (stored == stream) {
                System.arraycopy(input, pos, out, at + s * stream, stream);
            } else {
                try {
                    codec.decompress(input, pos, stored, out, at + s * stream, stream);
                } catch (IOException e) {
                    throw corrupt("block " + j + ": " + e.getMessage(), e);
                }
            }
            pos += stored;
        }
    }

    /** The frame's compressor format (the flags' top three bits) of a client data compressor code. */
    private static int format(int compressor) {
        return switch (compressor) {
            case LZ4, LZ4HC -> 1;
            case SNAPPY -> 2;
            case ZLIB -> 3;
            case ZSTD -> 4;
            default -> 0;
        };
    }

    private BlockCodec codec(int compressor) {
        return switch (compressor) {
            case SNAPPY -> BlockCodec.snappy();
            case ZLIB -> BlockCodec.zlib(level);
            case ZSTD -> BlockCodec.zstd(level < 9 ? 2 * level - 1 : 22);
            default -> BlockCodec.lz4();
        };
    }

    private static BlockCodec decoder(int format) throws IOException {
        return switch (format) {
            case 0 -> BlockCodec.bloscLz();
            case 1 -> BlockCodec.lz4();
            case 2 -> BlockCodec.snappy();
            case 3 -> BlockCodec.zlib(0);
            case 4 -> BlockCodec.zstd(0);
            default -> throw corrupt("names compressor format " + format + ", which Blosc 1 does not have");
        };
    }

    private static IOException corrupt(String what) {
        return new IOException("Blosc frame " + what + ": corrupt chunk");
    }

    private static IOException corrupt(String what, IOException cause) {
        return new IOException("Blosc frame " + what + ": corrupt chunk", cause);
    }
}
