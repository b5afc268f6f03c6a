package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;

/**
 * Filters whole chunks on a pool of threads and stores them in submission order on the calling
 * thread: every core compresses while the file keeps one writer. At most {@code maxInFlight}
 * chunks are being filtered or waiting to be stored, so memory stays bounded by
 * {@code maxInFlight} raw plus encoded chunks whatever the input size; {@link #submit} blocks
 * (storing finished chunks) when the window is full.
 */
public final class ParallelChunkWriter {
    private final Hdf5Dataset dataset;
    private final Executor pool;
    private final int maxInFlight;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();

    private record Pending(long[] offset, FutureTask<EncodedChunk> task) {}

    public ParallelChunkWriter(Hdf5Dataset dataset, Executor pool, int maxInFlight) {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1");
        this.dataset = dataset;
        this.pool = pool;
        this.maxInFlight = maxInFlight;
    }

    /** Queues one whole raw chunk (little-endian, C order) for the chunk at {@code chunkOffset}. */
    public void submit(long[] chunkOffset, byte[] raw) {
        while (inFlight.size() >= maxInFlight) storeOldest();
        FutureTask<EncodedChunk> task = new FutureTask<>(() -> dataset.encodeChunk(raw));
        inFlight.add(new Pending(chunkOffset.clone(), task));
        pool.execute(task);
    }

    /** Waits for every queued chunk and stores it. */
    public void flush() {
        while (!inFlight.isEmpty()) storeOldest();
    }

    private void storeOldest() {
        Pending p = inFlight.poll();
        try {
            dataset.writeChunk(p.offset(), p.task().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Hdf5Exception(dataset.path() + ": interrupted while filtering chunks", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new Hdf5Exception(dataset.path() + ": filtering a chunk failed: " + cause, cause);
        }
    }
}
