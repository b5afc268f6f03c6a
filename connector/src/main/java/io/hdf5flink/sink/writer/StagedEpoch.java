package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a writer staged for its next committable: the epoch's staging file of filtered chunks
 * ({@code <writer>-<epoch>.chunks}, created with the first chunk) and, per dataset, where each
 * chunk lies in it. One epoch ends with each committable, and the next begins.
 */
final class StagedEpoch implements AutoCloseable {
    private final Path stagingDirectory;
    private final String writerId;
    private final boolean fsync;
    private final Map<DatasetAssembler, List<Hdf5Committable.ChunkRef>> staged = new IdentityHashMap<>();
    private StagingFiles.AppendFile file;
    private long epoch;

    /** {@code epoch} is the restored states' next epoch (0 for a fresh writer). */
    StagedEpoch(Path stagingDirectory, String writerId, long epoch, boolean fsync) {
        this.stagingDirectory = stagingDirectory;
        this.writerId = writerId;
        this.epoch = epoch;
        this.fsync = fsync;
    }

    long number() {
        return epoch;
    }

    /** Appends a filtered chunk to the staging file, in the order the chunks were submitted. */
    void stage(DatasetAssembler.Complete c, EncodedChunk chunk) throws IOException {
        if (file == null) {
            file = new StagingFiles.AppendFile(stagingDirectory.resolve(StagingFiles.name(writerId, epoch, StagingFiles.CHUNKS)));
        }
        long position = file.append(chunk.data(), chunk.length());
        staged.computeIfAbsent(c.dataset(), k -> new ArrayList<>())
                .add(new Hdf5Committable.ChunkRef(c.origin(), position, chunk.length(), chunk.filterMask()));
    }

    /** Ends the staging file; returns its name, or null when nothing was staged this epoch. */
    String closeFile() throws IOException {
        if (file == null) return null;
        if (fsync) file.sync();
        String name = file.name();
        file.close();
        file = null;
        return name;
    }

    /** Each dataset's staged chunks and newly visible shape; datasets without change are left out. */
    List<Hdf5Committable.DatasetPart> parts(Iterable<DatasetAssembler> datasets, boolean endOfInput) {
        List<Hdf5Committable.DatasetPart> parts = new ArrayList<>();
        for (DatasetAssembler a : datasets) {
            Hdf5Committable.DatasetPart part = a.nextPart(staged.getOrDefault(a, List.of()), endOfInput);
            if (part != null) parts.add(part);
        }
        return parts;
    }

    /** The committable is out: the next epoch begins. */
    void advance() {
        staged.clear();
        epoch++;
    }

    @Override
    public void close() throws IOException {
        if (file != null) file.close();
    }
}
