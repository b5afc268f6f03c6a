package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * HDF5 filter 32000, h5py's LZF: each chunk is one raw liblzf stream (no header, no length),
 * exactly what h5py's filter gets from {@code lzf_compress}. Unlike h5py's filter it never
 * declines a non-empty chunk: an incompressible one becomes literal runs (at most one byte in 33
 * larger) instead of being stored raw with the filter's bit set in the chunk's filter mask,
 * because jhdf 0.13 ignores filter masks and would misread such a chunk. libhdf5 reads both.
 *
 * <p>A raw liblzf stream is a sequence of instructions: a control byte below 32 copies the next
 * {@code control + 1} bytes literally; any other control byte copies {@code (control >> 5) + 2}
 * bytes (plus a length byte when that field is 7) from {@code ((control & 31) << 8) + offset + 1}
 * bytes back in the output.
 *
 * <p>The encoder is this project's own (compress-lzf frames its output in 64 KiB blocks and had
 * to be unwrapped and copied). It finds matches as liblzf does, through a table of the last
 * position of each 3-byte hash, over the whole chunk; unlike liblzf it steps over input faster
 * the longer it finds no match (one more byte per step after each 32 misses, as LZ4 does, up to 16), so
 * noise (the low bytes of shuffled samples, half of a typical chunk) costs a fraction of a
 * search per byte. The stream format, and therefore every reader, is unchanged; the ratio on
 * the project's benchmark recording stays within a few tenths of a percent of liblzf's.
 */
public final class LzfFilter implements Filter {

    private static final int MAX_LITERAL_RUN = 32;
    /** The farthest back a reference reaches: 13 bits of offset, plus one. */
    private static final int MAX_DISTANCE = 1 << 13;
    /** The longest match one reference copies: a length byte of 255 on top of 7, plus 2. */
    private static final int MAX_MATCH = 264;
    private static final int MIN_MATCH = 3;
    /** The block compress-lzf restarted its literal runs at (see {@link #encodedLengthBound}). */
    private static final int LEGACY_BLOCK = 1 << 16;
    private static final int HASH_LOG = 14;
    /** After this many misses in a row, each step skips one more byte... */
    private static final int SKIP_SHIFT = 5;
    /** ...up to this step, so that a compressible stretch after a long incompressible one is still searched closely. */
    private static final int MAX_STEP = 16;

    /**
     * Per thread: the match table, each entry a position plus one (0 is empty) in its upper half
     * and that position's three bytes in its lower half, and the output buffer.
     */
    private static final ThreadLocal<long[]> TABLE = ThreadLocal.withInitial(() -> new long[1 << HASH_LOG]);
    private static final ThreadScratch OUTPUT = new ThreadScratch();
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** A de Bruijn sequence: its top six bits, times a single set bit, are unique for each bit. */
    private static final long DE_BRUIJN = 0x03F79D71B4CB0A89L;
    /** By the top six bits of a single set bit times {@link #DE_BRUIJN}: the byte that bit lies in. */
    private static final byte[] FIRST_SET_BYTE = new byte[64];

    static {
        for (int bit = 0; bit < 64; bit++) {
            FIRST_SET_BYTE[(int) (((1L << bit) * DE_BRUIJN) >>> 58)] = (byte) (bit >>> 3);
        }
    }

    private static final int MIN_INITIAL_DECODE_BUFFER = 64 * 1024;
    private static final int INITIAL_EXPANSION = 4;

    /**
     * Every byte stored as literal runs of 32, one control byte each, the runs restarted every
     * 64 KiB (as this filter wrote them through compress-lzf, in chunks already stored): since
     * the filter never declines incompressible chunks, its output can exceed its input, and a
     * Fletcher-32 stage after it must accept that much.
     */
    @Override
    public long encodedLengthBound(long length) {
        long blocks = (length + LEGACY_BLOCK - 1) / LEGACY_BLOCK;
        return length + length / MAX_LITERAL_RUN + blocks;
    }

