package io.hdf5flink.hdf5;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A dataset's open chunks: whole chunks being assembled in memory from hyperslab writes that
 * cover them only partly, in the order they were opened. They are handed back to be filtered and
 * stored when complete, when their memory exceeds the budget (oldest first), or at commit.
 */
final class OpenChunks {
    /** Receives a chunk leaving the cache, to be filtered and stored. */
    interface Sink {
        void store(long[] chunkOffset, byte[] raw);
    }

    private final int chunkBytes;
    private final long budgetBytes;
    private final Map<Key, byte[]> chunks = new LinkedHashMap<>();

    OpenChunks(int chunkBytes, long budgetBytes) {
        this.chunkBytes = chunkBytes;
        this.budgetBytes = budgetBytes;
    }

    boolean isEmpty() { return chunks.isEmpty(); }

    boolean contains(long[] chunkOffset) { return chunks.containsKey(new Key(chunkOffset)); }

    /** The open chunk at {@code chunkOffset}, or null. */
    byte[] get(long[] chunkOffset) { return chunks.get(new Key(chunkOffset)); }

    /** The open chunk at {@code chunkOffset}, opened with {@code initial} contents when not open yet. */
    byte[] open(long[] chunkOffset, Function<long[], byte[]> initial) {
        return chunks.computeIfAbsent(new Key(chunkOffset), k -> initial.apply(k.offset));
    }

    /** Drops the open chunk at {@code chunkOffset}, which a whole new chunk replaces. */
    void discard(long[] chunkOffset) {
        chunks.remove(new Key(chunkOffset));
    }

    /** The offsets of the open chunks (a copy). */
    Iterable<long[]> offsets() {
        return chunks.keySet().stream().map(k -> k.offset).toList();
    }

    /** Hands over the oldest chunks until the rest fit the budget. */
    void spillOverBudget(Sink sink) {
        Iterator<Map.Entry<Key, byte[]>> it = chunks.entrySet().iterator();
        while ((long) chunks.size() * chunkBytes > budgetBytes && it.hasNext()) {
            Map.Entry<Key, byte[]> e = it.next();
            sink.store(e.getKey().offset, e.getValue());
            it.remove();
        }
    }

    /** Hands over the chunks whose offset matches {@code complete}. */
    void completeWhere(Predicate<long[]> complete, Sink sink) {
        Iterator<Map.Entry<Key, byte[]>> it = chunks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, byte[]> e = it.next();
            if (complete.test(e.getKey().offset)) {
                sink.store(e.getKey().offset, e.getValue());
                it.remove();
            }
        }
    }

    /** Hands over every chunk (at commit). */
    void completeAll(Sink sink) {
        completeWhere(offset -> true, sink);
    }

    /** A chunk's offset as a map key. */
    private record Key(long[] offset) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(offset, k.offset);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(offset);
        }
    }
}
