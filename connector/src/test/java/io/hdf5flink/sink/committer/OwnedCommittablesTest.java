package io.hdf5flink.sink.committer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.RolledFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pre-commit step in Flink's operator harness, one instance per committer subtask, all fed
 * the same broadcast messages of three writers: every file's share is kept by exactly one
 * subtask (the file's owner), a writer's clean-up-only committable by one, and each subtask's
 * summaries count exactly the committables that follow them, one summary per writer, so Flink's
 * committer sees complete batches.
 */
class OwnedCommittablesTest {
    private static final DatasetSpec SPEC = DatasetSpec.builder(DataType.INT16, 0, 2)
            .maxShape(DatasetSpec.UNLIMITED, 2).chunks(4, 2).build();
    private static final long CHECKPOINT = 7;

    private static Hdf5Committable.DatasetPart part(String file, String dataset, long firstRow) {
        return new Hdf5Committable.DatasetPart(file, dataset, SPEC, new long[] {firstRow + 4, 2},
                List.of(new Hdf5Committable.ChunkRef(new long[] {firstRow, 0}, 4096 + firstRow, 16, 0)));
    }

    private static Hdf5Committable committable(String writer, Hdf5Committable.DatasetPart... parts) {
        return new Hdf5Committable(writer, CHECKPOINT, List.of("adopted-" + writer), null, true, List.of(parts),
                List.of(writer + "-7.spill"));
    }

    /** What three writer subtasks send for one checkpoint, as one committer subtask receives it (interleaved). */
    private static List<CommittableMessage<Hdf5Committable>> broadcast() {
        Hdf5Committable w0 = committable("w0", part("a.h5", "/x", 0), part("b.h5", "/x", 0), part("a.h5", "/y", 0),
                part("c.h5", "/x", 0));
        Hdf5Committable w1 = committable("w1", part("rec_000001.h5", "/d", 0), part("rec_000002.h5", "/d", 8),
                part("rec_000003.h5", "/d", 16));
        Hdf5Committable w2 = committable("w2"); // nothing written: its clean-up only
        List<CommittableMessage<Hdf5Committable>> m = new ArrayList<>();
        m.add(new CommittableSummary<>(1, 3, CHECKPOINT, 1, 0));
        m.add(new CommittableWithLineage<>(w2, CHECKPOINT, 2)); // before its writer's summary: still counted
        m.add(new CommittableSummary<>(0, 3, CHECKPOINT, 1, 0));
        m.add(new CommittableWithLineage<>(w1, CHECKPOINT, 1));
        m.add(new CommittableSummary<>(2, 3, CHECKPOINT, 1, 0));
        m.add(new CommittableWithLineage<>(w0, CHECKPOINT, 0));
        return m;
    }

    private static List<CommittableMessage<Hdf5Committable>> run(int subtask, int parallelism) throws Exception {
        try (OneInputStreamOperatorTestHarness<CommittableMessage<Hdf5Committable>, CommittableMessage<Hdf5Committable>> h =
                new OneInputStreamOperatorTestHarness<>(new StreamFlatMap<>(new OwnedCommittables()), parallelism,
                        parallelism, subtask)) {
            h.open();
            for (CommittableMessage<Hdf5Committable> m : broadcast()) h.processElement(new StreamRecord<>(m));
            List<CommittableMessage<Hdf5Committable>> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                @SuppressWarnings("unchecked")
                StreamRecord<CommittableMessage<Hdf5Committable>> r = (StreamRecord<CommittableMessage<Hdf5Committable>>) o;
                out.add(r.getValue());
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0} committer subtasks")
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void everyShareGoesToExactlyOneSubtaskWithSummariesThatCountIt(int parallelism) throws Exception {
        Map<String, Integer> keptBy = new HashMap<>(); // "writer file" -> subtask
        for (int subtask = 0; subtask < parallelism; subtask++) {
            Map<Integer, Integer> announced = new HashMap<>();
            Map<Integer, Integer> received = new HashMap<>();
            for (CommittableMessage<Hdf5Committable> m : run(subtask, parallelism)) {
                assertEquals(CHECKPOINT, m.getCheckpointIdOrEOI());
                if (m instanceof CommittableSummary<Hdf5Committable> s) {
                    assertEquals(3, s.getNumberOfSubtasks());
                    assertEquals(null, announced.put(s.getSubtaskId(), s.getNumberOfCommittables()), "one summary per writer");
                    continue;
                }
                CommittableWithLineage<Hdf5Committable> c = assertInstanceOf(CommittableWithLineage.class, m);
                assertTrue(announced.containsKey(c.getSubtaskId()), "a committable before its writer's summary");
                received.merge(c.getSubtaskId(), 1, Integer::sum);
                Hdf5Committable share = c.getCommittable();
                assertEquals("w" + c.getSubtaskId(), share.writerId(), "the lineage names the writer");
                assertEquals(List.of(share.writerId() + "-7.spill"), share.liveSpillFiles());
                assertEquals(List.of("adopted-" + share.writerId()), share.adoptedWriterIds());
                Set<String> files = new HashSet<>();
                share.parts().forEach(p -> files.add(p.file()));
                assertTrue(files.size() <= 1, "a share names one file: " + files);
                String key = share.writerId() + " " + (files.isEmpty() ? "-" : files.iterator().next());
                assertEquals(null, keptBy.put(key, subtask), key + " kept twice");
                String owned = files.isEmpty() ? share.writerId() : files.iterator().next();
                assertEquals(FileOwnership.committerOf(owned, parallelism), subtask, key + " kept by a subtask that does not own it");
            }
            assertEquals(Set.of(0, 1, 2), announced.keySet(), "a summary from every writer, even with nothing kept");
            for (Map.Entry<Integer, Integer> e : announced.entrySet()) {
                assertEquals(e.getValue(), received.getOrDefault(e.getKey(), 0), "writer " + e.getKey() + "'s count at subtask " + subtask);
            }
        }
        assertEquals(Set.of("w0 a.h5", "w0 b.h5", "w0 c.h5", "w1 rec_000001.h5", "w1 rec_000002.h5", "w1 rec_000003.h5", "w2 -"),
                keptBy.keySet(), "every share kept once");
        if (parallelism >= 3) {
            Set<Integer> rolled = new HashSet<>();
            for (int i = 1; i <= 3; i++) rolled.add(keptBy.get("w1 rec_00000" + i + ".h5"));
            assertEquals(3, rolled.size(), "consecutive data files of a recording commit on different subtasks");
        }
    }

    @Test
    void consecutiveDataFilesOfARecordingAreOwnedByDistinctSubtasks() {
        for (int parallelism : new int[] {1, 2, 3, 4, 8}) {
            Set<Integer> owners = new HashSet<>();
            for (int i = 0; i < parallelism; i++) owners.add(FileOwnership.committerOf(RolledFiles.dataFile("run.h5", i), parallelism));
            assertEquals(parallelism, owners.size(), "the first " + parallelism + " data files go to distinct subtasks");
        }
    }
}
