package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;

/**
 * Copies an n-dimensional box of elements between two C-ordered arrays of bytes: a hyperslab
 * into a chunk, a chunk into a read buffer. Trailing axes that both arrays hold whole are merged,
 * so a block of whole rows moves with a single bulk copy.
 */
public final class BoxCopy {
    private BoxCopy() {}

    /**
     * @param src source bytes (a buffer read with absolute gets; its position is the array's start)
     * @param srcShape shape of the source array
     * @param srcOrigin first element of the box in the source
     * @param dst destination array
     * @param dstShape shape of the destination array
     * @param dstOrigin first element of the box in the destination
     * @param extent the box's shape
     * @param elementSize bytes per element
     */
    public static void copy(ByteBuffer src, long[] srcShape, long[] srcOrigin, byte[] dst, long[] dstShape, long[] dstOrigin,
            long[] extent, int elementSize) {
        copy(new Source(src), srcShape, srcOrigin, new Target(dst), dstShape, dstOrigin, extent, elementSize);
    }

    /** Copies from a chunk array into a buffer (used by reads). */
    public static void copy(byte[] src, long[] srcShape, long[] srcOrigin, ByteBuffer dst, long[] dstShape, long[] dstOrigin,
            long[] extent, int elementSize) {
        copy(new Source(ByteBuffer.wrap(src)), srcShape, srcOrigin, new Target(dst), dstShape, dstOrigin, extent,
                elementSize);
    }

    private static void copy(Source src, long[] srcShape, long[] srcOrigin, Target dst, long[] dstShape,
            long[] dstOrigin, long[] extent, int elementSize) {
        int rank = extent.length;
        for (long e : extent) if (e == 0) return;
        // Merge trailing axes held whole by box, source and destination into one contiguous run.
        int inner = rank - 1;
        long run = extent[inner] * elementSize;
        while (inner > 0 && extent[inner] == srcShape[inner] && extent[inner] == dstShape[inner]) {
            inner--;
            run *= extent[inner];
        }
        long[] srcStride = strides(srcShape, elementSize);
        long[] dstStride = strides(dstShape, elementSize);
        long srcBase = 0;
        long dstBase = 0;
        for (int d = 0; d < rank; d++) {
            srcBase += srcOrigin[d] * srcStride[d];
            dstBase += dstOrigin[d] * dstStride[d];
        }
        if (inner == 0) {
            transfer(src, srcBase, dst, dstBase, run);
            return;
        }
        // The last iterated axis runs in a tight loop with fixed strides: for a column (one
        // element per run) the per-run bookkeeping is what costs.
        int tight = inner - 1;
        long[] idx = new long[tight];
        while (true) {
            long s = srcBase;
            long t = dstBase;
            for (int d = 0; d < tight; d++) {
                s += idx[d] * srcStride[d];
                t += idx[d] * dstStride[d];
            }
            runs(src, s, srcStride[tight], dst, t, dstStride[tight], extent[tight], run);
            int d = tight - 1;
            while (d >= 0 && ++idx[d] == extent[d]) {
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    /** {@code count} runs of {@code length} bytes, {@code srcStep} and {@code dstStep} apart. */
    private static void runs(Source src, long from, long srcStep, Target dst, long to, long dstStep, long count,
            long length) {
        if (dst.array != null && src.buffer.hasArray()) {
            // Plain arrays on both sides: short runs (a column is one element per row) copy in a
            // loop, where a buffer call or arraycopy per run would cost more than the bytes.
            byte[] a = src.buffer.array();
            byte[] b = dst.array;
            int s = src.buffer.arrayOffset() + src.buffer.position() + Math.toIntExact(from);
            int t = Math.toIntExact(to);
            int n = Math.toIntExact(length);
            int ss = Math.toIntExact(srcStep);
            int ts = Math.toIntExact(dstStep);
            for (long k = 0; k < count; k++, s += ss, t += ts) {
                if (n <= 16) {
                    for (int i = 0; i < n; i++) b[t + i] = a[s + i];
                } else {
                    System.arraycopy(a, s, b, t, n);
                }
            }
            return;
        }
        for (long k = 0; k < count; k++) transfer(src, from + k * srcStep, dst, to + k * dstStep, length);
    }

    private static void transfer(Source src, long from, Target dst, long to, long length) {
        if (dst.array != null) {
            src.buffer.get(src.buffer.position() + Math.toIntExact(from), dst.array, Math.toIntExact(to), Math.toIntExact(length));
        } else {
            dst.buffer.put(dst.buffer.position() + Math.toIntExact(to), src.buffer, src.buffer.position() + Math.toIntExact(from),
                    Math.toIntExact(length));
        }
    }

    static long[] strides(long[] shape, int elementSize) {
        long[] s = new long[shape.length];
        long acc = elementSize;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    private record Source(ByteBuffer buffer) {}

    private static final class Target {
        final byte[] array;
        final ByteBuffer buffer;

        Target(byte[] array) { this.array = array; this.buffer = null; }

        Target(ByteBuffer buffer) { this.array = null; this.buffer = buffer; }
    }
}
