package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.IdleArrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * The arrays filtered chunks are encoded into, lent to the filtering threads and given back by
 * the writer thread once the chunk is written: the last filter of a pipeline writes straight into
 * one ({@code FilterPipeline.encode} with an output supplier), so that no chunk costs an array of
 * its exact size and a copy into it (on 2 MiB chunks such arrays are humongous objects for G1,
 * allocated outside the young generation).
 *
 * <p>Only arrays lent here are taken back, so a chunk whose last filter declined (its data is
 * another filter's array, or the raw chunk, which {@link ChunkBuffers} recycles) is never put in
 * two pools. Idle arrays are bounded like {@link ChunkBuffers}'. Thread-safe.
 */
@Internal
final class FilteredChunkArrays {
    private final IdleArrays idle = new IdleArrays(ChunkBuffers.MAX_IDLE_BYTES);
    private final Set<byte[]> lent = Collections.newSetFromMap(new IdentityHashMap<>());

    /** An array of exactly {@code length} bytes (a filter's bound for its chunk), lent until given back. */
    synchronized byte[] lend(int length) {
        byte[] b = idle.take(length);
        if (b == null) b = new byte[length];
        lent.add(b);
        return b;
    }

    /** Takes back {@code array} if it was lent here and nothing reads it any more; ignores any other. */
    synchronized void giveBack(byte[] array) {
        if (lent.remove(array)) idle.put(array);
    }

    /** Arrays lent and not given back, for tests. */
    synchronized int lentCount() {
        return lent.size();
    }
}
