package io.hdf5flink.hdf5.filter;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 32015, the registered Zstandard plugin: each chunk is one Zstandard frame,
 * compressed at the level the client data records. The plugin sizes its output buffer from the
 * frame's content size field, so every frame written here records it (the tests check it with
 * the reference zstd library).
 *
 * <p>Encoded and decoded by zstd-jni, the reference C library with its natives for every common
 * platform in the jar: a pure-Java encoder (aircompressor) implements only level 3's strategy, so
 * a file recording level 22 would hold level-3 frames, and at level 3 it is half as fast.
 */
public final class ZstdFilter implements Filter {
    private static final ThreadScratch SCRATCH = new ThreadScratch();

    private final int level;

    /** @param level a Zstandard level the library implements, from its negative fast levels to 22 */
    public ZstdFilter(int level) {
        this.level = requireLevel(level);
    }

    /** Checks that the library implements {@code level}; returns it. */
    static int requireLevel(int level) {
        if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("zstd level " + level + " is not " + Zstd.minCompressionLevel() + " to "
                    + Zstd.maxCompressionLevel());
        }
        return level;
    }

    /** zstd's {@code ZSTD_COMPRESSBOUND}: the largest frame for {@code length} input bytes. */
    @Override
    public long encodedLengthBound(long length) {
        long margin = length < (128 << 10) ? ((128 << 10) - length) >> 11 : 0;
        return length + (length >> 8) + margin;
    }

    @Override
    public byte[] encode(byte[] input, int length) throws IOException {
        // A grow-only per-thread buffer for the worst case: chunks are megabytes, and a fresh
        // array per chunk is garbage the size of the chunk (as in DeflateFilter).
        byte[] out = SCRATCH.atLeast((int) encodedLengthBound(length));
        long written;
        try {
            written = Zstd.compressByteArray(out, 0, out.length, input, 0, length, level);
        } catch (ZstdException e) {
            throw new IOException("zstd level " + level + " failed: " + e.getMessage(), e);
        }
        return Arrays.copyOf(out, (int) written);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        long declared = Zstd.getFrameContentSize(input, 0, length);
        // Negative: an error code, or ZSTD_CONTENTSIZE_UNKNOWN (-1) for a frame without the field.
        if (declared < -1) throw new IOException("zstd frame header is corrupt: " + Zstd.getErrorName(declared));
        if (declared > maxDecodedLength) {
            throw new IOException("zstd frame claims " + declared + " decoded bytes, more than the "
                    + maxDecodedLength + " a chunk can hold: corrupt chunk");
        }
        // Frames without a content size are not what the plugin writes, but decode them within
        // the bound all the same.
        byte[] out = new byte[declared >= 0 ? (int) declared : maxDecodedLength];
        long produced;
        try {
            produced = Zstd.decompressByteArray(out, 0, out.length, input, 0, length);
        } catch (ZstdException e) {
            throw new IOException("zstd frame is corrupt: " + e.getMessage(), e);
        }
        if (declared >= 0 && produced != declared) {
            throw new IOException("zstd frame decodes to " + produced + " bytes but declares " + declared
                    + ": corrupt chunk");
        }
        return produced == out.length ? out : Arrays.copyOf(out, (int) produced);
    }
}
