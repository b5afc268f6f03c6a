package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Tutorial "Write Data from Generators and Streams": a generator yields rows of
 * {@code chunk_length} random samples of {@code sin([0, 2pi])} until a random draw says stop (at
 * most {@code max_chunks}), so nobody knows the length in advance. The sink is told nothing about
 * the dataset: it infers dtype float64 and maxshape {@code (None, 10)} from the first block, and
 * a chunk shape by its rule, as {@code DataChunkIterator} recommends them from the first chunk.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.StreamingGeneratorExample [OUT.h5 [SEED]]</pre>
 */
public final class StreamingGeneratorExample {
    static final String DATASET = "/acquisition/synthetic_timeseries/data";

    private StreamingGeneratorExample() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "basic_iterwrite_example.h5");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
        run(out, seed, 10, 100, System.out);
    }

    /** Streams the generator into {@code out}; returns the rows written. */
    public static long run(Path out, long seed, int chunkLength, int maxChunks, PrintStream print) throws Exception {
        Path file = out.toAbsolutePath();
        Files.deleteIfExists(file);
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(1, checkpoints);
            // A clock of at most max_chunks ticks drives the generator; it decides when the stream ends.
            env.fromSequence(0, maxChunks - 1)
                    .flatMap(new IterSin(chunkLength, seed)).returns(ArrayBlockTypeInfo.INSTANCE)
                    .sinkTo(Hdf5Sink.builder(file.getParent()).defaultFile(file.getFileName().toString())
                            .defaultCompression(ChunkFilters.gzip(4)).build());
            env.execute("iter_sin into HDF5");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            Hdf5Dataset d = f.dataset(DATASET);
            print.printf("maxshape=%s, chunks=%s, dtype=%s%n", ExampleSupport.tuple(d.maxShape()),
                    ExampleSupport.tuple(d.chunkShape()), d.dataType().name().toLowerCase());
            print.printf("The generator stopped after %d rows: shape=%s, written to %s:%s%n", d.shape()[0],
                    ExampleSupport.tuple(d.shape()), file, DATASET);
            return d.shape()[0];
        }
    }

    /**
     * The tutorial's {@code iter_sin}: while {@code x < 0.5} (x drawn after each row) and fewer
     * than max_chunks rows, yield {@code chunk_length} values of {@code sin(random() * 2 pi)} as one
     * appended row. Deterministic per tick for a seed; "stopped" is checkpointed.
     */
    static final class IterSin implements FlatMapFunction<Long, ArrayBlock>, CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private final int chunkLength;
        private final long seed;
        private transient boolean stopped;
        private transient ListState<Boolean> state;

        IterSin(int chunkLength, long seed) {
            this.chunkLength = chunkLength;
            this.seed = seed;
        }

        @Override
        public void flatMap(Long tick, Collector<ArrayBlock> out) {
            if (stopped) return;
            // Seeds a multiple of SplittableRandom's increment apart give the same stream shifted,
            // so each tick's seed is first scrambled by a nextLong (a bijective mix of its seed).
            SplittableRandom random = new SplittableRandom(new SplittableRandom(seed * 0xC2B2AE3D27D4EB4FL + tick).nextLong());
            double[] val = new double[chunkLength];
            for (int i = 0; i < chunkLength; i++) val[i] = Math.sin(random.nextDouble() * 2 * Math.PI);
            out.collect(ArrayBlock.appendSample(DATASET, val));
            double x = random.nextDouble();
            if (x >= 0.5) stopped = true;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            state.update(List.of(stopped));
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            state = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("stopped", Types.BOOLEAN));
            stopped = false;
            for (Boolean s : state.get()) stopped |= s;
        }
    }
}
