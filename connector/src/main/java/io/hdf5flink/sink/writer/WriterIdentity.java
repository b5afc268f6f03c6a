package io.hdf5flink.sink.writer;

import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.staging.UnreferencedMark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Who a writer is: the name its staging and spill files and its claims in output files carry,
 * the writers whose files it took over on a restore (their committables' clean-up is now its own),
 * the earlier writers whose lost epochs it frees, and whether any committable names its files yet
 * ({@link UnreferencedMark}).
 */
final class WriterIdentity implements AutoCloseable {
    private final String writerId;
    private final List<String> adoptedWriterIds = new ArrayList<>();
    /** Whether a restored state carries this name: then a checkpoint already names its files. */
    private final boolean namedByState;
    /** The writers whose epochs from the mapped one on no checkpoint will ever commit (see {@link #lostEpochs}). */
    private final Map<String, Long> lostFrom = new LinkedHashMap<>();
    /** Names no restored state carries whose every epoch is lost: this one when new, and earlier attempts' successors. */
    private final Set<String> abandoned = new LinkedHashSet<>();
    /** Held while no committable names this writer's files yet (a writer under a new name). */
    private UnreferencedMark unreferenced;

    /** {@code states} is sorted by bucket (the lowest bucket's writer keeps its name). */
    WriterIdentity(WriterInitContext context, int subtask, List<Hdf5WriterState> states) {
        long restoredCheckpoint = context.getRestoredCheckpointId().orElse(0);
        this.writerId = name(context.getJobInfo().getJobId().toString(), subtask, restoredCheckpoint, states);
        for (Hdf5WriterState s : states) {
            if (!s.carriesWriter()) continue;
            if (!s.writerId().equals(writerId)) adoptedWriterIds.add(s.writerId());
            adoptedWriterIds.addAll(s.adoptedWriterIds());
        }
        this.namedByState = states.stream().anyMatch(s -> s.carriesWriter() && s.writerId().equals(writerId));
        for (Hdf5WriterState s : states) {
            // Only the element that carries a writer passes its name on: no other writer of this
            // attempt can be writing under the names freed here.
            if (s.carriesWriter()) lostFrom.merge(s.writerId(), s.nextEpoch(), Math::min);
        }
        // Under a new name every epoch is lost: an attempt that failed before its first
        // checkpoint completed may have used the same name (names repeat on purpose).
        if (!namedByState) abandoned.add(writerId);
        for (Hdf5WriterState s : states) {
            // The writers an earlier attempt from the same checkpoint added by scaling up, whose
            // first bucket is one of this writer's: the checkpoint names none of them, and no
            // writer of this attempt takes their names but this one (whose own name is above).
            String successor = StagingFiles.successorName(s.writerId(), s.bucket(), restoredCheckpoint);
            if (!lostFrom.containsKey(successor)) abandoned.add(successor);
        }
        for (String name : abandoned) lostFrom.putIfAbsent(name, 0L);
    }

    /**
     * The writer's name. A writer without state is named after its job and subtask, not at random:
     * when an attempt fails before its first checkpoint, the next attempt's writer takes the same
     * name and overwrites the files the failed one staged, and frees the space it claimed. A
     * restored writer keeps the name of the writer whose first bucket it got (the lowest one, when
     * it got several); one that got none (after scaling up) is named after the checkpoint it
     * restored and its first bucket ({@link StagingFiles#successorName}), for the same reason.
     */
    private static String name(String jobId, int subtask, long restoredCheckpoint, List<Hdf5WriterState> states) {
        for (Hdf5WriterState s : states) if (s.carriesWriter()) return s.writerId();
        if (states.isEmpty()) return StagingFiles.freshWriterName(jobId, subtask);
        Hdf5WriterState first = states.get(0);
        return StagingFiles.successorName(first.writerId(), first.bucket(), restoredCheckpoint);
    }

    /**
     * The writers whose epochs from the mapped one on are lost, so that their space in output
     * files goes back to the ledger and their staging files go: this writer's own from its
     * restored next epoch (from 0 under a new name), those of the writers it adopted likewise, and
     * the writers that earlier attempts restored from the same checkpoint added in its buckets.
     */
    Map<String, Long> lostEpochs() {
        return Map.copyOf(lostFrom);
    }

    /**
     * The names among {@link #lostEpochs} that no restored state carries: all their staging and
     * spill files are garbage (this writer's own included, when new: it has written nothing yet).
     */
    Set<String> abandonedNames() {
        return Set.copyOf(abandoned);
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
