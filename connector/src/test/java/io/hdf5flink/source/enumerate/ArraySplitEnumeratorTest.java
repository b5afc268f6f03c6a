package io.hdf5flink.source.enumerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.PendingSplits;
import io.hdf5flink.source.split.PendingSplitsSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class ArraySplitEnumeratorTest {
    private static final List<ArraySplit> SPLITS = new SplitPlanner("/d", 10)
            .add(new ArrayInput(Location.file("/a.npy", StreamCompression.NONE), true, 128, DataType.INT8, false), 35,
                    new long[] {0}, new long[] {})
            .splits();

    @Test
    void reportsBacklogFromTheStart() throws Exception {
        List<Boolean> reported = new ArrayList<>();
        try (MockSplitEnumeratorContext<ArraySplit> context = new MockSplitEnumeratorContext<>(1) {
            @Override
            public void setIsProcessingBacklog(boolean backlog) {
                reported.add(backlog);
            }
        }) {
            new ArraySplitEnumerator(context, SPLITS).start();
            assertEquals(List.of(true), reported, "reading files is backlog");
        }
    }

    @Test
    void handsOutSplitsInOrderThenSignalsTheEnd() throws Exception {
        try (MockSplitEnumeratorContext<ArraySplit> context = new MockSplitEnumeratorContext<>(2)) {
            context.registerReader(new ReaderInfo(0, "host"));
            context.registerReader(new ReaderInfo(1, "host"));
            ArraySplitEnumerator enumerator = new ArraySplitEnumerator(context, SPLITS);
            int[] requests = {1, 0, 1, 1};
            for (int subtask : requests) enumerator.handleSplitRequest(subtask, "host");
            assertEquals(4, context.getSplitsAssignmentSequence().size());
            for (int i = 0; i < requests.length; i++) {
                assertEquals(List.of(SPLITS.get(i)),
                        context.getSplitsAssignmentSequence().get(i).assignment().get(requests[i]));
            }
            assertFalse(context.hasNoMoreSplits(0));
            enumerator.handleSplitRequest(0, "host");
            enumerator.handleSplitRequest(1, "host");
            assertEquals(4, context.getSplitsAssignmentSequence().size());
            assertTrue(context.hasNoMoreSplits(0));
            assertTrue(context.hasNoMoreSplits(1));
        }
    }

    @Test
    void checkpointsWhatIsNotHandedOutAndTakesBackAFailedReadersSplits() throws Exception {
        try (MockSplitEnumeratorContext<ArraySplit> context = new MockSplitEnumeratorContext<>(1)) {
            context.registerReader(new ReaderInfo(0, "host"));
            ArraySplitEnumerator enumerator = new ArraySplitEnumerator(context, SPLITS);
            enumerator.handleSplitRequest(0, "host");
            assertEquals(new PendingSplits(SPLITS.subList(1, 4)), enumerator.snapshotState(1));

            ArraySplit resumed = SPLITS.get(0).withNextRow(5);
            enumerator.addSplitsBack(List.of(resumed), 0);
            PendingSplits checkpoint = enumerator.snapshotState(2);
            assertEquals(List.of(SPLITS.get(1), SPLITS.get(2), SPLITS.get(3), resumed), checkpoint.splits());

            PendingSplitsSerializer serializer = PendingSplitsSerializer.INSTANCE;
            PendingSplits restored =
                    serializer.deserialize(serializer.getVersion(), serializer.serialize(checkpoint));
            ArraySplitEnumerator again = new ArraySplitEnumerator(context, restored.splits());
            assertEquals(checkpoint, again.snapshotState(3));
        }
    }

    @Test
    void answersARequestThatCameBeforeItsReaderRegistered() throws Exception {
        try (MockSplitEnumeratorContext<ArraySplit> context = new MockSplitEnumeratorContext<>(1)) {
            ArraySplitEnumerator enumerator = new ArraySplitEnumerator(context, SPLITS);
            enumerator.handleSplitRequest(0, "host");
            assertEquals(0, context.getSplitsAssignmentSequence().size(), "no split for a reader that is not registered");
            assertEquals(SPLITS, enumerator.snapshotState(1).splits());
            context.registerReader(new ReaderInfo(0, "host"));
            enumerator.addReader(0);
            assertEquals(List.of(SPLITS.get(0)), context.getSplitsAssignmentSequence().get(0).assignment().get(0),
                    "the request is answered once the reader registers");
            enumerator.addReader(0);
            assertEquals(1, context.getSplitsAssignmentSequence().size(), "and only once");
        }
    }
}
