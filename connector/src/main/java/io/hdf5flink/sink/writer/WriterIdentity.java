package io.hdf5flink.sink.writer;

import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.staging.UnreferencedMark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Who a writer is: the name its staging and spill files carry, the writers whose files it took
 * over on a restore (their committables' clean-up is now its own), and whether any committable
 * names its files yet ({@link UnreferencedMark}).
 */
final class WriterIdentity implements AutoCloseable {
    private final String writerId;
    private final List<String> adoptedWriterIds = new ArrayList<>();
    /** Whether a restored state carries this name: then a checkpoint already names its files. */
    private final boolean namedByState;
    /** Held while no committable names this writer's files yet (a writer under a new name). */
    private UnreferencedMark unreferenced;

    /** {@code states} is sorted by bucket (the lowest bucket's writer keeps its name). */
    WriterIdentity(WriterInitContext context, int subtask, List<Hdf5WriterState> states) {
        this.writerId = name(context, subtask, states);
        for (Hdf5WriterState s : states) {
            if (!s.carriesWriter()) continue;
            if (!s.writerId().equals(writerId)) adoptedWriterIds.add(s.writerId());
            adoptedWriterIds.addAll(s.adoptedWriterIds());
        }
        this.namedByState = states.stream().anyMatch(s -> s.carriesWriter() && s.writerId().equals(writerId));
    }

    /**
     * The writer's name. A writer without state is named after its job and subtask, not at random:
     * when an attempt fails before its first checkpoint, the next attempt's writer takes the same
     * name and overwrites the files the failed one staged, which no committable will ever clean
     * up. A restored writer keeps the name of the writer whose first bucket it got (the lowest
     * one, when it got several); one that got none (after scaling up) is named after its job,
     * subtask and the checkpoint it restored, for the same reason.
     */
    private static String name(WriterInitContext context, int subtask, List<Hdf5WriterState> states) {
        for (Hdf5WriterState s : states) if (s.carriesWriter()) return s.writerId();
        String fresh = StagingFiles.freshWriterName(context.getJobInfo().getJobId().toString(), subtask);
        return states.isEmpty() ? fresh : fresh + "-r" + context.getRestoredCheckpointId().orElse(0);
    }

    String id() {
        return writerId;
    }

    List<String> adoptedWriterIds() {
        return List.copyOf(adoptedWriterIds);
    }

    /** Whether a staging file belongs to this writer or to one it adopted. */
    boolean owns(String stagingFile) {
        String owner = StagingFiles.writerOf(stagingFile);
        return writerId.equals(owner) || adoptedWriterIds.contains(owner);
    }

    /**
     * Marks the files of a writer under a new name as unreferenced until its first committable.
     * Called last when the writer starts, after every check that can refuse the state: a writer
     * that fails to start must not leave its name locked for the next attempt.
     */
    void markUnreferencedUnlessNamed(Path stagingDirectory) {
        if (namedByState) return;
        try {
            unreferenced = UnreferencedMark.take(stagingDirectory, writerId);
        } catch (IOException e) {
            throw new UncheckedIOException("the Hdf5Sink's writer " + writerId + " cannot mark its staging files in "
                    + stagingDirectory + ": " + e, e);
        }
    }

    /** A committable names this writer's files from now on: the unreferenced mark goes. */
    void namedByCommittable() throws IOException {
        if (unreferenced == null) return;
        unreferenced.release();
        unreferenced = null;
    }

    /** Leaves the mark, if any, unlocked for a sweep (the writer stops without a committable). */
    @Override
    public void close() throws IOException {
        if (unreferenced != null) unreferenced.close();
    }
}
