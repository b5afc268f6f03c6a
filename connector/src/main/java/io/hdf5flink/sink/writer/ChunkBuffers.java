package io.hdf5flink.sink.writer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Chunk-sized arrays a writer hands out again once their chunk is written. Every chunk a writer
 * assembles needs an array of the chunk's size; a new one per chunk costs the JVM zeroing it and,
 * while the heap grows, the kernel faulting in fresh pages (a third of the CPU time of an
 * uncompressed conversion went there), and for G1 each is a humongous object. A chunk's array is
 * dead once the chunk is written, so the next chunk of that size takes it instead.
 *
 * <p>Used on the writer thread only: arrays are taken when a chunk opens and given back after the
 * filtered chunk has been written. Idle arrays are bounded by {@link #MAX_IDLE_BYTES} (and one
 * array per size beyond it), so what the pool keeps does not grow with the number of datasets.
 */
@Internal
final class ChunkBuffers {
    /** The most bytes kept idle, beyond one array of each size. */
    static final long MAX_IDLE_BYTES = 32L << 20;

    private final Map<Integer, ArrayDeque<byte[]>> idle = new HashMap<>();
    private long idleBytes;

    /** An array holding a copy of {@code template}: a given-back one of its length, or a new one. */
    byte[] copyOf(byte[] template) {
        ArrayDeque<byte[]> free = idle.get(template.length);
        byte[] b = free == null ? null : free.poll();
        if (b == null) return template.clone();
        idleBytes -= b.length;
        System.arraycopy(template, 0, b, 0, b.length);
        return b;
    }

    /** {@code array} is no longer used by anyone: a later chunk of its length may take it. */
    void giveBack(byte[] array) {
        ArrayDeque<byte[]> free = idle.computeIfAbsent(array.length, k -> new ArrayDeque<>());
        if (!free.isEmpty() && idleBytes + array.length > MAX_IDLE_BYTES) return; // left to the collector
        free.push(array);
        idleBytes += array.length;
    }

    /** Bytes held idle, for tests. */
    long idleBytes() {
        return idleBytes;
    }
}
