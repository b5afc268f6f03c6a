package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.IdleArrays;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import java.io.IOException;
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

    /**
     * Encodes {@code raw} through {@code pipeline}, its last filter writing into an array lent
     * here, which is the result's data until {@link #giveBack}. When that filter declines the
     * chunk (Blosc declines incompressible ones) the chunk's data is another array, and the lent
     * one comes back at once: kept lent, it would never be given back, and a long run of such
     * chunks would hold one array each.
     */
    EncodedChunk encode(FilterPipeline pipeline, byte[] raw) throws IOException {
        byte[][] lentHere = new byte[1][];
        EncodedChunk chunk = pipeline.encode(raw, raw.length, length -> lentHere[0] = lend(length));
        if (lentHere[0] != null && chunk.data() != lentHere[0]) giveBack(lentHere[0]);
        return chunk;
    }

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
