package io.hdf5flink.hdf5.filter;

import com.intel.gkl.compression.IntelDeflater;
import java.io.File;
import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.zip.Adler32;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deflate level 1 through Intel's ISA-L (igzip), as the Genomics Kernel Library (GKL,
 * {@code com.intel.gkl:gkl}) packages it with native code for Linux x86-64 and macOS x86-64 in its
 * jar. On shuffled int16 recordings it compresses about eight times as fast as the JDK's zlib
 * at level 1, at about the same ratio (the README's codec table). Whether it is used is decided
 * once per JVM, on the first level-1 chunk, and logged once: the native library must load and
 * pass a round trip through the JDK's {@link Inflater}; elsewhere {@link DeflateFilter} uses the
 * JDK's zlib. The system property {@value #DISABLE_PROPERTY}{@code =true} keeps ISA-L off.
 *
 * <p>GKL's {@code IntelDeflater} at level 1 writes raw deflate data only (it refuses
 * {@code nowrap=false}), compresses the whole input in one stateless call, and takes neither an
 * input nor an output offset; libhdf5's deflate filter reads zlib streams (RFC 1950), so the chunk
 * gets zlib's two-byte header and the Adler-32 of its input here.
 *
 * <p>As for the JDK's deflaters, each thread keeps one compressor (its native stream holds about
 * a megabyte of working memory). GKL's compressor frees that memory only in {@code end()} and has
 * no cleaner of its own, so a cleaner ends it once its thread is gone: the sink's encoding threads
 * come and go with its writers.
 */
final class IsalDeflate {
    private static final Logger LOG = LoggerFactory.getLogger(IsalDeflate.class);

    /** Set to {@code true} to compress level 1 with the JDK's zlib even where ISA-L loads. */
    static final String DISABLE_PROPERTY = "hdf5flink.deflate.isal.disabled";

    /** RFC 1950 header: CM 8 (deflate), CINFO 7 (a 32 KiB window, ISA-L's), FLEVEL 0 (fastest). */
    private static final byte CMF = 0x78;
    private static final byte FLG = 0x01;
    /** The zlib header before the deflate data and the Adler-32 after it. */
    static final int FRAMING = 6;

    private static final boolean AVAILABLE = load();
    private static final Cleaner CLEANER = AVAILABLE ? Cleaner.create() : null;
    private static final ThreadLocal<PerThread> DEFLATERS = ThreadLocal.withInitial(PerThread::new);

    private IsalDeflate() {
    }

    /** One thread's compressor; the cleaner ends its native stream once the thread has dropped it. */
    private static final class PerThread {
        final IntelDeflater deflater = new IntelDeflater(1, true);

        PerThread() {
            IntelDeflater d = deflater;
            CLEANER.register(this, d::end);
        }
    }

    /** Whether level 1 is compressed with ISA-L in this JVM. */
    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Compresses {@code input[0, length)}, at least one byte, at level 1 into one zlib stream at
     * the start of {@code out}. GKL writes only at offset 0, so ISA-L's deflate data is moved two
     * bytes up, within {@code out}, to make room for the zlib header.
     *
     * @return the stream's length; -1 when it would not fit {@code out} or exceed zlib's {@link
     *     DeflateFilter#maxEncodedLength compressBound} (ISA-L's stored blocks never should), for
     *     the caller to compress with zlib
     * @throws IllegalStateException when ISA-L is not {@link #available()}
     */
    static int encode(byte[] input, int length, byte[] out) {
        if (!AVAILABLE) throw new IllegalStateException("Intel ISA-L is not loaded");
        if (length <= 0) throw new IllegalArgumentException("GKL's IntelDeflater refuses empty input");
        IntelDeflater deflater = DEFLATERS.get().deflater;
        try {
            deflater.setInput(input, 0, length);
            deflater.finish();
            // The stream must stay within compressBound, which the engine sizes buffers by.
            long room = Math.min(out.length, DeflateFilter.maxEncodedLength(length)) - FRAMING;
            if (room <= 0) return -1;
            int n;
            try {
                n = deflater.deflate(out, 0, (int) room);
            } catch (RuntimeException outputTooSmall) {
                // GKL 0.8.11 throws "Output buffer too small" rather than returning short.
                return -1;
            }
            if (!deflater.finished()) return -1;
            System.arraycopy(out, 0, out, 2, n);
            out[0] = CMF;
            out[1] = FLG;
            Adler32 adler = new Adler32();
            adler.update(input, 0, length);
            int sum = (int) adler.getValue();
            out[n + 2] = (byte) (sum >>> 24);
            out[n + 3] = (byte) (sum >>> 16);
            out[n + 4] = (byte) (sum >>> 8);
            out[n + 5] = (byte) sum;
            return n + FRAMING;
        } finally {
            // Also drops GKL's reference to the input.
            deflater.reset();
        }
    }

    private static boolean load() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            LOG.info("deflate level 1 uses the JDK's zlib: Intel ISA-L is disabled by -D{}=true", DISABLE_PROPERTY);
            return false;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        boolean shipped = (os.startsWith("linux") || os.startsWith("mac"))
                && (arch.equals("amd64") || arch.equals("x86_64"));
        if (!shipped) {
            LOG.info("deflate level 1 uses the JDK's zlib: GKL ships Intel ISA-L for x86-64 Linux and macOS only,"
                    + " not for {} {}", os, arch);
            return false;
        }
        String failure;
        try {
            IntelDeflater probe = new IntelDeflater(1, true);
            try {
                // Into java.io.tmpdir as it is now (GKL's null would mean the JDK's, fixed when the
                // JVM started): a process may point it at a directory of its own that it cleans up
                // after a kill (flink-hdf5's command line does).
                failure = probe.load(new File(System.getProperty("java.io.tmpdir"))) ? selfTest(probe)
                        : "its native library did not load (GKL logged why)";
            } finally {
                probe.end();
            }
        } catch (LinkageError | RuntimeException e) {
            failure = e.toString();
        }
        if (failure == null) {
            LOG.info("deflate level 1 uses Intel ISA-L (GKL's IntelDeflater); other levels use the JDK's zlib");
            return true;
        }
        LOG.warn("deflate level 1 uses the JDK's zlib, about an eighth as fast: Intel ISA-L is unusable here: {}", failure);
        return false;
    }

    /** Null when ISA-L's raw deflate data of {@link DeflateSelfTest#SAMPLE} inflates back. */
    private static String selfTest(IntelDeflater deflater) {
        byte[] data = DeflateSelfTest.SAMPLE;
        byte[] out = new byte[(int) DeflateFilter.maxEncodedLength(data.length)];
        try {
            deflater.setInput(data, 0, data.length);
            deflater.finish();
            int n = deflater.deflate(out, 0, out.length);
            if (!deflater.finished()) return "the self-test did not finish";
            return DeflateSelfTest.inflatesBack(out, n, true);
        } finally {
            deflater.reset();
        }
    }
}
