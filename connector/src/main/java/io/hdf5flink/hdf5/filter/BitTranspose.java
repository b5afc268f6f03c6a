package io.hdf5flink.hdf5.filter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The bit transpose of bitshuffle (and of Blosc's bitshuffle, which is the same): {@code n}
 * elements of {@code s} bytes, {@code n} a multiple of 8, become {@code 8 s} rows of {@code n}
 * bits, row {@code 8 j + k} holding bit {@code k} of byte {@code j} of every element in order,
 * eight elements to a byte, the first in the lowest bit.
 *
 * <p>It runs in two passes over the block: the byte shuffle into {@code s} planes of {@code n}
 * bytes, then per plane the bit transpose, on longs: eight bytes of a plane (eight elements) are
 * an 8 x 8 bit matrix transposed with three mask-and-shift steps, and eight such matrices, stored
 * through one 8 x 8 byte transpose, give eight longs, one to each of the plane's eight rows. One
 * bit row per plane byte is stored byte by byte only where a plane's length is not a multiple of
 * 64.
 */
final class BitTranspose {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BitTranspose() {
    }

    /**
     * Transposes {@code n} elements of {@code elementSize} bytes from {@code in} at {@code inOff}
     * into {@code out} at {@code outOff}.
     *
     * @param planes {@code n * elementSize} bytes of scratch space (unused for one-byte elements)
     */
    static void transpose(byte[] in, int inOff, byte[] out, int outOff, int n, int elementSize, byte[] planes) {
        byte[] src = in;
        int srcOff = inOff;
        if (elementSize > 1) {
            ShuffleFilter.shuffle(in, inOff, n * elementSize, elementSize, planes, 0);
            src = planes;
            srcOff = 0;
        }
        for (int j = 0; j < elementSize; j++) {
            bitsOfPlane(src, srcOff + j * n, out, outOff + j * n, n);
        }
    }

    /** Undoes {@link #transpose}. */
    static void untranspose(byte[] in, int inOff, byte[] out, int outOff, int n, int elementSize, byte[] planes) {
        byte[] dst = elementSize > 1 ? planes : out;
        int dstOff = elementSize > 1 ? 0 : outOff;
        for (int j = 0; j < elementSize; j++) {
            planeOfBits(in, inOff + j * n, dst, dstOff + j * n, n);
        }
        if (elementSize > 1) {
            ShuffleFilter.unshuffle(planes, 0, n * elementSize, elementSize, out, outOff);
        }
    }

    /** One plane of {@code n} bytes into its eight bit rows of {@code n / 8} bytes. */
    private static void bitsOfPlane(byte[] plane, int p, byte[] rows, int r, int n) {
        int row = n >>> 3;
        int g = 0;
        for (; g + 8 <= row; g += 8) {
            eightLongs(plane, p + 8 * g, 8, rows, r + g, row, BITS_FIRST);
        }
        for (; g < row; g++) {
            long x = bits((long) LONG.get(plane, p + 8 * g));
            for (int k = 0; k < 8; k++, x >>>= 8) {
                rows[r + k * row + g] = (byte) x;
            }
        }
    }

    /** Undoes {@link #bitsOfPlane}. */
    private static void planeOfBits(byte[] rows, int r, byte[] plane, int p, int n) {
        int row = n >>> 3;
        int g = 0;
        for (; g + 8 <= row; g += 8) {
            eightLongs(rows, r + g, row, plane, p + 8 * g, 8, BITS_LAST);
        }
        for (; g < row; g++) {
            long x = 0;
            for (int k = 7; k >= 0; k--) {
                x = x << 8 | (rows[r + k * row + g] & 0xFF);
            }
            LONG.set(plane, p + 8 * g, bits(x));
        }
    }

    /** What {@link #eightLongs} does besides the byte transpose: no bit transposes, or them before it, or after it. */
    static final int NO_BITS = 0;
    static final int BITS_FIRST = 1;
    static final int BITS_LAST = 2;

    /**
     * Eight longs, {@code from} apart, through the 8 x 8 byte transpose of the eight (long {@code
     * k} gets byte {@code k} of every long), stored {@code to} apart; with {@code BITS_FIRST} each
     * is bit-transposed before, with {@code BITS_LAST} after (undoing {@code BITS_FIRST}: both
     * transposes are their own inverses). Alone, it is the byte shuffle of eight 8-byte elements.
     */
    static void eightLongs(byte[] src, int s, int from, byte[] dst, int d, int to, int bitStep) {
        long x0 = (long) LONG.get(src, s);
        long x1 = (long) LONG.get(src, s + from);
        long x2 = (long) LONG.get(src, s + 2 * from);
        long x3 = (long) LONG.get(src, s + 3 * from);
        long x4 = (long) LONG.get(src, s + 4 * from);
        long x5 = (long) LONG.get(src, s + 5 * from);
        long x6 = (long) LONG.get(src, s + 6 * from);
        long x7 = (long) LONG.get(src, s + 7 * from);
        if (bitStep == BITS_FIRST) {
            x0 = bits(x0); x1 = bits(x1); x2 = bits(x2); x3 = bits(x3);
            x4 = bits(x4); x5 = bits(x5); x6 = bits(x6); x7 = bits(x7);
        }
        long t;
        t = ((x0 >>> 8) ^ x1) & 0x00FF00FF00FF00FFL; x1 ^= t; x0 ^= t << 8;
        t = ((x2 >>> 8) ^ x3) & 0x00FF00FF00FF00FFL; x3 ^= t; x2 ^= t << 8;
        t = ((x4 >>> 8) ^ x5) & 0x00FF00FF00FF00FFL; x5 ^= t; x4 ^= t << 8;
        t = ((x6 >>> 8) ^ x7) & 0x00FF00FF00FF00FFL; x7 ^= t; x6 ^= t << 8;
        t = ((x0 >>> 16) ^ x2) & 0x0000FFFF0000FFFFL; x2 ^= t; x0 ^= t << 16;
        t = ((x1 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL; x3 ^= t; x1 ^= t << 16;
        t = ((x4 >>> 16) ^ x6) & 0x0000FFFF0000FFFFL; x6 ^= t; x4 ^= t << 16;
        t = ((x5 >>> 16) ^ x7) & 0x0000FFFF0000FFFFL; x7 ^= t; x5 ^= t << 16;
        t = ((x0 >>> 32) ^ x4) & 0x00000000FFFFFFFFL; x4 ^= t; x0 ^= t << 32;
        t = ((x1 >>> 32) ^ x5) & 0x00000000FFFFFFFFL; x5 ^= t; x1 ^= t << 32;
        t = ((x2 >>> 32) ^ x6) & 0x00000000FFFFFFFFL; x6 ^= t; x2 ^= t << 32;
        t = ((x3 >>> 32) ^ x7) & 0x00000000FFFFFFFFL; x7 ^= t; x3 ^= t << 32;
        if (bitStep == BITS_LAST) {
            x0 = bits(x0); x1 = bits(x1); x2 = bits(x2); x3 = bits(x3);
            x4 = bits(x4); x5 = bits(x5); x6 = bits(x6); x7 = bits(x7);
        }
        LONG.set(dst, d, x0);
        LONG.set(dst, d + to, x1);
        LONG.set(dst, d + 2 * to, x2);
        LONG.set(dst, d + 3 * to, x3);
        LONG.set(dst, d + 4 * to, x4);
        LONG.set(dst, d + 5 * to, x5);
        LONG.set(dst, d + 6 * to, x6);
        LONG.set(dst, d + 7 * to, x7);
    }

    /**
     * The transpose of the 8 x 8 bit matrix whose row {@code m} is byte {@code m} of {@code x}:
     * bit {@code k} of byte {@code m} becomes bit {@code m} of byte {@code k}.
     */
    static long bits(long x) {
        long t;
        t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
        x = x ^ t ^ (t << 7);
        t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
        x = x ^ t ^ (t << 14);
        t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
        return x ^ t ^ (t << 28);
    }
}
