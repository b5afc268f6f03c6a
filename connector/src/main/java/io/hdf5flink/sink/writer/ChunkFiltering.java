package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.ParallelChunkEncoder;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Filters every complete chunk exactly once on a bounded pool of threads and hands the filtered
 * chunks on in submission order, on the writer thread. Chunks being filtered are bounded by twice
 * the number of filtering threads.
 */
final class ChunkFiltering implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Function<DatasetAssembler, FilterPipeline> pipelines;
    private final ExecutorService pool;
    private final ParallelChunkEncoder<DatasetAssembler.Complete> encoder;
    private final FilteredChunkArrays outputs = new FilteredChunkArrays();

    /**
     * @param threads the configured number of filtering threads, or 0 for the machine's cores
     *     shared among the sink's {@code parallelism} writers
     */
    ChunkFiltering(int threads, int parallelism, Function<DatasetAssembler, FilterPipeline> pipelines,
            ParallelChunkEncoder.ChunkConsumer<DatasetAssembler.Complete> filtered) {
        int n = threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, parallelism));
        this.pipelines = pipelines;
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "hdf5-sink-filter-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.encoder = new ParallelChunkEncoder<>(this::encode, pool, 2 * n, filtered);
    }

    /** Runs on the filtering pool. */
    private EncodedChunk encode(DatasetAssembler.Complete c, byte[] raw) {
        try {
            return outputs.encode(pipelines.apply(c.dataset()), raw);
        } catch (IOException e) {
            throw new UncheckedIOException(c.dataset().where() + ": filtering the chunk at " + Arrays.toString(c.origin())
                    + " failed", e);
        }
    }

    /** Queues a complete chunk; blocks, handing filtered chunks on, while the window is full. */
    void submit(DatasetAssembler.Complete c) throws IOException {
        encoder.submit(c, c.raw());
    }

    /** {@code chunk}, handed on before, is written: its array may take another chunk. */
    void written(EncodedChunk chunk) {
        outputs.giveBack(chunk.data());
    }

    /** Hands on the chunks already filtered, without waiting. */
    void handOnFinished() throws IOException {
        encoder.handOnFinished();
    }

    /** Waits for every queued chunk and hands it on. */
    void flush() throws IOException {
        encoder.flush();
    }

    /** Raw bytes of the chunks queued or being filtered. */
    long inFlightBytes() {
        return encoder.inFlightBytes();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