    /**
     * @return the raw LZF stream, or {@code null} for an empty chunk, which h5py's filter cannot
     *     compress either
     */
    @Override
    public byte[] encode(byte[] input, int length) {
        if (length == 0) {
            return null;
        }
        byte[] out = OUTPUT.atLeast((int) encodedLengthBound(length));
        return Arrays.copyOf(out, encodeInto(input, length, out));
    }

    /** @return the raw LZF stream's length, or -1 for an empty chunk */
    @Override
    public int encodeInto(byte[] input, int length, byte[] out) {
        if (length == 0) {
            return -1;
        }
        int n = compress(input, length, out);
        // jhdf 0.13 takes a chunk stored at exactly its raw size for one stored raw (as h5py's
        // filter leaves chunks it cannot shrink) and returns the LZF stream as the data. Such a
        // stream goes as literal runs alone, which are longer than the chunk.
        return n == length ? literals(input, 0, length, out, 0) : n;
    }

    /**
     * Compresses {@code in[0, length)} into {@code out}; returns the bytes written.
     *
     * <p>Written for the JVM's quick compiler (the launcher runs C1 only, which inlines only
     * methods under 35 bytes of bytecode and keeps every bounds check): each position's three
     * bytes are read as one little-endian int inside the loop, the table keeps them beside their
     * position so a candidate is checked without reading it again, matches are extended eight
     * bytes at a time, a match with no literals before it skips the literal writer, the match's
     * last two positions are hashed from one long, which also holds the next position's three
     * bytes, and the differing byte of a match is found by a de Bruijn multiply (C1 has no
     * intrinsic for {@code Long.numberOfTrailingZeros} and calls it, a loop in Java). On shuffled
     * int16 recordings the high bytes' plane (a match every 7 bytes) is where the time goes; under
     * C1 these took it from about 210 to 370 MB/s, and shuffle and LZF of whole chunks from 320 to
     * 480 MB/s on one core (2 MiB chunks of the benchmark recording, the same bytes out).
     */
    static int compress(byte[] in, int length, byte[] out) {
        long[] table = TABLE.get();
        Arrays.fill(table, 0);
        int op = 0;
        int anchor = 0; // the first input byte not yet written
        int ip = 0;
        int misses = 0;
        int last = length - MIN_MATCH; // the last position a match can start at; below it four bytes remain
        int carried = -1; // the three bytes at ip when the last match already read them
        while (ip <= last) {
            int v = carried >= 0 ? carried : ip < last ? (int) INT.get(in, ip) & 0xFFFFFF : lastThreeBytes(in, ip);
            carried = -1;
            int h = slot(v);
            long entry = table[h];
            table[h] = entry(ip, v);
            int ref = (int) (entry >>> 32) - 1;
            if ((int) entry == v && ref >= 0 && ip - ref <= MAX_DISTANCE) {
                int max = Math.min(MAX_MATCH, length - ip);
                int n = MIN_MATCH;
                while (n + Long.BYTES <= max) {
                    long differ = (long) LONG.get(in, ref + n) ^ (long) LONG.get(in, ip + n);
                    if (differ != 0) {
                        n += FIRST_SET_BYTE[(int) (((differ & -differ) * DE_BRUIJN) >>> 58)];
                        break;
                    }
                    n += Long.BYTES;
                }
                if (n + Long.BYTES > max) {
                    while (n < max && in[ref + n] == in[ip + n]) n++;
                }
                if (anchor < ip) op = literals(in, anchor, ip, out, op);
                int distance = ip - ref - 1;
                int field = n - 2;
                if (field < 7) {
                    out[op++] = (byte) ((field << 5) | (distance >>> 8));
                } else {
                    out[op++] = (byte) ((7 << 5) | (distance >>> 8));
                    out[op++] = (byte) (field - 7);
                }
                out[op++] = (byte) distance;
                ip += n;
                anchor = ip;
                misses = 0;
                // The match's last two positions enter the table, as in liblzf: runs that repeat
                // with a short period are then found again at once.
                int p = ip - 2;
                if (p + Long.BYTES <= length) {
                    long both = (long) LONG.get(in, p);
                    int w = (int) both & 0xFFFFFF;
                    table[slot(w)] = entry(p, w);
                    w = (int) (both >>> 8) & 0xFFFFFF;
                    table[slot(w)] = entry(p + 1, w);
                    carried = (int) (both >>> 16) & 0xFFFFFF;
                } else {
                    for (; p < ip && p <= last; p++) {
                        int w = p < last ? (int) INT.get(in, p) & 0xFFFFFF : lastThreeBytes(in, p);
                        table[slot(w)] = entry(p, w);
                    }
                }
            } else {
                ip += Math.min(MAX_STEP, 1 + (misses++ >>> SKIP_SHIFT));
            }
        }
        return literals(in, anchor, length, out, op);
    }

