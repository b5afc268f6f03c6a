package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * What one writer hands the committer at one checkpoint (its "epoch"): the chunks it filtered,
 * either already written into their output file ({@code chunksInPlace}: positions are addresses
 * there, in space the file's {@link io.hdf5flink.hdf5.SpaceLedger} handed the writer) or staged in
 * {@code stagingFile} (positions in it), grouped by dataset with the shape each dataset may show
 * once they are in, plus what the committer needs to clean up after it: the spill files the
 * writer's checkpointed state still references, and the ids of writers whose state it took over
 * on a restore. A writer emits one every checkpoint, even with no chunks, so that clean-up runs.
 *
 * <p>Applying a committable is idempotent: chunks have absolute positions and shapes only grow,
 * so a re-commit after a restore writes the same result.
 */
@Internal
public record Hdf5Committable(String writerId, long epoch, List<String> adoptedWriterIds, String stagingFile,
        boolean chunksInPlace, List<DatasetPart> parts, List<String> liveSpillFiles) {

    /** A committable of staged chunks (or of none). */
    public Hdf5Committable(String writerId, long epoch, List<String> adoptedWriterIds, String stagingFile,
            List<DatasetPart> parts, List<String> liveSpillFiles) {
        this(writerId, epoch, adoptedWriterIds, stagingFile, false, parts, liveSpillFiles);
    }

    /** One dataset's share: its spec (to create it), the shape to publish, its staged chunks. */
    public record DatasetPart(String file, String dataset, DatasetSpec spec, long[] visibleShape, List<ChunkRef> chunks) {}

    /**
     * A filtered chunk: its origin in the dataset, position (in the staging file, or its address in
     * the output file when the committable's chunks are in place), length, filter mask.
     */
    public record ChunkRef(long[] origin, long position, int length, int filterMask) {}

    /**
     * This committable split by output file, one per file in the order the parts name them (itself
     * when it names none): each keeps the writer, epoch and clean-up lists, so a file's share can be
     * committed on its own, by the committer subtask that owns the file. The id stays the same, and
     * the shares touch disjoint files, so the commit tokens are those of the whole.
     */
    public List<Hdf5Committable> perFile() {
        Map<String, List<DatasetPart>> byFile = new LinkedHashMap<>();
        for (DatasetPart p : parts) byFile.computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p);
        if (byFile.size() <= 1) return List.of(this);
        return byFile.values().stream().map(ps -> new Hdf5Committable(writerId, epoch, adoptedWriterIds, stagingFile,
                chunksInPlace, List.copyOf(ps), liveSpillFiles)).toList();
    }

    /** Identifies this committable in the commit tokens of the datasets it touched. */
    public String id() {
        return writerId + "-" + epoch;
    }
}
