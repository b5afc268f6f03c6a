package io.hdf5flink.hdf5.filter;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 32015, the registered Zstandard plugin: each chunk is one Zstandard frame. The
 * plugin sizes its output buffer from the frame's content size field, so every frame written here
 * records it (aircompressor always does; the tests check it with the reference zstd library).
 *
 * <p>The level in the client data is only a hint to the writer: decoders ignore it. aircompressor
 * compresses at its single built-in level (zstd level 3, the plugin's default), whatever the
 * client data says.
 */
public final class ZstdFilter implements Filter {

    private static final ZstdCompressor COMPRESSOR = new ZstdCompressor();
    // The decompressor keeps per-frame state, so each thread needs its own.
    private static final ThreadLocal<ZstdDecompressor> DECOMPRESSOR = ThreadLocal.withInitial(ZstdDecompressor::new);

    @Override
    public int id() {
        return FilterDescription.ZSTD;
    }

    /** zstd's {@code ZSTD_COMPRESSBOUND}: the largest frame for {@code length} input bytes. */
    static long maxEncodedLength(long length) {
        long margin = length < (128 << 10) ? ((128 << 10) - length) >> 11 : 0;
        return length + (length >> 8) + margin;
    }

    @Override
    public byte[] encode(byte[] input, int length) {
        byte[] out = new byte[COMPRESSOR.maxCompressedLength(length)];
        int written = COMPRESSOR.compress(input, 0, length, out, 0, out.length);
        return Arrays.copyOf(out, written);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        long declared;
        try {
            declared = ZstdDecompressor.getDecompressedSize(input, 0, length);
        } catch (RuntimeException e) {
            throw new IOException("zstd frame header is corrupt: " + e.getMessage(), e);
        }
        if (declared > maxDecodedLength) {
            throw new IOException("zstd frame claims " + declared + " decoded bytes, more than the "
                    + maxDecodedLength + " a chunk can hold: corrupt chunk");
        }
        // Frames without a content size are not what the plugin writes, but decode them within
        // the bound all the same.
        byte[] out = new byte[declared >= 0 ? (int) declared : maxDecodedLength];
        int produced;
        try {
            produced = DECOMPRESSOR.get().decompress(input, 0, length, out, 0, out.length);
        } catch (RuntimeException e) {
            throw new IOException("zstd frame is corrupt: " + e.getMessage(), e);
        }
        if (declared >= 0 && produced != declared) {
            throw new IOException("zstd frame decodes to " + produced + " bytes but declares " + declared
                    + ": corrupt chunk");
        }
        return produced == out.length ? out : Arrays.copyOf(out, produced);
    }
}
