package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BoxCopyTest {
    /** Reference: element-by-element copy. */
    private static byte[] naive(byte[] src, long[] srcShape, long[] so, long[] dstShape, long[] d0, long[] ext, byte[] dst) {
        int rank = ext.length;
        long[] idx = new long[rank];
        long total = 1;
        for (long e : ext) total *= e;
        for (long n = 0; n < total; n++) {
            long rem = n;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d] = rem % ext[d];
                rem /= ext[d];
            }
            long s = 0;
            long t = 0;
            for (int d = 0; d < rank; d++) {
                s = s * srcShape[d] + so[d] + idx[d];
                t = t * dstShape[d] + d0[d] + idx[d];
            }
            dst[(int) t] = src[(int) s];
        }
        return dst;
    }

    @Test
    void copiesBoxesBetweenArraysOfDifferentShapes() {
        long[][] cases = {
            {4, 5, 6}, {1, 0, 2}, {3, 4, 4}, {0, 0, 1}, {3, 4, 5},
        };
        byte[] src = new byte[4 * 5 * 6];
        for (int i = 0; i < src.length; i++) src[i] = (byte) i;
        long[] srcShape = cases[0];
        long[] so = cases[1];
        long[] ext = cases[2];
        long[] dstShape = cases[4];
        long[] d0 = cases[3];
        byte[] expected = naive(src, srcShape, so, dstShape, d0, ext, new byte[60]);
        byte[] got = new byte[60];
        BoxCopy.copy(ByteBuffer.wrap(src), srcShape, so, got, dstShape, d0, ext, 1);
        assertArrayEquals(expected, got);
    }

    @Test
    void wholeRowsAndMultiByteElements() {
        byte[] src = new byte[10 * 3 * 2];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 7);
        long[] shape = {10, 3};
        byte[] got = new byte[4 * 3 * 2];
        BoxCopy.copy(ByteBuffer.wrap(src), shape, new long[] {6, 0}, got, new long[] {4, 3}, new long[] {0, 0},
                new long[] {4, 3}, 2);
        byte[] expected = new byte[24];
        System.arraycopy(src, 6 * 3 * 2, expected, 0, 24);
        assertArrayEquals(expected, got);

        ByteBuffer out = ByteBuffer.allocate(2 * 2 * 2);
        BoxCopy.copy(src, shape, new long[] {1, 1}, out, new long[] {2, 2}, new long[] {0, 0}, new long[] {2, 2}, 2);
        byte[] e2 = naive(src, new long[] {10, 6}, new long[] {1, 2}, new long[] {2, 4}, new long[] {0, 0},
                new long[] {2, 4}, new byte[8]);
        assertArrayEquals(e2, out.array());
    }
}
