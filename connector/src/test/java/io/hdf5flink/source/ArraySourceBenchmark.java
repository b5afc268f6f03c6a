package io.hdf5flink.source;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.split.ArraySplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How fast {@link ArraySource} reads the shared 1 GiB benchmark recording (int16, 8,000,000 x 64)
 * into a sink that discards blocks, on a local MiniCluster at parallelism 1 and 2. Prints, never
 * asserts: timings on shared machines are noise. Run with
 * {@code mvn -pl connector test -Dtest=ArraySourceBenchmark -Dhdf5flink.bench=true}, or main().
 */
class ArraySourceBenchmark {
    static final Path INPUT = Path.of("/tmp/hdf5flink-bench/in.npy");

    static final AtomicLong FIRST_NANOS = new AtomicLong(Long.MAX_VALUE);
    static final AtomicLong LAST_NANOS = new AtomicLong();
    static final AtomicLong BYTES = new AtomicLong();

    @Test
    @EnabledIfSystemProperty(named = "hdf5flink.bench", matches = "true")
    void measure() throws Exception {
        main();
    }

    public static void main(String... args) throws Exception {
        ensureInput();
        ArraySource source = ArraySource.npy(INPUT).dataset("/data").chunkRows(16384).blockBytes(8 << 20).build();
        long rows = source.getShape()[0];
        System.out.printf("input %s: %s %s, %d splits, %d rows per block%n", INPUT, source.getDataType(),
                java.util.Arrays.toString(source.getShape()), source.getSplits().size(), source.getBlockRows());
        readWithoutFlink(source);
        for (int parallelism : new int[] {1, 2, 1, 2}) {
            FIRST_NANOS.set(Long.MAX_VALUE);
            LAST_NANOS.set(0);
            BYTES.set(0);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "in.npy").sinkTo(new Discarding());
            JobExecutionResult result = env.execute("read in.npy at parallelism " + parallelism);
            double streamingSeconds = (LAST_NANOS.get() - FIRST_NANOS.get()) / 1e9;
            double jobSeconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1e3;
            System.out.printf("parallelism %d: %.0f rows/s, %.0f MB/s from first to last block (%.2f s); "
                            + "%.0f MB/s over the whole job with deployment (%.2f s)%n", parallelism,
                    rows / streamingSeconds, BYTES.get() / 1e6 / streamingSeconds, streamingSeconds,
                    BYTES.get() / 1e6 / jobSeconds, jobSeconds);
        }
    }

    /** The reader alone, split after split in this thread: the ceiling without Flink around it. */
    private static void readWithoutFlink(ArraySource source) {
        long start = System.nanoTime();
        long bytes = 0;
        for (ArraySplit split : source.getSplits()) {
            for (ArrayBlock block : SourceTesting.read(source, split)) bytes += block.data().length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("split reader alone: %.0f MB/s (%.2f s)%n", bytes / 1e6 / seconds, seconds);
    }

    private static void ensureInput() throws Exception {
        if (Files.exists(INPUT)) return;
        Files.createDirectories(INPUT.getParent());
        Process p = new ProcessBuilder(NumpyFixtures.PYTHON, "/work/shared/bench/make_npy.py", INPUT.toString(), "1024")
                .inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("make_npy.py failed");
    }

    /** Counts bytes and notes when the first and last block arrived. */
    static final class Discarding implements Sink<ArrayBlock> {
        @Override
        public SinkWriter<ArrayBlock> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(ArrayBlock block, Context context) {
                    long now = System.nanoTime();
                    FIRST_NANOS.accumulateAndGet(now, Math::min);
                    LAST_NANOS.accumulateAndGet(now, Math::max);
                    BYTES.addAndGet(block.data().length);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
