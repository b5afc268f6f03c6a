package io.hdf5flink.hdf5;

import java.util.Arrays;

/**
 * The checks that a caller's coordinates fit a dataset: boxes inside the current shape, chunk
 * offsets on the chunk grid inside the maximum shape, and new shapes that only grow up to the
 * maximum. Each refusal names the dataset, the coordinates and the axis.
 */
record DatasetBounds(long[] dims, long[] maxDims, long[] chunkDims, ErrorContext where) {

    /** Refuses a chunk offset off the chunk grid or outside the maximum shape. */
    void checkChunkOffset(long[] chunkOffset) {
        if (chunkOffset.length != dims.length) {
            throw where.error("chunk offset " + Arrays.toString(chunkOffset) + " has rank " + chunkOffset.length
                    + ", the dataset has rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (chunkOffset[d] < 0 || chunkOffset[d] % chunkDims[d] != 0) {
                throw where.error("chunk offset " + Arrays.toString(chunkOffset) + " is not on the chunk grid "
                        + Arrays.toString(chunkDims) + " (axis " + d + ")");
            }
            if (maxDims[d] != DatasetSpec.UNLIMITED && chunkOffset[d] >= maxDims[d]) {
                throw where.error("chunk offset " + Arrays.toString(chunkOffset) + " lies outside the maximum shape "
                        + Arrays.toString(maxDims) + " (axis " + d + ")");
            }
        }
    }

    /**
     * Refuses a box that does not lie inside the current shape.
     *
     * @param what how the message names the current shape
     */
    void checkBox(long[] offset, long[] extent, String what) {
        if (offset.length != dims.length || extent.length != dims.length) {
            throw where.error("offset " + Arrays.toString(offset) + " and shape " + Arrays.toString(extent)
                    + " must both have the dataset's rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (offset[d] < 0 || extent[d] < 0 || offset[d] + extent[d] > dims[d] || offset[d] + extent[d] < 0) {
                throw where.error("block at offset " + Arrays.toString(offset) + " of shape " + Arrays.toString(extent)
                        + " exceeds the " + what + " on axis " + d);
            }
        }
    }

    /** Refuses a new shape of another rank, one that shrinks an axis, or one beyond the maximum. */
    void checkResize(long[] newShape) {
        if (newShape.length != dims.length) {
            throw where.error("new shape " + Arrays.toString(newShape) + " has rank " + newShape.length
                    + ", the dataset has rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (newShape[d] < dims[d]) {
                throw where.error("shrinking axis " + d + " from " + dims[d] + " to " + newShape[d] + " is not supported");
            }
            if (maxDims[d] != DatasetSpec.UNLIMITED && newShape[d] > maxDims[d]) {
                throw where.error("axis " + d + " cannot grow to " + newShape[d] + ", its maximum is " + maxDims[d]);
            }
        }
    }
}
