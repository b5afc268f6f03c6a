package io.hdf5flink.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.metrics.groups.SinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalSinkCommitterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;

/**
 * The sink's committer outside Flink: created by {@link Hdf5Sink#createCommitter} with a minimal
 * {@link CommitterInitContext}, fed hand-made {@link Committer.CommitRequest}s that record how
 * the committer signalled them.
 */
final class TestCommitter implements AutoCloseable {
    final Committer<Hdf5Committable> committer;

    TestCommitter(Hdf5Sink sink) {
        this(sink, false);
    }

    /** @param restored whether the committer is created as after a restore from a checkpoint */
    TestCommitter(Hdf5Sink sink, boolean restored) {
        this(sink, restored, 1);
    }

    /** @param parallelism the number of committer subtasks this one is one of (its index is 0) */
    TestCommitter(Hdf5Sink sink, boolean restored, int parallelism) {
        this.committer = sink.createCommitter(new Context(restored, parallelism));
    }

    /** Commits the committables as one batch, as Flink does for one completed checkpoint. */
    List<Request> commit(Hdf5Committable... committables) throws IOException, InterruptedException {
        return commit(List.of(committables));
    }

    List<Request> commit(List<Hdf5Committable> committables) throws IOException, InterruptedException {
        List<Request> requests = new ArrayList<>();
        for (Hdf5Committable c : committables) requests.add(new Request(c));
        committer.commit(new ArrayList<>(requests));
        return requests;
    }

    @Override
    public void close() throws Exception {
        committer.close();
    }

    /** A commit request that records what the committer signalled. */
    static final class Request implements Committer.CommitRequest<Hdf5Committable> {
        private final Hdf5Committable committable;
        final List<String> signals = new ArrayList<>();

        Request(Hdf5Committable committable) {
            this.committable = committable;
        }

        @Override public Hdf5Committable getCommittable() { return committable; }
        @Override public int getNumberOfRetries() { return 0; }
        @Override public void signalFailedWithKnownReason(Throwable t) { signals.add("failedKnown: " + t); }
        @Override public void signalFailedWithUnknownReason(Throwable t) { signals.add("failedUnknown: " + t); }
        @Override public void retryLater() { signals.add("retryLater"); }
        @Override public void updateAndRetryLater(Hdf5Committable c) { signals.add("updateAndRetryLater"); }
        @Override public void signalAlreadyCommitted() { signals.add("alreadyCommitted"); }
    }

    /** The least a committer needs: job and task info, an unregistered metric group. */
    static final class Context implements CommitterInitContext {
        private final boolean restored;
        private final int parallelism;

        Context(boolean restored, int parallelism) {
            this.restored = restored;
            this.parallelism = parallelism;
        }

        @Override
        public SinkCommitterMetricGroup metricGroup() {
            return InternalSinkCommitterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup());
        }

        @Override
        public OptionalLong getRestoredCheckpointId() {
            return restored ? OptionalLong.of(7) : OptionalLong.empty();
        }

        @Override
        public JobInfo getJobInfo() {
            return new JobInfoImpl(new JobID(), "hdf5 committer test");
        }

        @Override
        public TaskInfo getTaskInfo() {
            return new TaskInfoImpl("hdf5 committer", parallelism, 0, parallelism, 0);
        }
    }
}
