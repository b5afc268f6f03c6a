package io.hdf5flink.cli;

import io.hdf5flink.record.ArrayBlock;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.util.Collector;

/**
 * Between the source and the sink: counts the bytes handed to the writers (for {@link Progress};
 * the count is checkpointed, so a resumed run continues from the restored count), and for
 * {@code --append} moves every block down by the rows the dataset already holds.
 *
 * <p>The sources emit blocks at explicit offsets starting at row 0. Appending after {@code base}
 * existing rows shifts them to {@code base}. When {@code base} is not a multiple of the chunk rows,
 * the sink completes the dataset's partly filled last chunk from what the file holds.
 */
final class PrepareBlocks extends RichFlatMapFunction<ArrayBlock, ArrayBlock> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long baseRows;
    private transient ListState<Long> countState;
    private transient long counted;

    /** Counting only. */
    PrepareBlocks() {
        this(0);
    }

    /** @param baseRows rows the dataset held before this run (0: no shift) */
    PrepareBlocks(long baseRows) {
        this.baseRows = baseRows;
    }

    @Override
    public void flatMap(ArrayBlock block, Collector<ArrayBlock> out) {
        counted += block.data().length;
        Progress.BYTES.addAndGet(block.data().length);
        Progress.ROWS.addAndGet(block.shape()[0]);
        long[] offset = block.offset();
        if (baseRows == 0 || offset == null) {
            out.collect(block);
            return;
        }
        long[] shifted = offset.clone();
        shifted[0] = Math.addExact(shifted[0], baseRows);
        out.collect(new ArrayBlock(block.file(), block.dataset(), block.type(), block.shape(), shifted, block.data()));
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        countState.update(java.util.List.of(counted));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        countState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("bytes-counted", Types.LONG));
        counted = 0;
        if (context.isRestored()) {
            for (Long c : countState.get()) counted += c;
            Progress.BYTES.addAndGet(counted);
            Progress.RESTORED.addAndGet(counted);
        }
    }

    @Override
    public String toString() {
        return "PrepareBlocks{base " + baseRows + "}";
    }
}
