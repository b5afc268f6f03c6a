package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.committer.Hdf5Committable;
import io.hdf5flink.sink.partition.ChunkRouting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers in Flink's operator harness and the committer together, across job boundaries: a new
 * job appending to a file an earlier job (or h5py) wrote, and a job restored at a higher
 * parallelism, with blocks routed the way the sink's own routing sends them. The files are judged
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
            for (int c : new int[] {0, 4, 1, 5, 2}) w0.write(SinkTestJobs.column("/s", c, 8));
            for (int c : new int[] {8, 12, 9, 13, 10, 14}) w1.write(SinkTestJobs.column("/s", c, 8));
            s0 = w0.checkpoint(1);
            s1 = w1.checkpoint(1);
        }
        assertFalse(s0.only().liveSpillFiles().isEmpty() || s1.only().liveSpillFiles().isEmpty(), "both writers spilled");
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(List.of(s0.only(), s1.only()));
            try (SinkWriterHarness w = SinkWriterHarness.rescaled(sink, 1, 0, s0.state(), s1.state())) {
                for (int c : new int[] {3, 6, 7, 11, 15}) w.write(SinkTestJobs.column("/s", c, 8));
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

    /** The writer subtask the sink's routing sends a block to. */
    private static int route(SinkConfig config, ArrayBlock block, int parallelism) {
        return new ChunkRouting.ToSubtask().partition(new ChunkRouting(config).getKey(block), parallelism);
    }

    private SinkConfig config(String dataset) {
        return new SinkConfig(dir, "out.h5", Map.of(SinkConfig.key(null, dataset), new DatasetDeclaration(null, dataset, GROWING, false)),
                Compression.none(), 1 << 20, 1, 1 << 20, false, false);
    }

    /**
     * Restored at parallelism 2 from the state of one writer (which Flink gives to subtask 0), the
     * sink would route the next blocks of a dataset to whichever subtask their key picks, here
     * subtask 1, which has neither the dataset's open chunk nor its append cursor: rows would be
     * lost. The restore is refused instead, naming the dataset and what to do.
     */
    private void rescaleUp(boolean append) throws Exception {
        String dataset = null;
        for (int i = 0; i < 100 && dataset == null; i++) {
            String candidate = "/d" + i;
            if (route(config(candidate), SinkTestJobs.rows(candidate, 4, 4, COLUMNS, append), 2) == 1) dataset = candidate;
        }
        assertNotNull(dataset, "no dataset name routes to subtask 1");
        Hdf5Sink.Builder builder = Hdf5Sink.builder(dir).defaultFile("out.h5");
        Hdf5Sink sink = (append ? builder.declareAppended(dataset, GROWING) : builder.declare(dataset, GROWING)).build();
        SinkWriterHarness.Checkpoint cp1;
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(SinkTestJobs.rows(dataset, 0, 6, COLUMNS, append)); // rows 4-5 stay in an open chunk
            cp1 = w.checkpoint(1);
        }
        try (TestCommitter committer = new TestCommitter(sink)) {
            committer.commit(cp1.committables());
        }
        String committed = SinkTestJobs.h5py(dir.resolve("out.h5"), dataset);
        String only = dataset;
        Exception e = assertThrows(Exception.class, () -> SinkWriterHarness.rescaled(sink, 2, 0, cp1.state()).close());
        String message = SinkTestJobs.rootCause(e).getMessage();
        assertTrue(message.contains(only) && message.contains("restore the sink at the parallelism"), message);
        assertEquals(committed, SinkTestJobs.h5py(dir.resolve("out.h5"), dataset), "the committed data stays as it was");
    }

    @Test
    void rescalingUpWithAnOpenAppendIsRefusedNotLossy() throws Exception {
        rescaleUp(true);
    }

    @Test
    void rescalingUpWithOpenChunksAtExplicitOffsetsIsRefusedNotLossy() throws Exception {
        rescaleUp(false);
    }
}
