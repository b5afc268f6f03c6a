package io.hdf5flink.sink.writer;

import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * One element of a writer's checkpointed state: the open chunks and append cursors of one routing
 * bucket ({@link io.hdf5flink.sink.partition.ChunkRouting}). A writer snapshots one element per
 * bucket it owns, in bucket order, so that Flink, which cuts the list of all writers' elements
 * into contiguous parts when it restores at another parallelism, hands every writer the buckets
 * the routing now sends it.
 *
 * <p>Every element names the writer that took it ({@code writerId}, which names its staging and
 * spill files) and its next epoch. The element of the writer's first bucket {@code carriesWriter}:
 * whoever restores it keeps (or adopts) that writer's files and the writers it had adopted; a
 * writer restored without such an element takes a new id. Each dataset's assembler appears in the
 * elements of the buckets holding its open chunks or its append cursor, and, for datasets at
 * explicit offsets, in the first one. Chunks already handed to compression are not here: they
 * travel in the committable prepared just before this state was taken.
 */
@Internal
public record Hdf5WriterState(int bucket, String writerId, boolean carriesWriter, long nextEpoch,
        List<String> adoptedWriterIds, List<DatasetState> datasets) {

    /** One dataset's assembler. */
    public record DatasetState(String file, String dataset, io.hdf5flink.hdf5.DatasetSpec spec, boolean append, long cursor,
            long[] extent, long[] publishedShape, long[] storedShape, List<ChunkState> openChunks) {}

    /** One open chunk: origin, elements still needed, elements covered, bytes or spill reference. */
    public record ChunkState(long[] origin, long needed, long covered, byte[] raw, OpenChunk.SpillRef spilled) {}
}
