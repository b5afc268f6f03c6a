package io.hdf5flink.hdf5;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte arrays no longer in use, kept by length to be used again: allocating a large array costs
 * zeroing it and, while the heap grows, faulting in fresh pages (for G1 it is also a humongous
 * object), which on the data path costs about as much as the copy that fills it. Idle arrays are
 * bounded in bytes, except that one array of each length is always kept. Not thread-safe.
 */
public final class IdleArrays {
    private final long maxIdleBytes;
    private final Map<Integer, ArrayDeque<byte[]>> idle = new HashMap<>();
    private long idleBytes;

    /** @param maxIdleBytes the most bytes kept idle, beyond one array of each length */
    public IdleArrays(long maxIdleBytes) {
        this.maxIdleBytes = maxIdleBytes;
    }

    /** An idle array of exactly {@code length} bytes (its contents are left over), or null. */
    public byte[] take(int length) {
        ArrayDeque<byte[]> free = idle.get(length);
        byte[] b = free == null ? null : free.poll();
        if (b != null) idleBytes -= length;
        return b;
    }

    /** Keeps {@code array}, which nobody uses any more, unless that would exceed the bound. */
    public void put(byte[] array) {
        ArrayDeque<byte[]> free = idle.computeIfAbsent(array.length, k -> new ArrayDeque<>());
        if (!free.isEmpty() && idleBytes + array.length > maxIdleBytes) return; // left to the collector
        free.push(array);
        idleBytes += array.length;
    }

    /** Bytes held idle. */
    public long idleBytes() {
        return idleBytes;
    }
}
