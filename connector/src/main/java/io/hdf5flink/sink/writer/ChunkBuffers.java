package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.IdleArrays;
import org.apache.flink.annotation.Internal;

/**
 * Chunk-sized arrays a writer hands out again once their chunk is written. Every chunk a writer
 * assembles needs an array of the chunk's size; a new one per chunk cost a third of the writer's
 * CPU time in an uncompressed conversion (zeroing, page faults). A chunk's array is dead once the
 * chunk is written, so the next chunk of that size takes it instead.
 *
 * <p>Used on the writer thread only: arrays are taken when a chunk opens and given back after the
 * filtered chunk has been written. Idle arrays are bounded by {@link #MAX_IDLE_BYTES} (and one
 * array per size beyond it), so what the pool keeps does not grow with the number of datasets.
 */
@Internal
final class ChunkBuffers {
    /** The most bytes kept idle, beyond one array of each size. */
    static final long MAX_IDLE_BYTES = 32L << 20;

    private final IdleArrays idle = new IdleArrays(MAX_IDLE_BYTES);

    /** An array holding a copy of {@code template}: a given-back one of its length, or a new one. */
    byte[] copyOf(byte[] template) {
        byte[] b = idle.take(template.length);
        if (b == null) return template.clone();
        System.arraycopy(template, 0, b, 0, b.length);
        return b;
    }

    /** An array of {@code length} bytes whose contents are left over from an earlier chunk (or zero). */
    byte[] blank(int length) {
        byte[] b = idle.take(length);
        return b == null ? new byte[length] : b;
    }

    /** {@code array} is no longer used by anyone: a later chunk of its length may take it. */
    void giveBack(byte[] array) {
        idle.put(array);
    }

    /** Bytes held idle, for tests. */
    long idleBytes() {
        return idle.idleBytes();
    }
}
