package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Chunks staged for the committer to copy ({@code Hdf5Sink.Builder.stageChunks}): one staging file
 * of filtered chunks per epoch ({@code <writer>-<epoch>.chunks}, created with the first chunk).
 * For writers that reach the staging directory but not the output files.
 */
final class StagedEpoch extends EpochChunks {
    private final Path stagingDirectory;
    private final String writerId;
    private final boolean fsync;
    private StagingFiles.AppendFile file;

    StagedEpoch(Path stagingDirectory, String writerId, long epoch, boolean fsync) {
        super(epoch);
        this.stagingDirectory = stagingDirectory;
        this.writerId = writerId;
        this.fsync = fsync;
    }

    @Override
    long write(DatasetAssembler dataset, int fileIndex, EncodedChunk chunk) throws IOException {
        if (file == null) {
            file = new StagingFiles.AppendFile(stagingDirectory.resolve(StagingFiles.name(writerId, number(), StagingFiles.CHUNKS)));
        }
        return file.append(chunk.data(), chunk.length());
    }

    @Override
    String endWriting(boolean last) throws IOException {
        if (file == null) return null;
        if (fsync) file.sync();
        String name = file.name();
        file.close();
        file = null;
        return name;
    }

    @Override
    boolean inPlace() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (file != null) file.close();
    }
}
