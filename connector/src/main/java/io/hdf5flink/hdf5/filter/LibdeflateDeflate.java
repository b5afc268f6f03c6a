package io.hdf5flink.hdf5.filter;

import com.fulcrumgenomics.jlibdeflate.DecompressionResult;
import com.fulcrumgenomics.jlibdeflate.LibdeflateCompressor;
import com.fulcrumgenomics.jlibdeflate.LibdeflateDecompressor;
import com.fulcrumgenomics.jlibdeflate.LibdeflateException;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deflate through libdeflate (Eric Biggers' whole-buffer DEFLATE library, which htslib and
 * many others use), by the JNI binding {@code com.fulcrumgenomics:jlibdeflate} with its native
 * code for Linux and macOS on x86-64 and aarch64 and for Windows on x86-64 in the jar. A chunk is
 * one whole buffer, libdeflate's model, and it writes the zlib stream itself (header and Adler-32).
 * On shuffled int16 recordings level 4 runs at about twice the speed of the JDK's zlib at a
 * slightly better ratio (the README's codec table), so {@link DeflateFilter} uses it for levels
 * 2 to 9, and for level 1 where Intel ISA-L does not load. It also decodes every zlib stream,
 * libhdf5's included, at about 2.6 times zlib's speed (2 MiB chunks of the benchmark recording,
 * gzip 4 + shuffle, one core under C1: 1.6-1.7 against 0.61-0.63 GB/s of output).
 *
 * <p>Whether it is used is decided once per JVM, on the first chunk that asks, and logged once: the
 * native library must load, its stream of {@link DeflateSelfTest#SAMPLE} must pass the JDK's
 * {@link java.util.zip.Inflater}, and it must decode the JDK's stream of the sample back; elsewhere
 * the JDK's zlib compresses and decodes. The system property {@value #DISABLE_PROPERTY}{@code =true}
 * keeps it off.
 *
 * <p>libdeflate's levels are its own: at the same number it compresses somewhat better than zlib,
 * and faster. The filter's client data keeps the level the user asked for (readers do not need
 * it). Each thread keeps one compressor per level (libdeflate allocates its
 * match finder per compressor, up to a few megabytes at high levels); the binding frees it when
 * the compressor becomes unreachable.
 */
final class LibdeflateDeflate {
    private static final Logger LOG = LoggerFactory.getLogger(LibdeflateDeflate.class);

    /** Set to {@code true} to compress with the JDK's zlib even where libdeflate loads. */
    static final String DISABLE_PROPERTY = "hdf5flink.deflate.libdeflate.disabled";

    private static final boolean AVAILABLE = load();
    private static final ThreadLocal<LibdeflateCompressor[]> COMPRESSORS =
            ThreadLocal.withInitial(() -> new LibdeflateCompressor[10]);
    private static final ThreadLocal<LibdeflateDecompressor> DECOMPRESSOR = ThreadLocal.withInitial(LibdeflateDecompressor::new);

    private LibdeflateDeflate() {
    }

    /** Whether deflate is compressed with libdeflate in this JVM. */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Compresses {@code input[0, length)}, at least one byte, into one zlib stream at {@code level},
     * at the start of {@code out}.
     *
     * @return the stream's length; -1 when it would not fit {@code out} or zlib's {@link
     *     DeflateFilter#maxEncodedLength compressBound} (libdeflate's stored blocks never should),
     *     for the caller to compress with zlib
     * @throws IllegalStateException when libdeflate is not {@link #available()}
     */
    static int encode(byte[] input, int length, int level, byte[] out) {
        if (!AVAILABLE) throw new IllegalStateException("libdeflate is not loaded");
        if (length <= 0) throw new IllegalArgumentException("an empty chunk goes to zlib");
        int room = (int) Math.min(out.length, DeflateFilter.maxEncodedLength(length));
        int n = compressor(level).zlibCompress(input, 0, length, out, 0, room);
        return n > 0 ? n : -1;
    }

    /**
     * Decodes the zlib stream {@code input[0, length)}, which must decode to at most {@code
     * maxDecodedLength} bytes (bytes after the stream's end are ignored, as zlib ignores them).
     *
     * @return the decoded bytes, exactly sized; null when libdeflate refuses the stream (corrupt,
     *     truncated, or longer than the bound), for the caller to decode with zlib, which also
     *     says which of these it is
     * @throws IllegalStateException when libdeflate is not {@link #available()}
     */
    static byte[] decode(byte[] input, int length, int maxDecodedLength) {
        if (!AVAILABLE) throw new IllegalStateException("libdeflate is not loaded");
        byte[] out = new byte[maxDecodedLength];
        DecompressionResult result;
        try {
            result = DECOMPRESSOR.get().zlibDecompressEx(input, 0, length, out, 0, maxDecodedLength);
        } catch (LibdeflateException refused) {
            return null;
        }
        int n = result.outputBytesProduced();
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static LibdeflateCompressor compressor(int level) {
        LibdeflateCompressor[] perLevel = COMPRESSORS.get();
        LibdeflateCompressor compressor = perLevel[level];
        if (compressor == null) {
            compressor = new LibdeflateCompressor(level);
            perLevel[level] = compressor;
        }
        return compressor;
    }

    private static boolean load() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            LOG.info("deflate uses the JDK's zlib for levels 2-9: libdeflate is disabled by -D{}=true", DISABLE_PROPERTY);
            return false;
        }
        String failure;
        try (LibdeflateCompressor probe = new LibdeflateCompressor(4)) {
            byte[] data = DeflateSelfTest.SAMPLE;
            byte[] out = new byte[(int) DeflateFilter.maxEncodedLength(data.length)];
            int n = probe.zlibCompress(data, 0, data.length, out, 0, out.length);
            failure = n > 0 ? DeflateSelfTest.inflatesBack(out, n, false) : "the self-test's stream did not fit";
            if (failure == null) failure = decodesZlibsStream(data);
        } catch (LinkageError | RuntimeException e) {
            // jlibdeflate throws UnsatisfiedLinkError where its jar has no library for the platform.
            failure = e.toString();
        }
        if (failure == null) {
            LOG.info("deflate levels 2-9 (and 1 where Intel ISA-L does not load) use libdeflate (jlibdeflate), about twice "
                    + "zlib's speed; every level decodes with it");
            return true;
        }
        LOG.warn("deflate levels 2-9 use the JDK's zlib, about half as fast, and decode with it: libdeflate is unusable here: {}",
                failure);
        return false;
    }

    /** Null when libdeflate decodes the JDK's zlib stream of {@code data} back to it, else why not. */
    private static String decodesZlibsStream(byte[] data) {
        Deflater deflater = new Deflater(6);
        try (LibdeflateDecompressor probe = new LibdeflateDecompressor()) {
            deflater.setInput(data);
            deflater.finish();
            byte[] stream = new byte[(int) DeflateFilter.maxEncodedLength(data.length)];
            int n = deflater.deflate(stream);
            byte[] back = new byte[data.length];
            DecompressionResult r = probe.zlibDecompressEx(stream, 0, n, back, 0, back.length);
            return r.outputBytesProduced() == data.length && Arrays.equals(data, back) ? null
                    : "it does not decode zlib's stream of the self-test back to its input";
        } finally {
            deflater.end();
        }
    }
}
