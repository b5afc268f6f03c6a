package io.hdf5flink.hdf5.filter;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A compressor that bitshuffle and Blosc run on each block of a chunk, one instance per chunk
 * encoded or decoded: a chunk has hundreds of blocks, and the zstd and zlib instances keep their
 * native state for all of them (created on first use, freed by {@link #close}) where the
 * one-shot calls would allocate it per block.
 *
 * <p>Each block is the codec's bare format: a raw LZ4 block (no LZ4 frame), a Zstandard frame
 * with its content size (what {@code ZSTD_compress} writes), a zlib stream, raw Snappy, or (to
 * decode only) BloscLZ.
 */
abstract class BlockCodec implements AutoCloseable {

    /** The codec's name in error messages. */
    private final String name;

    private BlockCodec(String name) {
        this.name = name;
    }

    static BlockCodec lz4() {
        return new Lz4();
    }

    static BlockCodec zstd(int level) {
        return new ZstdBlocks(level);
    }

    static BlockCodec zlib(int level) {
        return new Zlib(level);
    }

    static BlockCodec snappy() {
        return new Snappy();
    }

    static BlockCodec bloscLz() {
        return new BloscLzBlocks();
    }

    /** The room {@link #compress} needs after {@code dstOff} for {@code length} input bytes. */
    abstract int maxCompressedLength(int length);

    /**
     * Compresses {@code length} bytes of {@code src} from {@code off} into {@code dst} at
     * {@code dstOff}, which has {@link #maxCompressedLength} bytes of room.
     *
     * @return the compressed size
     */
    abstract int compress(byte[] src, int off, int length, byte[] dst, int dstOff) throws IOException;

    /**
     * Decompresses {@code length} bytes of {@code src} from {@code off} into exactly {@code
     * expected} bytes of {@code dst} at {@code dstOff}.
     *
     * @throws IOException when the block is corrupt or decodes to another size
     */
    final void decompress(byte[] src, int off, int length, byte[] dst, int dstOff, int expected) throws IOException {
        int produced;
        try {
            produced = decompressed(src, off, length, dst, dstOff, expected);
        } catch (RuntimeException | DataFormatException e) {
            // The libraries report malformed input with unchecked exceptions.
            throw new IOException(name + " block is corrupt: " + e.getMessage(), e);
        }
        if (produced != expected) {
            throw new IOException(name + " block decodes to " + produced + " bytes instead of " + expected);
        }
    }

    /** Decompresses into at most {@code maxOut} bytes; returns how many were produced. */
    abstract int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut)
            throws IOException, DataFormatException;

    @Override
    public void close() {
    }

    private static final class Lz4 extends BlockCodec {
        Lz4() {
            super("LZ4");
        }

        @Override
        int maxCompressedLength(int length) {
            return Lz4Compression.maxCompressedLength(length);
        }

        @Override
        int compress(byte[] src, int off, int length, byte[] dst, int dstOff) {
            return Lz4Compression.compress(src, off, length, dst, dstOff, maxCompressedLength(length));
        }

        @Override
        int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut) {
            return Lz4Filter.DECOMPRESSOR.decompress(src, off, length, dst, dstOff, maxOut);
        }
    }

    private static final class ZstdBlocks extends BlockCodec {
        private final int level;
        private ZstdCompressCtx compressor;
        private ZstdDecompressCtx decompressor;

        ZstdBlocks(int level) {
            super("zstd");
            this.level = level;
        }

        @Override
        int maxCompressedLength(int length) {
            return (int) Zstd.compressBound(length);
        }

        @Override
        int compress(byte[] src, int off, int length, byte[] dst, int dstOff) throws IOException {
            if (compressor == null) compressor = new ZstdCompressCtx().setLevel(level).setContentSize(true);
            try {
                return compressor.compressByteArray(dst, dstOff, maxCompressedLength(length), src, off, length);
            } catch (ZstdException e) {
                throw new IOException("zstd level " + level + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut) {
            if (decompressor == null) decompressor = new ZstdDecompressCtx();
            return decompressor.decompressByteArray(dst, dstOff, maxOut, src, off, length);
        }

        @Override
        public void close() {
            if (compressor != null) compressor.close();
            if (decompressor != null) decompressor.close();
        }
    }

    private static final class Zlib extends BlockCodec {
        private final int level;
        private Deflater deflater;
        private Inflater inflater;

        Zlib(int level) {
            super("zlib");
            this.level = level;
        }

        @Override
        int maxCompressedLength(int length) {
            return (int) DeflateFilter.maxEncodedLength(length);
        }

        @Override
        int compress(byte[] src, int off, int length, byte[] dst, int dstOff) {
            if (deflater == null) deflater = new Deflater(level);
            deflater.reset();
            deflater.setInput(src, off, length);
            deflater.finish();
            int written = 0;
            int room = maxCompressedLength(length);
            while (!deflater.finished()) {
                written += deflater.deflate(dst, dstOff + written, room - written);
            }
            return written;
        }

        @Override
        int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut)
                throws IOException, DataFormatException {
            if (inflater == null) inflater = new Inflater();
            inflater.reset();
            inflater.setInput(src, off, length);
            int produced = 0;
            while (!inflater.finished()) {
                // Once the block is full, one more byte of room tells a finished stream (its
                // Adler-32 still to be read) from an overlong one.
                int n = produced < maxOut ? inflater.inflate(dst, dstOff + produced, maxOut - produced)
                        : inflater.inflate(new byte[1]);
                if (produced == maxOut && n > 0) {
                    throw new IOException("zlib block decodes to more than " + maxOut + " bytes");
                }
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IOException("zlib block is truncated or asks for a dictionary");
                }
                produced += n;
            }
            return produced;
        }

        @Override
        public void close() {
            if (deflater != null) deflater.end();
            if (inflater != null) inflater.end();
        }
    }

    private static final class Snappy extends BlockCodec {
        private SnappyCompressor compressor;

        Snappy() {
            super("Snappy");
        }

        private SnappyCompressor compressor() {
            if (compressor == null) compressor = new SnappyCompressor();
            return compressor;
        }

        @Override
        int maxCompressedLength(int length) {
            return compressor().maxCompressedLength(length);
        }

        @Override
        int compress(byte[] src, int off, int length, byte[] dst, int dstOff) {
            return compressor().compress(src, off, length, dst, dstOff, maxCompressedLength(length));
        }

        @Override
        int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut) {
            return new SnappyDecompressor().decompress(src, off, length, dst, dstOff, maxOut);
        }
    }

    private static final class BloscLzBlocks extends BlockCodec {
        BloscLzBlocks() {
            super("BloscLZ");
        }

        @Override
        int maxCompressedLength(int length) {
            throw new UnsupportedOperationException("BloscLZ is decoded only");
        }

        @Override
        int compress(byte[] src, int off, int length, byte[] dst, int dstOff) {
            throw new UnsupportedOperationException("BloscLZ is decoded only");
        }

        @Override
        int decompressed(byte[] src, int off, int length, byte[] dst, int dstOff, int maxOut) throws IOException {
            return BloscLz.decompress(src, off, length, dst, dstOff, maxOut);
        }
    }
}
