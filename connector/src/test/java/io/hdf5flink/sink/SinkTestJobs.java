package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.partition.BlockSplitter;
import io.hdf5flink.sink.partition.ChunkRouting;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/** Building blocks of the sink's MiniCluster tests: environments, patterns, a failure injector. */
final class SinkTestJobs {
    private SinkTestJobs() {}

    /** An environment with checkpointing and a fixed-delay restart strategy. */
    static StreamExecutionEnvironment environment(int parallelism, long checkpointMillis) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointMillis);
        return env;
    }

    /** An environment whose jobs fail at the first exception (no restarts), without checkpointing. */
    static StreamExecutionEnvironment failFast(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /** The innermost cause of a failure (a failed job's exception carries the task's as its root). */
    static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root;
    }

    /** What h5py reads: "shape:values" of a dataset (C order, flattened), or "absent". */
    static String h5py(Path file, String dataset) {
        return ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py",
                "f = h5py.File(sys.argv[1], 'r')",
                "if sys.argv[2] not in f:",
                "    print('absent')",
                "else:",
                "    d = f[sys.argv[2]]",
                "    print(','.join(map(str, d.shape)) + ':' + ','.join(map(str, d[()].ravel().tolist())))"),
                file.toString(), dataset).trim();
    }

    /** {@link #h5py}'s form of rows [0, rows) of the test matrix with {@code columns} columns. */
    static String matrixString(long rows, int columns) {
        StringBuilder b = new StringBuilder(rows + "," + columns + ":");
        for (long r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) b.append(r == 0 && c == 0 ? "" : ",").append(value(r, c));
        }
        return b.toString();
    }

    /** The value of element (r, c) of the test matrix: unique, so a lost or doubled row shows. */
    static int value(long r, long c) {
        return (int) (r * 1009 + c * 7 + 3);
    }

    /** Rows [row, row + rows) of a (?, columns) int32 matrix, as a block at an explicit offset or appended. */
    static ArrayBlock rows(String dataset, long row, int rows, int columns, boolean append) {
        ByteBuffer b = ByteBuffer.allocate(rows * columns * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = row; r < row + rows; r++) for (int c = 0; c < columns; c++) b.putInt(value(r, c));
        long[] shape = {rows, columns};
        return append ? ArrayBlock.append(dataset, DataType.INT32, shape, b.array())
                : ArrayBlock.at(dataset, DataType.INT32, new long[] {row, 0}, shape, b.array());
    }

    /** Column {@code c} of rows [0, rows) of the test matrix, at offset (0, c). */
    /**
     * What the sink's pre-write topology hands each of {@code parallelism} writers for these blocks:
     * pieces cut on the chunk grid, routed by chunk (appends by dataset), in order.
     */
    static List<List<ArrayBlock>> route(Hdf5Sink sink, int parallelism, ArrayBlock... blocks) {
        List<List<ArrayBlock>> writers = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) writers.add(new ArrayList<>());
        ChunkRouting routing = new ChunkRouting(sink.config());
        BlockSplitter splitter = new BlockSplitter(sink.config());
        for (ArrayBlock block : blocks) {
            splitter.flatMap(block, new Collector<>() {
                @Override
                public void collect(ArrayBlock piece) {
                    writers.get(ChunkRouting.ToSubtask.subtask(routing.getKey(piece), parallelism)).add(piece);
                }

                @Override
                public void close() {}
            });
        }
        return writers;
    }

    static ArrayBlock column(String dataset, int c, int rows) {
        ByteBuffer b = ByteBuffer.allocate(rows * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r++) b.putInt(value(r, c));
        return ArrayBlock.at(dataset, DataType.INT32, new long[] {0, c}, new long[] {rows, 1}, b.array());
    }

    /**
     * Passes records on, slowly enough for checkpoints to happen, and throws once, at a random
     * record after the first completed checkpoint (the seed chooses which), to make Flink restore.
     */
    static final class FailOnceAfterCheckpoint<T> extends RichMapFunction<T, T> implements CheckpointListener {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final long seed;
        private final int sleepEvery;
        private int countdown = -1; // not transient: the -1 must survive shipping the function
        private int seen;

        FailOnceAfterCheckpoint(long seed, int sleepEvery) {
            this.seed = seed;
            this.sleepEvery = sleepEvery;
        }

        @Override
        public T map(T value) throws Exception {
            if (++seen % sleepEvery == 0) Thread.sleep(1);
            if (countdown > 0 && --countdown == 0 && FAILURES.compareAndSet(0, 1)) {
                throw new RuntimeException("injected failure (seed " + seed + ")");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (countdown < 0 && FAILURES.get() == 0) countdown = 1 + new Random(seed).nextInt(200);
        }
    }
}
