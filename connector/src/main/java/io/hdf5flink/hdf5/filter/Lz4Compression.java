package io.hdf5flink.hdf5.filter;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LZ4 block compression for the LZ4 filter, bitshuffle and Blosc, through lz4-java
 * ({@code at.yawk.lz4:lz4-java}, the maintained fork): its JNI binding of the reference C library
 * where the bundled native library loads (Linux, macOS and Windows on the common CPUs), its
 * pure-Java implementation elsewhere, chosen once per JVM and logged. On one shuffled (16384, 64)
 * int16 chunk (JMH {@code CodecLibraryBenchmarks}, one core) the native one compresses 1.8 GB/s,
 * against 0.74 GB/s for aircompressor's pure-Java LZ4 that the engine used before under the
 * launcher's quick JIT tier (1.4 GB/s under C2), at the same ratio. Decompression stays with
 * aircompressor: pure Java, bounds-checked on corrupt input, and not on the write path.
 *
 * <p>lz4-java's compressors are stateless and thread-safe, so one serves every filtering thread.
 */
final class Lz4Compression {
    private static final Logger LOG = LoggerFactory.getLogger(Lz4Compression.class);
    private static final boolean NATIVE;
    private static final LZ4Compressor COMPRESSOR;

    static {
        LZ4Factory factory;
        String unusable = null;
        try {
            factory = LZ4Factory.nativeInstance();
        } catch (Throwable e) { // no native library for this platform, or it does not load
            factory = LZ4Factory.safeInstance();
            unusable = e.toString();
        }
        NATIVE = unusable == null;
        COMPRESSOR = factory.fastCompressor();
        if (NATIVE) LOG.info("LZ4 compresses with lz4-java's native library");
        else LOG.warn("LZ4 compresses with lz4-java's pure-Java implementation, about half as fast: the native one is unusable here: {}", unusable);
    }

    private Lz4Compression() {
    }

    /** Whether the native library is in use. */
    static boolean isNative() {
        return NATIVE;
    }

    /** LZ4's worst case for {@code length} input bytes. */
    static int maxCompressedLength(int length) {
        return COMPRESSOR.maxCompressedLength(length);
    }

    /** Compresses {@code src[off, off + length)} as one raw LZ4 block into {@code dst} at {@code dstOff}; returns its size. */
    static int compress(byte[] src, int off, int length, byte[] dst, int dstOff, int maxDst) {
        return COMPRESSOR.compress(src, off, length, dst, dstOff, maxDst);
    }
}
