package io.hdf5flink.source.enumerate;

import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.PendingSplits;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SupportsBatchSnapshot;

/**
 * Hands splits to readers as they ask for them, in plan order, so faster readers take more and
 * parallelism needs no planning. Checkpoints the splits not yet handed out as
 * {@link PendingSplits}; splits of a failed reader come back through {@link #addSplitsBack} as
 * they were at that reader's last checkpoint.
 *
 * <p>Reports the source as processing backlog from the start: reading files is catching up, never
 * live. With {@code execution.checkpointing.interval-during-backlog} set, checkpoints then come at
 * that interval while the files are read, and at the regular {@code execution.checkpointing.interval}
 * once every reader has reached the end (Flink clears the flag at end of data), so a bounded job
 * that waits for its final checkpoint is not kept waiting a whole long interval.
 */
@Internal
public final class ArraySplitEnumerator implements SplitEnumerator<ArraySplit, PendingSplits>, SupportsBatchSnapshot {
    private final SplitEnumeratorContext<ArraySplit> context;
    private final Queue<ArraySplit> pending;
    /**
     * Subtasks whose request came while no reader of theirs was registered: answered when one
     * registers. Dropping such a request left a reader waiting for ever (seen once, in a job
     * resumed from a savepoint at another parallelism): readers ask once and wait for an answer.
     */
    private final Set<Integer> waiting = new TreeSet<>();

    public ArraySplitEnumerator(SplitEnumeratorContext<ArraySplit> context, Collection<ArraySplit> pending) {
        this.context = context;
        this.pending = new ArrayDeque<>(pending);
    }

    @Override
    public void start() {
        context.setIsProcessingBacklog(true);
    }

    @Override
    public void handleSplitRequest(int subtask, String hostname) {
        if (!context.registeredReaders().containsKey(subtask)) {
            waiting.add(subtask); // failed since it asked, or not registered yet
            return;
        }
        ArraySplit split = pending.poll();
        if (split == null) {
            context.signalNoMoreSplits(subtask);
        } else {
            context.assignSplit(split, subtask);
        }
    }

    @Override
    public void addSplitsBack(List<ArraySplit> splits, int subtask) {
        pending.addAll(splits);
    }

    @Override
    public void addReader(int subtask) {
        // Readers pull: they ask for a split when they start, and this answers one that came early.
        if (waiting.remove(subtask)) handleSplitRequest(subtask, null);
    }

    @Override
    public PendingSplits snapshotState(long checkpointId) {
        return new PendingSplits(List.copyOf(pending));
    }

    @Override
    public void close() {}
}
