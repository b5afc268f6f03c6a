package io.hdf5flink.source.reader;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.split.ArraySplit;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The source reader: reads its splits in a fetcher thread ({@link ArraySplitReader}), emits their
 * blocks, and asks the enumerator for another split whenever one is done. Its checkpoint is its
 * unfinished splits, each with the next row to emit.
 */
@Internal
public final class ArraySourceReader
        extends SingleThreadMultiplexSourceReaderBase<PositionedBlock, ArrayBlock, ArraySplit, ArraySplitState> {

    /**
     * @param blockRows the rows per block, a whole number of chunk row-bands
     * @param recycleBlockArrays whether block arrays are lent from {@link io.hdf5flink.record.BlockArrays}
     */
    public ArraySourceReader(SourceReaderContext context, long blockRows, boolean recycleBlockArrays) {
        super(() -> new ArraySplitReader(blockRows, recycleBlockArrays), new BlockEmitter(), context.getConfiguration(), context);
    }

    @Override
    public void start() {
        // A reader restored with splits asks once they are done.
        if (getNumberOfCurrentlyAssignedSplits() == 0) context.sendSplitRequest();
    }

    @Override
    protected void onSplitFinished(Map<String, ArraySplitState> finished) {
        context.sendSplitRequest();
    }

    @Override
    protected ArraySplitState initializedState(ArraySplit split) {
        return new ArraySplitState(split);
    }

    @Override
    protected ArraySplit toSplitType(String splitId, ArraySplitState state) {
        return state.toSplit();
    }
}
