package io.hdf5flink.source.reader;

import io.hdf5flink.record.BlockArrays;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.split.ArraySplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

/**
 * Reads the reader's splits one after the other in the fetcher thread, one block per fetch. Blocks
 * are cut on a grid of {@code blockRows} output rows (whole chunk row-bands), so each is
 * chunk-aligned; a split starts from its checkpointed next row. A seekable input (memory-mapped,
 * or an HDF5 dataset) stays open from one split to the next of the same input.
 */
@Internal
final class ArraySplitReader implements SplitReader<PositionedBlock, ArraySplit> {
    private final long blockRows;
    private final boolean recycleBlockArrays;
    private final Queue<ArraySplit> splits = new ArrayDeque<>();
    private ArraySplit current;
    private RowSource rows;
    /** The input {@code rows} reads; a seekable one stays open for the next split of the same input. */
    private ArrayInput rowsInput;
    private long nextRow;

    ArraySplitReader(long blockRows, boolean recycleBlockArrays) {
        this.blockRows = blockRows;
        this.recycleBlockArrays = recycleBlockArrays;
    }

    @Override
    public RecordsWithSplitIds<PositionedBlock> fetch() throws IOException {
        RecordsBySplits.Builder<PositionedBlock> records = new RecordsBySplits.Builder<>();
        if (current == null) {
            ArraySplit next = splits.peek();
            if (next == null) return records.build();
            // A split restored with all its rows emitted needs no input, which may be costly to open.
            if (next.nextRow() < next.endRow()) openRows(next);
            current = splits.poll();
            nextRow = current.nextRow();
        }
        if (nextRow < current.endRow()) {
            long end = current.alignedEnd(nextRow, blockRows);
            int bytes = Math.toIntExact((end - nextRow) * current.rowBytes());
            byte[] data = recycleBlockArrays ? BlockArrays.lend(bytes) : new byte[bytes];
            rows.read(nextRow, data);
            records.add(current.splitId(), new PositionedBlock(current.block(nextRow, end - nextRow, data), end));
            nextRow = end;
        }
        if (nextRow >= current.endRow()) {
            records.addFinishedSplit(current.splitId());
            closeCurrent();
        }
        return records.build();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ArraySplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + change.getClass().getSimpleName());
        }
        splits.addAll(change.splits());
    }

    @Override
    public void wakeUp() {
        // fetch() never blocks waiting for data, so there is nothing to interrupt.
    }

    @Override
    public void close() throws IOException {
        current = null;
        closeRows();
    }

    /**
     * Opens the rows of the split's input, or keeps those open when the previous split read the
     * same seekable input: opening an HDF5 dataset parses the file and its whole chunk index.
     */
    private void openRows(ArraySplit split) throws IOException {
        if (rows != null && split.input().seekable() && split.input().equals(rowsInput)) return;
        closeRows();
        rows = RowSource.open(split.input(), split.rowBytes());
        rowsInput = split.input();
    }

    private void closeCurrent() throws IOException {
        boolean keep = current.input().seekable();
        current = null;
        if (!keep) closeRows();
    }

    private void closeRows() throws IOException {
        RowSource done = rows;
        rows = null;
        rowsInput = null;
        if (done != null) done.close();
    }
}
