package io.hdf5flink.sink.committer;

import io.hdf5flink.sink.Hdf5Committable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.util.Collector;

/**
 * The sink's pre-commit step, at the committer's parallelism and chained to it: every committer
 * subtask receives every writer's committables (broadcast) and keeps the shares of the files it
 * owns ({@link FileOwnership}), so files commit in parallel, each on one subtask. A committable
 * that names several files is split by file ({@link Hdf5Committable#perFile}); one that names none
 * (a writer's clean-up only) goes to the subtask its writer's id picks.
 *
 * <p>What Flink's committer expects is kept: for each checkpoint, one summary from every writer
 * subtask, counting the committables that follow it from that writer, here those kept. A writer
 * sends its summary and committables together before the checkpoint's barrier, so a batch is
 * complete before any barrier and this step has no state. What the committer checkpoints is then
 * only its own files' shares; after a restore at another parallelism Flink may hand them to
 * another subtask, which commits them all the same, taking turns on the file with its owner
 * ({@link CommitTurns}).
 */
@Internal
public final class OwnedCommittables
        extends RichFlatMapFunction<CommittableMessage<Hdf5Committable>, CommittableMessage<Hdf5Committable>> {
    private static final long serialVersionUID = 1L;

    /** One writer subtask's committables of one checkpoint. */
    private record Batch(int writer, long checkpoint) {}

    private static final class Pending {
        CommittableSummary<Hdf5Committable> summary;
        int received;
        final List<Hdf5Committable> kept = new ArrayList<>();
    }

    private transient Map<Batch, Pending> pending;
    private transient int subtask;
    private transient int parallelism;

    @Override
    public void open(OpenContext context) {
        pending = new HashMap<>();
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    }

    @Override
    public void flatMap(CommittableMessage<Hdf5Committable> message, Collector<CommittableMessage<Hdf5Committable>> out) {
        Batch batch = new Batch(message.getSubtaskId(), message.getCheckpointIdOrEOI());
        Pending p = pending.computeIfAbsent(batch, b -> new Pending());
        if (message instanceof CommittableSummary<Hdf5Committable> summary) {
            if (p.summary != null) throw new IllegalStateException("two summaries of " + batch);
            p.summary = summary;
        } else {
            p.received++;
            for (Hdf5Committable share : ((CommittableWithLineage<Hdf5Committable>) message).getCommittable().perFile()) {
                if (ownerOf(share) == subtask) p.kept.add(share);
            }
        }
        if (p.summary == null || p.received < p.summary.getNumberOfCommittables()) return;
        pending.remove(batch);
        out.collect(new CommittableSummary<>(batch.writer(), p.summary.getNumberOfSubtasks(), batch.checkpoint(),
                p.kept.size(), 0));
        for (Hdf5Committable c : p.kept) out.collect(new CommittableWithLineage<>(c, batch.checkpoint(), batch.writer()));
    }

    private int ownerOf(Hdf5Committable share) {
        String key = share.parts().isEmpty() ? share.writerId() : share.parts().get(0).file();
        return FileOwnership.committerOf(key, parallelism);
    }
}
