package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.function.BiFunction;

/**
 * Filters whole chunks on a pool of threads and hands them on in submission order, on the calling
 * thread: every core compresses while one thread writes. At most {@code maxInFlight} chunks are
 * being filtered or waiting, so memory stays bounded by that many raw plus encoded chunks
 * whatever the input size; {@link #submit} blocks (handing finished chunks on) when the window is
 * full.
 *
 * @param <K> what identifies a chunk to the consumer (its offset, or a richer key)
 */
public final class ParallelChunkEncoder<K> {
    /** Receives encoded chunks in submission order. */
    public interface ChunkConsumer<K> {
        void accept(K key, EncodedChunk chunk) throws IOException;
    }

    private final BiFunction<K, byte[], EncodedChunk> encoder;
    private final Executor pool;
    private final int maxInFlight;
    private final ChunkConsumer<K> consumer;
    private final ArrayDeque<Pending<K>> inFlight = new ArrayDeque<>();
    private long inFlightBytes;

    private record Pending<K>(K key, int rawBytes, FutureTask<EncodedChunk> task) {}

    /**
     * @param encoder filters one raw chunk; called on pool threads, so it must be thread-safe
     *     (it gets the key so chunks of different datasets can use different filters)
     */
    public ParallelChunkEncoder(BiFunction<K, byte[], EncodedChunk> encoder, Executor pool, int maxInFlight,
            ChunkConsumer<K> consumer) {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be at least 1");
        this.encoder = encoder;
        this.pool = pool;
        this.maxInFlight = maxInFlight;
        this.consumer = consumer;
    }

    /** Filters into {@code dataset} with {@link Hdf5Dataset#encodeChunk}, keyed by chunk offset. */
    public static ParallelChunkEncoder<long[]> into(Hdf5Dataset dataset, Executor pool, int maxInFlight) {
        return new ParallelChunkEncoder<>((offset, raw) -> dataset.encodeChunk(raw), pool, maxInFlight, dataset::writeChunk);
    }

    /** Queues one whole raw chunk. The array is owned by the encoder from now on. */
    public void submit(K key, byte[] raw) throws IOException {
        while (inFlight.size() >= maxInFlight) handOnOldest();
        FutureTask<EncodedChunk> task = new FutureTask<>(() -> encoder.apply(key, raw));
        inFlight.add(new Pending<>(key, raw.length, task));
        inFlightBytes += raw.length;
        pool.execute(task);
    }

    /** Hands on the chunks already filtered at the head of the queue, without waiting. */
    public void handOnFinished() throws IOException {
        while (!inFlight.isEmpty() && inFlight.peek().task().isDone()) handOnOldest();
    }

    /** Waits for every queued chunk and hands it on. */
    public void flush() throws IOException {
        while (!inFlight.isEmpty()) handOnOldest();
    }

    /** Raw bytes of the chunks queued or being filtered. */
    public long inFlightBytes() {
        return inFlightBytes;
    }

    private void handOnOldest() throws IOException {
        Pending<K> p = inFlight.poll();
        inFlightBytes -= p.rawBytes();
        try {
            consumer.accept(p.key(), p.task().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while filtering chunks", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IOException("filtering a chunk failed: " + cause, cause);
        }
    }
}
