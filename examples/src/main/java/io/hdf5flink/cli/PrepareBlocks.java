package io.hdf5flink.cli;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.record.ArrayBlock;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * the first new chunk also holds the last {@code base % chunkRows} existing rows: the sink writes a
 * chunk whole, so those rows ({@code tail}, read from the file before the job) are emitted again
 * with the input's first rows, restricted to each first block's columns, and that chunk is
 * assembled from both. The blocks at input row 0 are emitted exactly once per run (the source's
 * checkpoints replay them only if no checkpoint passed them), so the tail goes with them.
 */
final class PrepareBlocks extends RichFlatMapFunction<ArrayBlock, ArrayBlock> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long baseRows;
    private final byte[] tail;
    private final long[] tailShape;
    private transient ListState<Long> countState;
    private transient long counted;

    /** Counting only. */
    PrepareBlocks() {
        this(0, null, null);
    }

    /**
     * @param baseRows rows the dataset held before this run (0: no shift)
     * @param tail the existing rows {@code [base - t, base)} of the last partial chunk (C order,
     *     little-endian), or null when {@code base} is chunk-aligned
     * @param tailShape the shape of {@code tail}: {@code (t, trailing...)}
     */
    PrepareBlocks(long baseRows, byte[] tail, long[] tailShape) {
        this.baseRows = baseRows;
        this.tail = tail;
        this.tailShape = tailShape;
    }

    @Override
    public void flatMap(ArrayBlock block, Collector<ArrayBlock> out) {
        counted += block.data().length;
        Progress.BYTES.addAndGet(block.data().length);
        long[] offset = block.offset();
        if (baseRows == 0 || offset == null) {
            out.collect(block);
            return;
        }
        if (tail != null && offset[0] == 0) out.collect(tailPiece(block));
        long[] shifted = offset.clone();
        shifted[0] = Math.addExact(shifted[0], baseRows);
        out.collect(new ArrayBlock(block.file(), block.dataset(), block.type(), block.shape(), shifted, block.data()));
    }

    /** The existing tail rows under the block's trailing box, placed just before the new rows. */
    private ArrayBlock tailPiece(ArrayBlock block) {
        long[] offset = block.offset();
        long[] shape = block.shape();
        long[] pieceShape = shape.clone();
        pieceShape[0] = tailShape[0];
        long[] origin = offset.clone();
        origin[0] = 0;
        long count = block.type().size();
        for (long e : pieceShape) count *= e;
        ByteBuffer piece = ByteBuffer.allocate((int) count);
        BoxCopy.copy(tail, tailShape, origin, piece, pieceShape, new long[shape.length], pieceShape, block.type().size());
        long[] at = offset.clone();
        at[0] = baseRows - tailShape[0];
        return new ArrayBlock(block.file(), block.dataset(), block.type(), pieceShape, at, piece.array());
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
        return "PrepareBlocks{base " + baseRows + (tail == null ? "" : ", tail " + Arrays.toString(tailShape)) + "}";
    }
}
