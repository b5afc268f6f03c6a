package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers in Flink's operator harness and the committer together, across job boundaries: a new
 * job appending to a file an earlier job (or h5py) wrote, and jobs restored at a lower and a
 * higher parallelism (Flink's own state repartitioning), with blocks cut and routed the way the
 * sink's own pre-write topology sends them. The files are judged
 * by h5py.
 */
class SinkPipelineTest {
    private static final int COLUMNS = 4;
    private static final DatasetSpec GROWING = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).shuffle().deflate(1).build();

    @TempDir Path dir;

    /** A bounded job at parallelism 1: the blocks, end of input, and the commit of the final committables. */
    private void runJob(Hdf5Sink sink, ArrayBlock... blocks) throws Exception {
        List<Hdf5Committable> committables;
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(blocks);
            committables = w.endInput();
        }
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(committables);
        }
    }

    @Test
    void aSecondJobAppendingToADatasetThatEndsMidChunkKeepsTheEarlierRows() throws Exception {
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("rec.h5").declareAppended("/data", GROWING).build();
        runJob(sink, SinkTestJobs.rows("/data", 0, 6, COLUMNS, true)); // rows 4-5 in a partial chunk
        assertEquals(SinkTestJobs.matrixString(6, COLUMNS), SinkTestJobs.h5py(dir.resolve("rec.h5"), "/data"));
        runJob(sink, SinkTestJobs.rows("/data", 6, 4, COLUMNS, true));
        assertEquals(SinkTestJobs.matrixString(10, COLUMNS), SinkTestJobs.h5py(dir.resolve("rec.h5"), "/data"),
                "rows 4-5, committed by the first job, must survive the second job's appends");
    }

    @Test
    void appendingToAnH5pyDatasetThatEndsMidChunkKeepsItsRows() throws Exception {
        Path file = dir.resolve("h5py.h5");
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 6; r++) {
            rows.append(r == 0 ? "" : ",").append('[');
            for (int c = 0; c < COLUMNS; c++) rows.append(c == 0 ? "" : ",").append(SinkTestJobs.value(r, c));
            rows.append(']');
        }
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f.create_dataset('data', data=np.array([" + rows + "], dtype='<i4'), maxshape=(None, 4), chunks=(4, 4),",
                "                     shuffle=True, compression='gzip', compression_opts=1)"),
                file.toString());
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("h5py.h5").build();
        runJob(sink, SinkTestJobs.rows("/data", 6, 4, COLUMNS, true));
        assertEquals(SinkTestJobs.matrixString(10, COLUMNS), SinkTestJobs.h5py(file, "/data"),
                "rows 4-5, written by h5py, must survive the sink's appends");
    }

    @Test
    void aSecondJobAppendingAtAChunkBoundaryKeepsTheEarlierRows() throws Exception {
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("rec.h5").declareAppended("/data", GROWING).build();
        runJob(sink, SinkTestJobs.rows("/data", 0, 8, COLUMNS, true));
        runJob(sink, SinkTestJobs.rows("/data", 8, 6, COLUMNS, true));
        assertEquals(SinkTestJobs.matrixString(14, COLUMNS), SinkTestJobs.h5py(dir.resolve("rec.h5"), "/data"));
    }

    /**
     * Two writers spill and checkpoint, their committables are committed, the job is restored at
     * parallelism 1 from both states: the merged writer reads back both writers' spills, and once
     * everything is committed the staging directory is empty (the adopted writer's files too).
     */
    @Test
    void rescalingDownCommitsEveryChunkOnceAndCleansUpTheAdoptedWritersFiles() throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 8, 16).chunks(4, 4).shuffle().deflate(1).build();
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("down.h5").declare("/s", spec).bufferBudgetBytes(100).build();
        SinkWriterHarness.Checkpoint s0;
        SinkWriterHarness.Checkpoint s1;
        try (SinkWriterHarness w0 = SinkWriterHarness.open(sink, 2, 0, null);
                SinkWriterHarness w1 = SinkWriterHarness.open(sink, 2, 1, null)) {
            List<List<ArrayBlock>> routed = SinkTestJobs.route(sink, 2, columns(0, 4, 1, 5, 2, 8, 12, 9, 13, 10, 14));
            w0.write(routed.get(0).toArray(ArrayBlock[]::new));
            w1.write(routed.get(1).toArray(ArrayBlock[]::new));
            s0 = w0.checkpoint(1);
            s1 = w1.checkpoint(1);
        }
        assertFalse(s0.only().liveSpillFiles().isEmpty() || s1.only().liveSpillFiles().isEmpty(), "both writers spilled");
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(List.of(s0.only(), s1.only()));
            try (SinkWriterHarness w = SinkWriterHarness.rescaled(sink, 1, 0, s0.state(), s1.state())) {
                w.write(columns(3, 6, 7, 11, 15));
                committer.commit(w.checkpoint(2).committables());
                committer.commit(w.endInput());
            }
        }
        StringBuilder expected = new StringBuilder("8,16:");
        for (int r = 0; r < 8; r++) for (int c = 0; c < 16; c++) expected.append(r + c == 0 ? "" : ",").append(SinkTestJobs.value(r, c));
        assertEquals(expected.toString(), SinkTestJobs.h5py(dir.resolve("down.h5"), "/s"));
        try (var left = java.nio.file.Files.list(dir.resolve(SinkConfig.STAGING_DIRECTORY))) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "staging files left behind");
        }
    }

    /**
     * Two writers spill and checkpoint, their committables are committed, the job is restored at
     * parallelism 3: Flink splits each old writer's buckets between new writers, so a new writer
     * can hold chunks another writer spilled, in files whose name that writer keeps. It reads them
     * back at once (the keeper deletes such files once its own state no longer needs them). Every
     * chunk is committed once, and the staging directory ends empty.
     */
    @Test
    void rescalingUpSplitsWritersWithTheirSpilledChunksAndCommitsEveryChunkOnce() throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 8, 32).chunks(4, 4).shuffle().deflate(1).build();
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("up.h5").declare("/s", spec).bufferBudgetBytes(100).build();
        SinkWriterHarness.Checkpoint[] old = new SinkWriterHarness.Checkpoint[2];
        Set<String> oldIds = new HashSet<>();
        List<List<ArrayBlock>> routed = SinkTestJobs.route(sink, 2, columns(IntStream.range(0, 32).filter(c -> c % 4 != 3).toArray()));
        for (int i = 0; i < 2; i++) {
            try (SinkWriterHarness w = SinkWriterHarness.open(sink, 2, i, null)) {
                w.write(routed.get(i).toArray(ArrayBlock[]::new));
                old[i] = w.checkpoint(1);
                oldIds.add(old[i].only().writerId());
            }
            assertFalse(old[i].only().liveSpillFiles().isEmpty(), "writer " + i + " spilled");
        }
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(List.of(old[0].only(), old[1].only()));
            List<SinkWriterHarness> writers = new ArrayList<>();
            try {
                int foreign = 0;
                for (int i = 0; i < 3; i++) {
                    SinkWriterHarness w = SinkWriterHarness.rescaled(sink, 3, i, old[0].state(), old[1].state());
                    writers.add(w);
                    Hdf5WriterState state = w.peekState();
                    for (Hdf5WriterState.DatasetState d : state.datasets()) {
                        for (Hdf5WriterState.ChunkState c : d.openChunks()) {
                            if (c.spilled() == null) continue;
                            String owner = StagingFiles.writerOf(c.spilled().file());
                            assertTrue(owner.equals(state.writerId()) || state.adoptedWriterIds().contains(owner),
                                    "writer " + i + " references a spill file of " + owner + ", which it neither is nor adopted");
                        }
                    }
                    if (!oldIds.contains(state.writerId())) foreign += state.datasets().stream().mapToInt(d -> d.openChunks().size()).sum();
                }
                assertTrue(foreign > 0, "a new writer restored another writer's open chunks");
                routed = SinkTestJobs.route(sink, 3, columns(IntStream.range(0, 32).filter(c -> c % 4 == 3).toArray()));
                for (int i = 0; i < 3; i++) writers.get(i).write(routed.get(i).toArray(ArrayBlock[]::new));
                List<Hdf5Committable> committables = new ArrayList<>();
                for (SinkWriterHarness w : writers) committables.addAll(w.checkpoint(2).committables());
                committer.commit(committables);
                committables.clear();
                for (SinkWriterHarness w : writers) committables.addAll(w.endInput());
                committer.commit(committables);
            } finally {
                for (SinkWriterHarness w : writers) w.close();
            }
        }
        StringBuilder expected = new StringBuilder("8,32:");
        for (int r = 0; r < 8; r++) for (int c = 0; c < 32; c++) expected.append(r + c == 0 ? "" : ",").append(SinkTestJobs.value(r, c));
        assertEquals(expected.toString(), SinkTestJobs.h5py(dir.resolve("up.h5"), "/s"));
        assertEquals("16", ReferenceLibrary.runPython(String.join("\n", "import sys, h5py",
                "print(h5py.File(sys.argv[1], 'r')['s'].id.get_num_chunks())"), dir.resolve("up.h5").toString()).strip());
        try (var left = java.nio.file.Files.list(dir.resolve(SinkConfig.STAGING_DIRECTORY))) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "staging files left behind");
        }
    }

    private static ArrayBlock[] columns(int... columns) {
        return Arrays.stream(columns).mapToObj(c -> SinkTestJobs.column("/s", c, 8)).toArray(ArrayBlock[]::new);
    }

    /**
     * Restored at parallelism 2 from the state of one writer, the sink routes the next blocks of a
     * dataset (chosen so that it is subtask 1) to the writer that Flink handed the dataset's open
     * chunk and append cursor: the rows continue where they stopped, nothing lost or doubled.
     */
    private void rescaleUp(boolean append) throws Exception {
        String dataset = null;
        Hdf5Sink sink = null;
        for (int i = 0; i < 100 && dataset == null; i++) {
            String candidate = "/d" + i;
            Hdf5Sink.Builder builder = Hdf5Sink.builder(dir).defaultFile("out.h5");
            sink = (append ? builder.declareAppended(candidate, GROWING) : builder.declare(candidate, GROWING)).build();
            if (SinkTestJobs.route(sink, 2, SinkTestJobs.rows(candidate, 4, 4, COLUMNS, append)).get(1).size() == 1) dataset = candidate;
        }
        assertNotNull(dataset, "no dataset name routes to subtask 1");
        SinkWriterHarness.Checkpoint cp1;
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(SinkTestJobs.rows(dataset, 0, 6, COLUMNS, append)); // rows 4-5 stay in an open chunk
            cp1 = w.checkpoint(1);
        }
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(cp1.committables());
            List<Hdf5Committable> committables = new ArrayList<>();
            try (SinkWriterHarness w0 = SinkWriterHarness.rescaled(sink, 2, 0, cp1.state());
                    SinkWriterHarness w1 = SinkWriterHarness.rescaled(sink, 2, 1, cp1.state())) {
                assertTrue(w0.peekState().datasets().stream().allMatch(d -> d.openChunks().isEmpty()), "subtask 0 has no open chunk");
                assertEquals(1, w1.peekState().datasets().get(0).openChunks().size(), "subtask 1 has the open chunk");
                List<List<ArrayBlock>> routed = SinkTestJobs.route(sink, 2, SinkTestJobs.rows(dataset, 6, 4, COLUMNS, append));
                w0.write(routed.get(0).toArray(ArrayBlock[]::new)); // explicit rows 8-9: a new chunk, maybe subtask 0's
                w1.write(routed.get(1).toArray(ArrayBlock[]::new));
                committables.addAll(w0.checkpoint(2).committables());
                committables.addAll(w1.checkpoint(2).committables());
                committables.addAll(w0.endInput());
                committables.addAll(w1.endInput());
            }
            committer.commit(committables);
        }
        assertEquals(SinkTestJobs.matrixString(10, COLUMNS), SinkTestJobs.h5py(dir.resolve("out.h5"), dataset));
    }

    @Test
    void rescalingUpHandsAnOpenAppendToTheWriterItsRowsNowReach() throws Exception {
        rescaleUp(true);
    }

    @Test
    void rescalingUpHandsOpenChunksAtExplicitOffsetsToTheWriterTheirPiecesNowReach() throws Exception {
        rescaleUp(false);
    }
}