    /** The chunk's last three bytes, from {@code p}, as a little-endian int. */
    private static int lastThreeBytes(byte[] in, int p) {
        return (in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8 | (in[p + 2] & 0xFF) << 16;
    }

    /** The table slot of three bytes (small enough for C1 to inline). */
    private static int slot(int threeBytes) {
        return (threeBytes * 0x9E3779B1) >>> (32 - HASH_LOG);
    }

    /** A table entry: the position plus one above, its three bytes below. */
    private static long entry(int position, int threeBytes) {
        return (long) (position + 1) << 32 | threeBytes;
    }

    /** Writes {@code in[from, to)} as literal runs of at most 32 bytes. */
    private static int literals(byte[] in, int from, int to, byte[] out, int op) {
        while (from < to) {
            int run = Math.min(MAX_LITERAL_RUN, to - from);
            out[op++] = (byte) (run - 1);
            System.arraycopy(in, from, out, op, run);
            op += run;
            from += run;
        }
        return op;
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        byte[] out = new byte[(int) Math.min(maxDecodedLength,
                Math.max(MIN_INITIAL_DECODE_BUFFER, (long) length * INITIAL_EXPANSION))];
        int ip = 0;
        int op = 0;
        while (ip < length) {
            int control = input[ip++] & 0xFF;
            if (control < 32) {
                int run = control + 1;
                if (run > length - ip) {
                    throw new IOException("LZF stream is truncated inside a literal run at byte " + (ip - 1)
                            + ": corrupt chunk");
                }
                out = ensureCapacity(out, op, run, maxDecodedLength);
                System.arraycopy(input, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int run = control >>> 5;
                if (run == 7) {
                    if (ip >= length) {
                        throw truncatedReference(ip);
                    }
                    run += input[ip++] & 0xFF;
                }
                if (ip >= length) {
                    throw truncatedReference(ip);
                }
                int distance = ((control & 0x1F) << 8) + (input[ip++] & 0xFF) + 1;
                run += 2;
                if (distance > op) {
                    throw new IOException("LZF back reference reaches " + distance + " bytes back from output byte "
                            + op + ", before the start of the chunk: corrupt chunk");
                }
                out = ensureCapacity(out, op, run, maxDecodedLength);
                int from = op - distance;
                if (distance >= run) {
                    System.arraycopy(out, from, out, op, run);
                    op += run;
                } else {
                    // Overlapping copy repeats the last `distance` bytes; it must go byte by byte.
                    for (int end = op + run; op < end; op++, from++) {
                        out[op] = out[from];
                    }
                }
            }
        }
        return op == out.length ? out : Arrays.copyOf(out, op);
    }

    private static IOException truncatedReference(int at) {
        return new IOException("LZF stream is truncated inside a back reference at byte " + at + ": corrupt chunk");
    }

    /** Grows {@code out} to hold {@code more} bytes at {@code used}, never past the bound. */
    private static byte[] ensureCapacity(byte[] out, int used, int more, int maxDecodedLength) throws IOException {
        long needed = (long) used + more;
        if (needed > maxDecodedLength) {
            throw new IOException("LZF stream decodes to more than the " + maxDecodedLength
                    + " bytes a chunk can hold: corrupt chunk");
        }
        if (needed <= out.length) {
            return out;
        }
        return Arrays.copyOf(out, (int) Math.min(maxDecodedLength, Math.max(needed, out.length * 2L)));
    }
}
