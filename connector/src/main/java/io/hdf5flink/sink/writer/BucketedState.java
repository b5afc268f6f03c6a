package io.hdf5flink.sink.writer;

import io.hdf5flink.sink.partition.ChunkRouting;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writer's state cut by routing bucket. The routing sends every chunk, and every dataset's
 * appends, to the subtask owning its bucket, and the state is snapshotted per bucket so that
 * Flink's restore hands each writer its buckets' state at any parallelism (see
 * {@link Hdf5WriterState}). With {@code chunkAlignedInput} there is no routing, and everything
 * goes in the writer's first bucket.
 */
final class BucketedState {
    private final int subtask;
    private final int parallelism;
    private final boolean chunkAlignedInput;

    BucketedState(int subtask, int parallelism, boolean chunkAlignedInput) {
        ChunkRouting.checkParallelism(parallelism);
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.chunkAlignedInput = chunkAlignedInput;
    }

    /** The restored elements in bucket order, the order in which the writer takes them over. */
    static List<Hdf5WriterState> inBucketOrder(Collection<Hdf5WriterState> restored) {
        List<Hdf5WriterState> states = new ArrayList<>(restored);
        states.sort(Comparator.comparingInt(Hdf5WriterState::bucket));
        return states;
    }

    /**
     * Checks that Flink's restore handed this writer the buckets the routing now sends it: an open
     * chunk restored where its data no longer arrives would be completed with the fill value.
     */
    void checkRestoredStateIsRoutedHere(Collection<DatasetAssembler> datasets) {
        if (chunkAlignedInput) return;
        for (DatasetAssembler a : datasets) {
            if (a.holdsAppendState() && ChunkRouting.ToSubtask.subtask(appendKey(a), parallelism) != subtask) {
                throw misrouted(a);
            }
            if (!a.isAppend()) {
                for (OpenChunk c : a.openChunks()) {
                    if (ChunkRouting.ToSubtask.subtask(chunkKey(a, c), parallelism) != subtask) throw misrouted(a);
                }
            }
        }
    }

    /**
     * Whether this writer holds a dataset that no block reached: the writer its appends are routed
     * to, or the first for a dataset at explicit offsets (whose state sits in any writer's first
     * bucket) and without routing.
     */
    boolean isHomeOfEmpty(String file, String dataset, boolean appended) {
        if (chunkAlignedInput || !appended) return subtask == 0;
        int key = ChunkRouting.appendKey(ChunkRouting.fileKey(file), dataset);
        return ChunkRouting.ToSubtask.subtask(key, parallelism) == subtask;
    }

    private IllegalStateException misrouted(DatasetAssembler a) {
        return new IllegalStateException("the Hdf5Sink's restored state holds open chunks or the append cursor of " + a.where()
                + " that the routing at parallelism " + parallelism + " sends to another writer: Flink split the writers'"
                + " state in an unexpected way; restore at the parallelism the state was taken with");
    }

    private static int appendKey(DatasetAssembler a) {
        return ChunkRouting.appendKey(ChunkRouting.fileKey(a.file()), a.dataset());
    }

    private static int chunkKey(DatasetAssembler a, OpenChunk c) {
        return ChunkRouting.chunkKey(ChunkRouting.fileKey(a.file()), a.dataset(), a.gridIndex(c));
    }

    /**
     * One element per bucket this writer owns, in bucket order. A dataset appears in the bucket of
     * its append cursor (appends) or in the first one (explicit offsets), and in the bucket of
     * each of its open chunks.
     */
    List<Hdf5WriterState> snapshot(Collection<DatasetAssembler> datasets, WriterIdentity identity, long nextEpoch) {
        int first = ChunkRouting.firstBucket(subtask, parallelism);
        int end = ChunkRouting.firstBucket(subtask + 1, parallelism);
        Map<Integer, List<Hdf5WriterState.DatasetState>> byBucket = new HashMap<>();
        for (DatasetAssembler a : datasets) {
            for (Map.Entry<Integer, List<Hdf5WriterState.ChunkState>> e : chunksByBucket(a, first).entrySet()) {
                if (e.getKey() < first || e.getKey() >= end) {
                    throw new IllegalStateException(a.where() + " has state in routing bucket " + e.getKey()
                            + ", which subtask " + subtask + " of " + parallelism + " does not own");
                }
                byBucket.computeIfAbsent(e.getKey(), b -> new ArrayList<>()).add(a.toState(e.getValue()));
            }
        }
        List<Hdf5WriterState> elements = new ArrayList<>(end - first);
        for (int b = first; b < end; b++) {
            elements.add(new Hdf5WriterState(b, identity.id(), b == first, nextEpoch,
                    b == first ? identity.adoptedWriterIds() : List.of(), byBucket.getOrDefault(b, List.of())));
        }
        return elements;
    }

    /** A dataset's open chunks by bucket, always with its home bucket (possibly with none). */
    private Map<Integer, List<Hdf5WriterState.ChunkState>> chunksByBucket(DatasetAssembler a, int first) {
        Map<Integer, List<Hdf5WriterState.ChunkState>> chunks = new TreeMap<>();
        int home = chunkAlignedInput || !a.isAppend() ? first : ChunkRouting.bucket(appendKey(a));
        chunks.put(home, new ArrayList<>());
        for (OpenChunk c : a.openChunks()) {
            int bucket = chunkAlignedInput || a.isAppend() ? home : ChunkRouting.bucket(chunkKey(a, c));
            chunks.computeIfAbsent(bucket, b -> new ArrayList<>()).add(c.toState());
        }
        return chunks;
    }
}
