package io.hdf5flink.sink.writer;

import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * A writer's checkpointed state: its identity (which names its staging and spill files), its next
 * epoch, the writers it took over, and every dataset's append cursor, extent and open chunks (in
 * memory, or as references into spill files). Chunks already handed to compression are not here:
 * they travel in the committable prepared just before this state was taken.
 */
@Internal
public record Hdf5WriterState(String writerId, long nextEpoch, List<String> adoptedWriterIds, List<DatasetState> datasets) {

    /** One dataset's assembler. */
    public record DatasetState(String file, String dataset, io.hdf5flink.hdf5.DatasetSpec spec, boolean append, long cursor,
            long[] extent, long[] publishedShape, long[] storedShape, List<ChunkState> openChunks) {}

    /** One open chunk: origin, elements still needed, elements covered, bytes or spill reference. */
    public record ChunkState(long[] origin, long needed, long covered, byte[] raw, OpenChunk.SpillRef spilled) {}
}
