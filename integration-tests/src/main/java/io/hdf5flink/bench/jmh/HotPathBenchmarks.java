package io.hdf5flink.bench.jmh;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.ParallelChunkEncoder;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.hdf5.filter.ShuffleFilter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Microbenchmarks of the hot paths of a conversion, on one (16384, 64) int16 chunk of the shared
 * recording's kind of data (sines + noise): byte shuffle, assembling a chunk from blocks of rows
 * and from single columns, filtering chunks on a pool of 1 or 2 threads, and one chunk appended
 * and committed when the index already holds 1 thousand or 1 million chunks. Deflate alone, per
 * level and implementation, is {@link DeflateBenchmarks}.
 *
 * <p>Run: {@code java -cp <integration-tests classpath> org.openjdk.jmh.Main HotPathBenchmarks}
 * (see integration-tests/bench/jmh).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class HotPathBenchmarks {
    static final int ROWS = 16384;
    static final int CHANNELS = 64;
    static final int CHUNK_BYTES = ROWS * CHANNELS * 2;

    private byte[] chunk;
    private ShuffleFilter shuffle;
    private byte[] rowsBlock;
    private byte[] column;

    /** One (16384, 64) int16 chunk like the shared recording's: sines + Gaussian noise (sigma 30). */
    static byte[] recordingChunk() {
        ByteBuffer b = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Random noise = new Random(0);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < CHANNELS; c++) b.putShort((short) (1000 * Math.sin(r * 0.01 + c) + noise.nextGaussian() * 30));
        }
        return b.array();
    }

    @Setup
    public void data() throws IOException {
        chunk = recordingChunk();
        shuffle = new ShuffleFilter(2);
        rowsBlock = chunk.clone();
        column = new byte[ROWS * 2];
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] shuffle() throws IOException {
        return shuffle.encode(chunk, chunk.length);
    }

    /** A chunk from one block of whole rows: one bulk copy. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] assembleFromRows() {
        byte[] out = new byte[CHUNK_BYTES];
        BoxCopy.copy(ByteBuffer.wrap(rowsBlock), new long[] {ROWS, CHANNELS}, new long[2], out,
                new long[] {ROWS, CHANNELS}, new long[2], new long[] {ROWS, CHANNELS}, 2);
        return out;
    }

    /** A chunk from 64 single-channel columns (one file per channel): 64 strided copies. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] assembleFromColumns() {
        byte[] out = new byte[CHUNK_BYTES];
        for (int c = 0; c < CHANNELS; c++) {
            BoxCopy.copy(ByteBuffer.wrap(column), new long[] {ROWS, 1}, new long[2], out,
                    new long[] {ROWS, CHANNELS}, new long[] {0, c}, new long[] {ROWS, 1}, 2);
        }
        return out;
    }

    /** Filtering (shuffle + deflate 4) of 16 chunks on a pool, handed on in order. */
    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"1", "2"})
        int threads;
        ExecutorService executor;
        FilterPipeline pipeline;

        @Setup
        public void start() throws IOException {
            executor = Executors.newFixedThreadPool(threads);
            pipeline = FilterPipeline.of(List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4)), 2, CHUNK_BYTES);
        }

        @TearDown
        public void stop() {
            executor.shutdown();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long compressionPool16Chunks(Pool pool) throws IOException {
        long[] bytes = {0};
        ParallelChunkEncoder<Integer> encoder = new ParallelChunkEncoder<>((k, raw) -> encode(pool.pipeline, raw),
                pool.executor, 2 * pool.threads + 2, (k, c) -> bytes[0] += c.length());
        for (int i = 0; i < 16; i++) encoder.submit(i, chunk);
        encoder.flush();
        return bytes[0];
    }

    private static EncodedChunk encode(FilterPipeline pipeline, byte[] raw) {
        try {
            return pipeline.encode(raw, raw.length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One 4-byte chunk written and committed into an index already holding {@code chunks} chunks. */
    @State(Scope.Benchmark)
    public static class Index {
        @Param({"1000", "1000000"})
        int chunks;
        Path dir;
        Hdf5File file;
        Hdf5Dataset dataset;
        long next;
        final EncodedChunk one = new EncodedChunk(new byte[4], 4, 0);

        @Setup(Level.Trial)
        public void fill() throws IOException {
            dir = Files.createTempDirectory("jmh-index");
            file = Hdf5File.create(dir.resolve("index.h5"));
            dataset = file.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED)
                    .chunks(1).build());
            for (next = 0; next < chunks; next++) {
                dataset.writeChunk(new long[] {next}, one);
                if (next % 100_000 == 99_999) file.commit();
            }
            dataset.resize(next);
            file.commit();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            file.abandon();
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void appendOneChunkAndCommit(Index index) {
        index.dataset.writeChunk(new long[] {index.next++}, index.one);
        index.file.commit();
    }
}
