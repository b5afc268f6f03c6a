package io.hdf5flink.source.split;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.input.ArrayInput;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A range of rows {@code [nextRow, endRow)} of one input array and where they go in the output
 * dataset. The enumerator hands splits out; the reader turns one into blocks and, at every
 * checkpoint, reports it back with {@code nextRow} advanced past the rows already emitted, so a
 * restored reader continues from there without re-skipping anything it can seek over. Splits are
 * checkpointed with {@link ArraySplitSerializer}; they are Java-serializable only because the
 * source that carries the initial ones is.
 *
 * <p>Input row {@code r} lands at output offset {@code offset + {r, 0, ...}} with shape
 * {@code {rows} ++ rowShape}; the output row shape may differ from the input's only by a unit axis
 * (a 1-D column file placed as one column of a 2-D dataset has row shape {@code {1}}).
 */
@Internal
public final class ArraySplit implements SourceSplit, Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final ArrayInput input;
    private final String dataset;
    private final long[] offset;
    private final long[] rowShape;
    private final long nextRow;
    private final long endRow;

    /**
     * @param offset the output position of the input's row 0 (output rank)
     * @param rowShape the output shape of one row (output rank - 1)
     */
    public ArraySplit(String id, ArrayInput input, String dataset, long[] offset, long[] rowShape, long nextRow,
            long endRow) {
        this.id = Objects.requireNonNull(id, "id");
        this.input = Objects.requireNonNull(input, "input");
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.offset = offset.clone();
        this.rowShape = rowShape.clone();
        this.nextRow = nextRow;
        this.endRow = endRow;
        if (offset.length != rowShape.length + 1) {
            throw new IllegalArgumentException("offset " + Arrays.toString(offset) + " and row shape "
                    + Arrays.toString(rowShape) + " disagree on the rank");
        }
        if (nextRow < 0 || nextRow > endRow) {
            throw new IllegalArgumentException("bad row range [" + nextRow + ", " + endRow + ")");
        }
    }

    @Override
    public String splitId() {
        return id;
    }

    public ArrayInput input() {
        return input;
    }

    public String dataset() {
        return dataset;
    }

    public long[] offset() {
        return offset.clone();
    }

    public long[] rowShape() {
        return rowShape.clone();
    }

    /** The first input row not yet emitted. */
    public long nextRow() {
        return nextRow;
    }

    /** The input row after the split's last. */
    public long endRow() {
        return endRow;
    }

    /** Bytes of one row, as stored and as emitted. */
    public long rowBytes() {
        long elements = input.type().size();
        for (long extent : rowShape) elements = Math.multiplyExact(elements, extent);
        return elements;
    }

    /**
     * Where a piece starting at input row {@code row} ends when pieces are cut on a grid of
     * {@code step} output rows: at the next output row that is a multiple of {@code step}, or at
     * the split's end. Cutting splits and blocks on a grid of whole chunk row-bands keeps every
     * piece chunk-aligned in the output, whatever the output row of the input's row 0.
     */
    public long alignedEnd(long row, long step) {
        long outputRow = offset[0] + row;
        return Math.min(endRow, (outputRow / step + 1) * step - offset[0]);
    }

    /**
     * Whether the rows left of this split start on a chunk boundary of the output and end on one
     * (or at the output's end), on every axis: then no chunk takes data from another split.
     */
    public boolean isChunkAligned(long[] chunk, long[] outputShape) {
        long start = offset[0] + nextRow;
        long end = offset[0] + endRow;
        if (start % chunk[0] != 0 || (end % chunk[0] != 0 && end != outputShape[0])) return false;
        for (int d = 1; d < chunk.length; d++) {
            long lo = offset[d];
            long hi = offset[d] + rowShape[d - 1];
            if (lo % chunk[d] != 0 || (hi % chunk[d] != 0 && hi != outputShape[d])) return false;
        }
        return true;
    }

    /** This split with the rows before {@code row} done. */
    public ArraySplit withNextRow(long row) {
        return new ArraySplit(id, input, dataset, offset, rowShape, row, endRow);
    }

    /** The block of {@code rows} input rows from {@code firstRow}, whose little-endian bytes are {@code data}. */
    public ArrayBlock block(long firstRow, long rows, byte[] data) {
        long[] shape = new long[offset.length];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        long[] at = offset.clone();
        at[0] += firstRow;
        return ArrayBlock.at(dataset, input.type(), at, shape, data).validate();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArraySplit s && id.equals(s.id) && input.equals(s.input) && dataset.equals(s.dataset)
                && Arrays.equals(offset, s.offset) && Arrays.equals(rowShape, s.rowShape) && nextRow == s.nextRow
                && endRow == s.endRow;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, input, nextRow, endRow);
    }

    @Override
    public String toString() {
        return "ArraySplit " + id + " rows [" + nextRow + ", " + endRow + ") of " + input + " -> " + dataset + " at "
                + Arrays.toString(offset);
    }
}
