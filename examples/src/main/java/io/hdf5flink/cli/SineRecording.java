package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.util.Collector;

/**
 * The demo's acquisition: a multichannel recording of unknown length, like the tutorial's
 * {@code iter_sin} generator. Each tick of a clock yields one block of {@code rate / 10} rows of
 * int16 samples (a sine per channel, in microvolts, plus noise); after each block the generator
 * stops with probability {@code stopChance}, so nobody knows the length in advance. Deterministic
 * for a seed; the "stopped" flag is checkpointed, so a restored job ends at the same block.
 */
final class SineRecording implements FlatMapFunction<Long, ArrayBlock>, CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final String dataset;
    private final int channels;
    private final double rate;
    private final long seed;
    private final double stopChance;
    private transient boolean stopped;
    private transient ListState<Boolean> stoppedState;

    SineRecording(String dataset, int channels, double rate, long seed, double stopChance) {
        this.dataset = dataset;
        this.channels = channels;
        this.rate = rate;
        this.seed = seed;
        this.stopChance = stopChance;
    }

    /** Rows per block: a tenth of a second. */
    int blockRows() {
        return (int) Math.max(1, Math.round(rate / 10));
    }

    @Override
    public void flatMap(Long tick, Collector<ArrayBlock> out) {
        if (stopped) return;
        int rows = blockRows();
        // Seeds a multiple of SplittableRandom's increment apart give one stream shifted (each
        // block's noise and stop draw would be the last block's, one draw on): scramble first.
        SplittableRandom random = new SplittableRandom(new SplittableRandom(seed * 0xC2B2AE3D27D4EB4FL + tick).nextLong());
        boolean last = random.nextDouble() < stopChance;
        ByteBuffer b = ByteBuffer.allocate(rows * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        long first = tick * rows;
        for (int r = 0; r < rows; r++) {
            double t = (first + r) / rate;
            for (int c = 0; c < channels; c++) {
                double signal = 1000 * Math.sin(2 * Math.PI * (5 + 3 * c) * t + c);
                double noise = 30 * gaussian(random);
                b.putShort((short) Math.round(signal + noise));
            }
        }
        out.collect(ArrayBlock.append(dataset, DataType.INT16, new long[] {rows, channels}, b.array()));
        if (last) stopped = true;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        stoppedState.update(List.of(stopped));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        stoppedState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("stopped", Types.BOOLEAN));
        stopped = false;
        for (Boolean s : stoppedState.get()) stopped |= s;
    }
}
