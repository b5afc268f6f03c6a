package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.sink.Hdf5Committable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a writer puts the filtered chunks of its current epoch, and what its next committable
 * says about them: written in place in the output files ({@link InPlaceEpoch}) or staged for the
 * committer to copy ({@link StagedEpoch}). One epoch ends with each committable, and the next
 * begins.
 */
abstract class EpochChunks implements AutoCloseable {
    /** Each dataset's chunks of this epoch, by the index of the file they went to. */
    private final Map<DatasetAssembler, Map<Integer, List<Hdf5Committable.ChunkRef>>> placed = new IdentityHashMap<>();
    private long epoch;

    /** {@code epoch} is the restored states' next epoch (0 for a fresh writer). */
    EpochChunks(long epoch) {
        this.epoch = epoch;
    }

    long number() {
        return epoch;
    }

    /** Writes a filtered chunk, in the order the chunks were submitted, and remembers where. */
    final void place(DatasetAssembler.Complete c, EncodedChunk chunk) throws IOException {
        DatasetAssembler a = c.dataset();
        int file = a.fileIndexOf(c.origin());
        long position = write(a, file, chunk);
        placed.computeIfAbsent(a, k -> new TreeMap<>()).computeIfAbsent(file, k -> new ArrayList<>())
                .add(new Hdf5Committable.ChunkRef(a.originInFile(c.origin()), position, chunk.length(), chunk.filterMask()));
    }

    /** Writes the chunk's bytes into (or for) file {@code file} of the dataset; returns the position the committable names. */
    abstract long write(DatasetAssembler dataset, int file, EncodedChunk chunk) throws IOException;

    /**
     * Ends the epoch's writing, durably when the sink fsyncs ({@code last} at the end of input:
     * no epoch follows); returns the staging file the committable names, or null (chunks in
     * place, or none staged).
     */
    abstract String endWriting(boolean last) throws IOException;

    /** Whether the committable's chunk positions are addresses in the output files. */
    abstract boolean inPlace();

    /** Each dataset's chunks of this epoch and newly visible shape; datasets without change are left out. */
    final List<Hdf5Committable.DatasetPart> parts(Iterable<DatasetAssembler> datasets, boolean endOfInput) {
        List<Hdf5Committable.DatasetPart> parts = new ArrayList<>();
        for (DatasetAssembler a : datasets) {
            parts.addAll(a.nextParts(placed.getOrDefault(a, Map.of()), endOfInput));
        }
        return parts;
    }

    /** The committable is out: the next epoch begins. */
    final void advance() {
        placed.clear();
        epoch++;
    }
}
