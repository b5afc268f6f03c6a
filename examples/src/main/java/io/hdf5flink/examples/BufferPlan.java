package io.hdf5flink.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plan of HDMF's {@code GenericDataChunkIterator}, in this project's terms: an array of shape
 * {@code maxShape} is read and written one buffer at a time; every buffer covers whole chunks (its
 * shape is a multiple of the chunk shape on every axis, cut only by the array's edge), so each
 * chunk is written once, whole; and a buffer holds at most {@code budgetBytes}.
 *
 * <p>The default buffer grows from one chunk by whole chunks, the last axis first (in C order the
 * last axis is contiguous on disk, so a memory-mapped input is read in long runs): the last axis
 * takes as many chunks as fit, up to the whole axis; only when an axis is whole does the next
 * one grow. Buffers are visited in C order, axis 0 slowest.
 */
public record BufferPlan(long[] maxShape, long[] chunkShape, long[] bufferShape) {

    public BufferPlan {
        maxShape = maxShape.clone();
        chunkShape = chunkShape.clone();
        bufferShape = bufferShape.clone();
        int rank = maxShape.length;
        if (chunkShape.length != rank || bufferShape.length != rank) {
            throw new IllegalArgumentException("shape " + Arrays.toString(maxShape) + ", chunk shape " + Arrays.toString(chunkShape)
                    + " and buffer shape " + Arrays.toString(bufferShape) + " must have the same rank");
        }
        for (int d = 0; d < rank; d++) {
            if (chunkShape[d] < 1 || bufferShape[d] < 1) throw new IllegalArgumentException("extents must be positive");
            if (bufferShape[d] % chunkShape[d] != 0 && bufferShape[d] != maxShape[d]) {
                throw new IllegalArgumentException("buffer shape " + Arrays.toString(bufferShape) + " does not tile chunk shape "
                        + Arrays.toString(chunkShape) + " on axis " + d + ": " + bufferShape[d] + " is not a multiple of "
                        + chunkShape[d] + " (nor the whole axis, " + maxShape[d] + ")");
            }
        }
    }

    /** The default plan for a chunk shape: the largest buffer of whole chunks within {@code budgetBytes}. */
    public static BufferPlan withBudget(long[] maxShape, long[] chunkShape, int itemSize, long budgetBytes) {
        int rank = maxShape.length;
        long[] buffer = new long[rank];
        for (int d = 0; d < rank; d++) buffer[d] = Math.min(chunkShape[d], maxShape[d]);
        if (bytes(buffer, itemSize) > budgetBytes) {
            throw new IllegalArgumentException("one chunk " + Arrays.toString(chunkShape) + " is larger than the buffer budget of "
                    + budgetBytes + " bytes");
        }
        for (int d = rank - 1; d >= 0; d--) {
            long chunksOnAxis = ceilDiv(maxShape[d], chunkShape[d]);
            long others = bytes(buffer, itemSize) / buffer[d];
            long fit = budgetBytes / (others * chunkShape[d]);
            long k = Math.max(1, Math.min(chunksOnAxis, fit));
            buffer[d] = Math.min(k * chunkShape[d], maxShape[d]);
            if (k < chunksOnAxis) break;
        }
        return new BufferPlan(maxShape, chunkShape, buffer);
    }

    /** The buffers' selections, each as {start, stop} per axis, axis 0 slowest. */
    public List<long[][]> selections() {
        int rank = maxShape.length;
        List<long[][]> out = new ArrayList<>();
        long[] start = new long[rank];
        while (true) {
            long[][] sel = new long[rank][];
            for (int d = 0; d < rank; d++) sel[d] = new long[] {start[d], Math.min(start[d] + bufferShape[d], maxShape[d])};
            out.add(sel);
            int d = rank - 1;
            while (d >= 0) {
                start[d] += bufferShape[d];
                if (start[d] < maxShape[d]) break;
                start[d] = 0;
                d--;
            }
            if (d < 0) return out;
        }
    }

    /** Bytes of one full buffer. */
    public long bufferBytes(int itemSize) {
        return bytes(bufferShape, itemSize);
    }

    /** A selection as Python prints it: {@code (slice(0, 12640, None), slice(0, 3160, None))}. */
    public static String python(long[][] selection) {
        List<String> parts = new ArrayList<>();
        for (long[] s : selection) parts.add("slice(" + s[0] + ", " + s[1] + ", None)");
        return "(" + String.join(", ", parts) + ")";
    }

    private static long bytes(long[] shape, int itemSize) {
        long n = itemSize;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
