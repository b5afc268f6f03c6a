package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * HDF5 filter 1, deflate: each chunk is one zlib stream (RFC 1950: header, deflate data,
 * Adler-32), as libhdf5 writes it with {@code compress2}. Like libhdf5 it never declines a
 * chunk: incompressible data is stored slightly larger rather than skipped.
 *
 * <p>What runs where: level 1 is compressed with Intel's ISA-L (through GKL's
 * {@code IntelDeflater}, {@link IsalDeflate}) wherever its native library loads, which is Linux
 * and macOS on x86-64, about eight times as fast as zlib at about the same ratio; levels 2 to 9,
 * and level 1 where ISA-L does not load, with libdeflate ({@link LibdeflateDeflate}) wherever its
 * native library loads (Linux and macOS on x86-64 and aarch64, Windows on x86-64), about twice
 * as fast as zlib at level 4 and a slightly better ratio; everything else (level 0, platforms
 * without either library) with the JDK's zlib ({@link Deflater}). Every chunk is decoded by
 * libdeflate where it loads, about 2.6 times as fast as zlib; a stream it refuses is decoded
 * again by the JDK's {@link Inflater}, which says what is wrong with it (and which decodes
 * everything where libdeflate does not load). The choice is made once per JVM and logged;
 * {@link #implementation(int)} and {@link #decoder()} tell it. All write zlib streams that
 * libhdf5 reads, though not the same bytes.
 *
 * <p>Creating a {@link Deflater} allocates native zlib state of a few hundred kilobytes, far too
 * costly per chunk, so each thread keeps one compressor per level (the native ones too) and one
 * decompressor, reset between chunks, plus one output buffer the size of its largest chunk's
 * worst case. They live as long as the thread, which suits the long-lived threads that encode
 * chunks.
 */
public final class DeflateFilter implements Filter {

    private static final ThreadLocal<Deflater[]> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater[10]);
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
    /** Per-thread output buffer for encoding, grown to the largest chunk's worst case. */
    private static final ThreadScratch SCRATCH = new ThreadScratch();

    /** Decoding starts with a buffer of this many times the compressed size, then grows. */
    private static final int INITIAL_EXPANSION = 4;
    private static final int MIN_INITIAL_DECODE_BUFFER = 64 * 1024;

    private final int level;

    /**
     * @param level the zlib compression level, 0 (stored) to 9, as in the filter's client data
     * @throws IllegalArgumentException when the level is outside 0 to 9
     */
    public DeflateFilter(int level) {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("deflate level must be 0 to 9, got " + level);
        }
        this.level = level;
    }

    @Override
    public long encodedLengthBound(long length) {
        return maxEncodedLength(length);
    }

    /**
     * The largest stream zlib produces for {@code length} input bytes (zlib's
     * {@code compressBound}: stored blocks plus the 2-byte header and 4-byte trailer).
     */
    static long maxEncodedLength(long length) {
        return length + (length >>> 12) + (length >>> 14) + (length >>> 25) + 13;
    }

    /** Which implementation compresses at {@code level} in this JVM. */
    static Implementation implementation(int level) {
        if (level == 1 && IsalDeflate.available()) return Implementation.INTEL_ISAL;
        if (level >= 1 && LibdeflateDeflate.available()) return Implementation.LIBDEFLATE;
        return Implementation.JDK_ZLIB;
    }

    /** The compressors this filter chooses between. */
    enum Implementation {
        /** java.util.zip's zlib: every level, everywhere. */
        JDK_ZLIB,
        /** Intel's ISA-L through GKL: level 1 on x86-64 Linux and macOS. */
        INTEL_ISAL,
        /** libdeflate through jlibdeflate: levels 2 to 9 (and 1 without ISA-L) where its library loads. */
        LIBDEFLATE
    }

    @Override
    public byte[] encode(byte[] input, int length) throws IOException {
        // compressBound is a hard upper limit, so the stream always fits the scratch buffer;
        // compressing there and copying out the exact size allocates once per chunk instead
        // of a worst-case buffer each time.
        byte[] scratch = SCRATCH.atLeast((int) Math.min(Integer.MAX_VALUE - 8, maxEncodedLength(length)));
        return Arrays.copyOf(scratch, encodeInto(input, length, scratch));
    }

    /** Never declines: returns the stream's length. */
    @Override
    public int encodeInto(byte[] input, int length, byte[] out) throws IOException {
        if (length > 0) {
            int n = switch (implementation(level)) {
                case INTEL_ISAL -> IsalDeflate.encode(input, length, out);
                case LIBDEFLATE -> LibdeflateDeflate.encode(input, length, level, out);
                case JDK_ZLIB -> -1;
            };
            if (n >= 0) return n;
        }
        Deflater deflater = deflater();
        try {
            deflater.setInput(input, 0, length);
            deflater.finish();
            int written = 0;
            while (!deflater.finished()) {
                if (written == out.length) {
                    throw new IOException("deflate output exceeded the " + out.length + " bytes given for " + length + " bytes");
                }
                written += deflater.deflate(out, written, out.length - written);
            }
            return written;
        } finally {
            deflater.reset();
        }
    }

    private Deflater deflater() {
        Deflater[] perLevel = DEFLATERS.get();
        Deflater deflater = perLevel[level];
        if (deflater == null) {
            deflater = new Deflater(level);
            perLevel[level] = deflater;
        }
        return deflater;
    }

    /** Which implementation decodes in this JVM (a stream it refuses goes to the JDK's zlib too). */
    static Implementation decoder() {
        return LibdeflateDeflate.available() ? Implementation.LIBDEFLATE : Implementation.JDK_ZLIB;
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (decoder() == Implementation.LIBDEFLATE) {
            byte[] decoded = LibdeflateDeflate.decode(input, length, maxDecodedLength);
            if (decoded != null) return decoded;
        }
        return inflate(input, length, maxDecodedLength);
    }

    /** Decodes with the JDK's zlib, which names what is wrong with a bad stream. */
    private static byte[] inflate(byte[] input, int length, int maxDecodedLength) throws IOException {
        Inflater inflater = INFLATER.get();
        try {
            inflater.setInput(input, 0, length);
            // The stream does not state its decoded size: start small and grow, never past one
            // byte beyond the bound (that byte reveals an overlong stream), so a corrupt stream
            // cannot make us allocate more than the chunk can hold. A full chunk usually fills
            // the first buffer exactly, which then needs no trimming copy.
            long capacity = Math.min(Integer.MAX_VALUE - 8L, maxDecodedLength + 1L);
            byte[] out = new byte[(int) Math.min(maxDecodedLength,
                    Math.max(MIN_INITIAL_DECODE_BUFFER, (long) length * INITIAL_EXPANSION))];
            int written = 0;
            while (!inflater.finished()) {
                if (written == out.length) {
                    long grown = out.length < maxDecodedLength
                            ? Math.min(maxDecodedLength, Math.max(1L, out.length * 2L))
                            : capacity;
                    out = Arrays.copyOf(out, (int) grown);
                }
                int n = inflater.inflate(out, written, out.length - written);
                written += n;
                if (written > maxDecodedLength) {
                    throw new IOException("deflate stream decodes to more than the " + maxDecodedLength
                            + " bytes a chunk can hold: corrupt chunk");
                }
                if (n == 0 && !inflater.finished()) {
                    throw new IOException(inflater.needsDictionary()
                            ? "deflate stream asks for a preset dictionary: corrupt chunk"
                            : "deflate stream is truncated after " + length + " bytes: corrupt chunk");
                }
            }
            return written == out.length ? out : Arrays.copyOf(out, written);
        } catch (DataFormatException e) {
            throw new IOException("deflate stream is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.reset();
        }
    }
}
