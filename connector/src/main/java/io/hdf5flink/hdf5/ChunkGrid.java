package io.hdf5flink.hdf5;

/**
 * The chunk grid of a dataset: which chunks a box of elements touches, and where it overlaps
 * each. Used by the engine's hyperslab reads and writes and by clients that assemble chunks
 * themselves (the Flink sink's writers).
 */
public final class ChunkGrid {
    private ChunkGrid() {}

    /** Receives one chunk a box touches: its origin, and where and how large the overlap is. */
    public interface Overlap {
        void visit(long[] chunkOrigin, long[] overlapOrigin, long[] overlapExtent);
    }

    /**
     * Visits every chunk the box at {@code offset} of shape {@code extent} touches, in C order.
     * Each call gets fresh arrays, which the visitor may keep.
     */
    public static void forEachOverlap(long[] offset, long[] extent, long[] chunkDims, Overlap visitor) {
        int rank = chunkDims.length;
        long[] first = new long[rank];
        long[] last = new long[rank];
        for (int d = 0; d < rank; d++) {
            if (extent[d] == 0) return;
            first[d] = offset[d] / chunkDims[d];
            last[d] = (offset[d] + extent[d] - 1) / chunkDims[d];
        }
        long[] c = first.clone();
        while (true) {
            long[] chunkOrigin = new long[rank];
            long[] lo = new long[rank];
            long[] box = new long[rank];
            for (int d = 0; d < rank; d++) {
                chunkOrigin[d] = c[d] * chunkDims[d];
                lo[d] = Math.max(offset[d], chunkOrigin[d]);
                box[d] = Math.min(offset[d] + extent[d], chunkOrigin[d] + chunkDims[d]) - lo[d];
            }
            visitor.visit(chunkOrigin, lo, box);
            int d = rank - 1;
            while (d >= 0 && c[d] == last[d]) {
                c[d] = first[d];
                d--;
            }
            if (d < 0) return;
            c[d]++;
        }
    }
}
