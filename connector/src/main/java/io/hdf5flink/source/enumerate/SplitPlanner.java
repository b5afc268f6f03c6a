package io.hdf5flink.source.enumerate;

import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.split.ArraySplit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * Cuts input arrays into the splits a source starts with. Memory-mapped arrays and HDF5 datasets
 * (seekable inputs) are cut on a grid
 * of {@code splitRows} output rows (a whole number of blocks, each a whole number of chunk
 * row-bands), so every split, and every block read from it, is chunk-aligned in the output.
 * Compressed arrays make one split each: they can only be read from their start, and cutting one
 * would decode its beginning once per split.
 */
@Internal
public final class SplitPlanner {
    /** The most data one block holds: it is one Java array. */
    public static final long MAX_BLOCK_BYTES = Integer.MAX_VALUE - 8;
    /** The default bound on a block's size (the builder's {@code DEFAULT_BLOCK_BYTES}). */
    public static final long DEFAULT_BLOCK_BYTES = 8 << 20;

    private final String dataset;
    private final long splitRows;
    private final List<ArraySplit> splits = new ArrayList<>();

    public SplitPlanner(String dataset, long splitRows) {
        if (splitRows < 1) throw new IllegalArgumentException("splitRows " + splitRows);
        this.dataset = dataset;
        this.splitRows = splitRows;
    }

    /**
     * The rows per block: as many whole chunk row-bands as fit in {@code blockBytes}.
     *
     * @throws IllegalArgumentException when not even one band fits
     */
    public static long blockRows(long chunkRows, long blockBytes, long rowBytes) {
        long bandBytes = Math.multiplyExact(chunkRows, Math.max(rowBytes, 1));
        if (bandBytes > blockBytes) {
            throw new IllegalArgumentException("blockBytes " + blockBytes + " cannot hold one chunk row-band of "
                    + chunkRows + " rows of " + rowBytes + " bytes (" + bandBytes + " bytes): raise blockBytes or "
                    + "lower chunkRows");
        }
        return blockBytes / bandBytes * chunkRows;
    }

    /**
     * The rows per block when no bound is configured: as many whole chunk row-bands as fit in
     * {@link #DEFAULT_BLOCK_BYTES}, or one band when a band is larger.
     *
     * @throws IllegalArgumentException when one band is more than a block can hold (2 GiB)
     */
    public static long defaultBlockRows(long chunkRows, long rowBytes) {
        long bandBytes = Math.multiplyExact(chunkRows, Math.max(rowBytes, 1));
        if (bandBytes > MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("a chunk row-band of " + chunkRows + " rows of " + rowBytes + " bytes is "
                    + bandBytes + " bytes, more than the " + MAX_BLOCK_BYTES + " bytes one block can hold: use fewer rows"
                    + " per chunk");
        }
        return blockRows(chunkRows, Math.max(DEFAULT_BLOCK_BYTES, bandBytes), rowBytes);
    }

    /** The rows per split: as many whole blocks as fit in {@code splitBytes}, at least one. */
    public static long splitRows(long blockRows, long splitBytes, long rowBytes) {
        long blockBytes = Math.multiplyExact(blockRows, Math.max(rowBytes, 1));
        return Math.max(1, splitBytes / blockBytes) * blockRows;
    }

    /**
     * Adds the splits covering all {@code rows} rows of {@code input}, whose row 0 goes to output
     * {@code offset} with output row shape {@code rowShape}.
     */
    public SplitPlanner add(ArrayInput input, long rows, long[] offset, long[] rowShape) {
        ArraySplit whole = new ArraySplit(Integer.toString(splits.size()), input, dataset, offset, rowShape, 0, rows);
        if (!input.seekable()) {
            if (rows > 0) splits.add(whole);
            return this;
        }
        for (long row = 0; row < rows; ) {
            long end = whole.alignedEnd(row, splitRows);
            splits.add(new ArraySplit(Integer.toString(splits.size()), input, dataset, offset, rowShape, row, end));
            row = end;
        }
        return this;
    }

    public List<ArraySplit> splits() {
        return List.copyOf(splits);
    }
}
