package io.hdf5flink.sink;

import static io.hdf5flink.sink.SinkWriterHarness.decode;
import static io.hdf5flink.sink.SinkWriterHarness.toInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.partition.ChunkRouting;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's writer on its own, in Flink's SinkWriterOperator inside Flink's operator test
 * harness ({@link SinkWriterHarness}): checkpoints in Flink's order, state snapshotted and
 * restored through the sink's {@code Hdf5WriterStateSerializer}, committables as the operator
 * emits them, and staged chunks decoded back to raw chunks.
 */
class Hdf5SinkWriterTest {
    private static final int COLUMNS = 4;
    /** An appended int32 dataset of rows of 4, chunks of 4 rows, shuffle + gzip. */
    private static final DatasetSpec APPENDED = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).shuffle().deflate(1).build();

    @TempDir Path dir;

    private Hdf5Sink.Builder sink() {
        return Hdf5Sink.builder(dir).defaultFile("out.h5").compressionThreads(2).stageChunks(true);
    }

    /** The raw chunk of rows [first, first + 4) of the test matrix, rows from {@code rows} on filled with {@code fill}. */
    private static int[] rowChunk(long first, long rows, int fill) {
        int[] out = new int[4 * COLUMNS];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < COLUMNS; c++) out[r * COLUMNS + c] = first + r < rows ? SinkTestJobs.value(first + r, c) : fill;
        }
        return out;
    }

    private static List<Chunk> chunks(Path base, List<Hdf5Committable> committables) throws Exception {
        List<Chunk> out = new ArrayList<>();
        for (Hdf5Committable c : committables) {
            for (Hdf5Committable.DatasetPart p : c.parts()) {
                for (Hdf5Committable.ChunkRef r : p.chunks()) {
                    out.add(new Chunk(p.dataset(), List.of(Arrays.stream(r.origin()).boxed().toArray(Long[]::new)),
                            toInts(decode(base, c, p, r))));
                }
            }
        }
        return out;
    }

    private record Chunk(String dataset, List<Long> origin, int[] values) {}

    private static Hdf5Committable.DatasetPart part(Hdf5Committable c, String dataset) {
        return c.parts().stream().filter(p -> p.dataset().equals(dataset)).findFirst()
                .orElseThrow(() -> new AssertionError("no part for " + dataset + " in " + c));
    }

    private static Hdf5WriterState.DatasetState datasetState(Hdf5WriterState s, String dataset) {
        return s.datasets().stream().filter(d -> d.dataset().equals(dataset)).findFirst()
                .orElseThrow(() -> new AssertionError("no state for " + dataset));
    }

    @Test
    void chunkOpenAtACheckpointSurvivesRestoreAndCompletesExactlyOnce() throws Exception {
        Hdf5Sink sink = sink().declareAppended("/a", APPENDED).build();
        SinkWriterHarness.Checkpoint cp1;
        String writerId;
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(SinkTestJobs.rows("/a", 0, 2, COLUMNS, true));
            cp1 = w.checkpoint(1);
            Hdf5Committable c = cp1.only();
            writerId = c.writerId();
            assertEquals(0, c.epoch());
            assertTrue(c.parts().stream().allMatch(p -> p.chunks().isEmpty()), "half a chunk is not staged: " + c);
            assertNull(c.stagingFile(), "nothing was staged, so there is no staging file");
            Hdf5WriterState.DatasetState a = datasetState(w.peekState(), "/a");
            assertEquals(2, a.cursor());
            assertEquals(1, a.openChunks().size());
            assertEquals(8, a.openChunks().get(0).covered());
            assertEquals(16, a.openChunks().get(0).needed());
            // The checkpoint references a copy of the open chunk in a spill file, not its bytes:
            // a restore reads a small state (issue 20, item 6).
            assertNull(a.openChunks().get(0).raw(), "the open chunk's bytes are not in the checkpoint");
            String copy = a.openChunks().get(0).spilled().file();
            assertEquals(StagingFiles.name(writerId, 0, StagingFiles.SPILL), copy);
            assertEquals(List.of(copy), c.liveSpillFiles(), "the committer keeps the file the checkpoint references");
            // the "failure": the writer goes away with its half chunk in the checkpoint only
        }

        try (SinkWriterHarness w = SinkWriterHarness.open(sink, 1, 0, cp1.state())) {
            Hdf5WriterState restored = w.peekState();
            assertEquals(writerId, restored.writerId(), "a restored writer keeps its id");
            assertEquals(1, restored.nextEpoch());
            Hdf5WriterState.DatasetState a = datasetState(restored, "/a");
            assertEquals(2, a.cursor(), "append cursor restored");
            assertEquals(1, a.openChunks().size(), "open chunk restored");
            assertEquals(8, a.openChunks().get(0).covered());

            w.write(SinkTestJobs.rows("/a", 2, 4, COLUMNS, true)); // completes rows 0-3, opens rows 4-7
            SinkWriterHarness.Checkpoint cp2 = w.checkpoint(2);
            Hdf5Committable c2 = cp2.only();
            assertEquals(writerId, c2.writerId());
            assertEquals(1, c2.epoch());
            assertEquals(StagingFiles.name(writerId, 1, StagingFiles.CHUNKS), c2.stagingFile());
            List<Chunk> staged = chunks(dir, cp2.committables());
            assertEquals(1, staged.size(), "exactly the completed chunk is staged");
            assertEquals(List.of(0L, 0L), staged.get(0).origin());
            assertArrayEquals(rowChunk(0, 6, 0), staged.get(0).values(), "restored rows 0-1 and new rows 2-3");
            assertArrayEquals(new long[] {4, COLUMNS}, part(c2, "/a").visibleShape(), "complete chunks only are visible");

            List<Hdf5Committable> last = w.endInput();
            List<Chunk> end = chunks(dir, last);
            assertEquals(1, end.size(), "the open chunk, not again the completed one: " + end);
            assertEquals(List.of(4L, 0L), end.get(0).origin());
            assertArrayEquals(rowChunk(4, 6, 0), end.get(0).values(), "rows 4-5, then the fill value");
            assertArrayEquals(new long[] {6, COLUMNS}, part(last.get(0), "/a").visibleShape(), "every row at end of input");
            assertEquals(2, last.get(0).epoch());
        }
    }

    @Test
    void endOfInputCompletesPartialChunksWithTheFillValue() throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 6, 6).chunks(4, 4).fillValue(7).lz4().build();
        Hdf5Sink sink = sink().declare("/e", spec).build();
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(ArrayBlock.at("/e", DataType.INT32, new long[] {1, 1}, new long[] {2, 3}, SinkWriterHarness.ints(1, 2, 3, 4, 5, 6)));
            // The corner chunk holds 2 x 2 elements inside the 6 x 6 bounds: these complete it at once.
            w.write(ArrayBlock.at("/e", DataType.INT32, new long[] {4, 4}, new long[] {2, 2}, SinkWriterHarness.ints(11, 12, 13, 14)));
            SinkWriterHarness.Checkpoint cp = w.checkpoint(1);
            List<Chunk> staged = chunks(dir, cp.committables());
            assertEquals(1, staged.size(), "only the edge chunk is complete: " + staged);
            assertEquals(List.of(4L, 4L), staged.get(0).origin());
            assertArrayEquals(new int[] {11, 12, 7, 7, 13, 14, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, staged.get(0).values(),
                    "outside the dataset's bounds the chunk holds the fill value");
            assertArrayEquals(new long[] {6, 6}, part(cp.only(), "/e").visibleShape());

            List<Chunk> end = chunks(dir, w.endInput());
            assertEquals(1, end.size(), "untouched chunks are never staged: " + end);
            assertEquals(List.of(0L, 0L), end.get(0).origin());
            assertArrayEquals(new int[] {7, 7, 7, 7, 7, 1, 2, 3, 7, 4, 5, 6, 7, 7, 7, 7}, end.get(0).values());
        }
    }

    @Test
    void stagedChunkRefsPointAtBytesThatDecodeToTheRawChunk() throws Exception {
        Map<String, DatasetSpec> specs = new HashMap<>();
        specs.put("/none", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).build());
        specs.put("/gzip", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).shuffle().deflate(9).fletcher32().build());
        specs.put("/lzf", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).lzf().build());
        specs.put("/lz4", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).shuffle().lz4().build());
        specs.put("/bzip2", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).bzip2(9).build());
        specs.put("/zstd", DatasetSpec.builder(DataType.INT32, 16, 4).chunks(4, 4).zstd(3).fletcher32().build());
        Hdf5Sink.Builder b = sink();
        specs.forEach(b::declare);
        try (SinkWriterHarness w = SinkWriterHarness.open(b.build())) {
            for (String name : specs.keySet()) w.write(SinkTestJobs.rows(name, 0, 16, 4, false));
            Hdf5Committable c = w.checkpoint(1).only();
            Path staging = dir.resolve(SinkConfig.STAGING_DIRECTORY).resolve(c.stagingFile());
            long size = Files.size(staging);
            List<long[]> extents = new ArrayList<>();
            for (Hdf5Committable.DatasetPart p : c.parts()) {
                assertEquals(4, p.chunks().size(), p.dataset());
                for (Hdf5Committable.ChunkRef r : p.chunks()) {
                    assertTrue(r.position() >= 0 && r.position() + r.length() <= size, "ref inside the staging file");
                    extents.add(new long[] {r.position(), r.position() + r.length()});
                    assertArrayEquals(rowChunk(r.origin()[0], 16, 0), toInts(decode(dir, c, p, r)), p.dataset() + " at "
                            + Arrays.toString(r.origin()));
                }
            }
            extents.sort((x, y) -> Long.compare(x[0], y[0]));
            for (int i = 1; i < extents.size(); i++) assertTrue(extents.get(i)[0] >= extents.get(i - 1)[1], "refs overlap");
            assertEquals(size, extents.get(extents.size() - 1)[1], "the staging file holds the staged chunks and nothing else");
        }
    }

    /** An (8, 16) int32 dataset of 4 x 4 chunks, written one column at a time. */
    private static final DatasetSpec COLUMNAR = DatasetSpec.builder(DataType.INT32, 8, 16).chunks(4, 4).shuffle().deflate(1).build();

    private static int[] columnChunk(long row0, long col0) {
        int[] out = new int[16];
        for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) out[r * 4 + c] = SinkTestJobs.value(row0 + r, col0 + c);
        return out;
    }

    @Test
    void spilledChunksAreReferencedByTheSnapshotAndCompleteAfterRestore() throws Exception {
        Hdf5Sink sink = sink().declare("/s", COLUMNAR).bufferBudgetBytes(100).build(); // a chunk is 64 bytes
        SinkWriterHarness.Checkpoint cp1;
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            for (int c : new int[] {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14}) w.write(SinkTestJobs.column("/s", c, 8));
            cp1 = w.checkpoint(1);
            Hdf5Committable c = cp1.only();
            assertTrue(c.parts().stream().allMatch(p -> p.chunks().isEmpty()), "no chunk is complete yet");
            assertFalse(c.liveSpillFiles().isEmpty(), "chunks were spilled and the state references them");
            Hdf5WriterState.DatasetState s = datasetState(w.peekState(), "/s");
            assertEquals(8, s.openChunks().size());
            Set<String> referenced = new HashSet<>();
            long inMemory = 0;
            for (Hdf5WriterState.ChunkState chunk : s.openChunks()) {
                assertEquals(12, chunk.covered());
                if (chunk.spilled() != null) {
                    referenced.add(chunk.spilled().file());
                    Path file = dir.resolve(SinkConfig.STAGING_DIRECTORY).resolve(chunk.spilled().file());
                    assertTrue(Files.size(file) >= chunk.spilled().position() + chunk.spilled().length(), "spill file holds the chunk");
                } else {
                    inMemory += chunk.raw().length;
                }
            }
            assertEquals(Set.copyOf(c.liveSpillFiles()), referenced, "the committable lists exactly the spill files the state uses");
            assertTrue(inMemory <= 100, inMemory + " bytes in memory, over the budget");
        }
        try (SinkWriterHarness w = SinkWriterHarness.open(sink, 1, 0, cp1.state())) {
            for (int c : new int[] {3, 7, 11, 15}) w.write(SinkTestJobs.column("/s", c, 8));
            SinkWriterHarness.Checkpoint cp2 = w.checkpoint(2);
            List<Chunk> staged = chunks(dir, cp2.committables());
            assertEquals(8, staged.size(), "every chunk completes once: " + staged);
            assertEquals(8, staged.stream().map(Chunk::origin).distinct().count());
            for (Chunk chunk : staged) {
                assertArrayEquals(columnChunk(chunk.origin().get(0), chunk.origin().get(1)), chunk.values(), "chunk " + chunk.origin());
            }
            assertTrue(datasetState(w.peekState(), "/s").openChunks().isEmpty());
            assertTrue(cp2.only().liveSpillFiles().isEmpty(), "no spill file is live any more");
            assertTrue(chunks(dir, w.endInput()).isEmpty(), "nothing left at end of input");
        }
    }

    @Test
    void restoreFromTwoStatesMergesThemAndAdoptsTheOtherWriter() throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 8, 16).chunks(4, 4).build();
        Hdf5Sink sink = sink().declare("/s", spec).bufferBudgetBytes(100).build();
        SinkWriterHarness.Checkpoint s0;
        SinkWriterHarness.Checkpoint s1;
        String id0;
        String id1;
        try (SinkWriterHarness w0 = SinkWriterHarness.open(sink, 2, 0, null);
                SinkWriterHarness w1 = SinkWriterHarness.open(sink, 2, 1, null)) {
            // the pieces of these columns, as the routing cuts and sends them: every chunk is left open
            List<List<ArrayBlock>> routed = SinkTestJobs.route(sink, 2, columns(0, 1, 4, 8, 9, 10, 12, 13, 14));
            w0.write(routed.get(0).toArray(ArrayBlock[]::new));
            w0.checkpoint(1);
            w0.checkpoint(2);
            s0 = w0.checkpoint(3);
            w1.write(routed.get(1).toArray(ArrayBlock[]::new));
            s1 = w1.checkpoint(3);
            id0 = s0.only().writerId();
            id1 = s1.only().writerId();
            assertEquals(2, s0.only().epoch());
            assertEquals(0, s1.only().epoch());
            assertFalse(s0.only().liveSpillFiles().isEmpty() || s1.only().liveSpillFiles().isEmpty(), "both writers spilled");
        }
        try (SinkWriterHarness w = SinkWriterHarness.rescaled(sink, 1, 0, s0.state(), s1.state())) {
            Hdf5WriterState merged = w.peekState();
            assertEquals(id0, merged.writerId(), "the writer keeps the id of the writer that had the lowest bucket");
            assertEquals(List.of(id1), merged.adoptedWriterIds(), "the other writer is adopted");
            assertEquals(3, merged.nextEpoch(), "the epoch continues after the largest one");
            assertEquals(8, datasetState(merged, "/s").openChunks().size(), "both writers' open chunks");
            assertEquals(ChunkRouting.BUCKETS, w.peekElements().size(), "one state element per bucket");

            w.write(columns(2, 3, 5, 6, 7, 11, 15));
            Hdf5Committable c = w.checkpoint(4).only();
            assertEquals(id0, c.writerId());
            assertEquals(3, c.epoch());
            assertEquals(List.of(id1), c.adoptedWriterIds(), "the committer learns which writer's files to clean up");
            List<Chunk> staged = chunks(dir, List.of(c));
            assertEquals(8, staged.size(), staged.toString());
            assertEquals(8, staged.stream().map(Chunk::origin).distinct().count());
            for (Chunk chunk : staged) {
                assertArrayEquals(columnChunk(chunk.origin().get(0), chunk.origin().get(1)), chunk.values(), "chunk " + chunk.origin());
            }
        }
    }

    private static ArrayBlock[] columns(int... columns) {
        return Arrays.stream(columns).mapToObj(c -> SinkTestJobs.column("/s", c, 8)).toArray(ArrayBlock[]::new);
    }

    @Test
    void committablesAreEmittedEveryCheckpointEvenWhenEmpty() throws Exception {
        Hdf5Sink sink = sink().declareAppended("/a", APPENDED).build();
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            for (long cp = 1; cp <= 2; cp++) {
                SinkWriterHarness.Checkpoint c = w.checkpoint(cp);
                assertEquals(2, c.messages().size(), "a summary and one committable: " + c.messages());
                CommittableMessage<Hdf5Committable> first = c.messages().get(0);
                assertTrue(first instanceof CommittableSummary, "summary first");
                CommittableSummary<Hdf5Committable> summary = (CommittableSummary<Hdf5Committable>) first;
                assertEquals(cp, summary.getCheckpointId());
                assertEquals(1, summary.getNumberOfCommittables());
                assertEquals(cp, ((CommittableWithLineage<Hdf5Committable>) c.messages().get(1)).getCheckpointId());
                Hdf5Committable empty = c.only();
                assertEquals(cp - 1, empty.epoch());
                assertNull(empty.stagingFile());
                assertTrue(empty.parts().isEmpty(), "no datasets yet");
                assertTrue(empty.liveSpillFiles().isEmpty());
                assertNotNull(empty.writerId());
            }
            w.write(SinkTestJobs.rows("/a", 0, 4, COLUMNS, true));
            assertEquals(1, chunks(dir, w.checkpoint(3).committables()).size());
            Hdf5Committable idle = w.checkpoint(4).only();
            assertEquals(3, idle.epoch());
            assertTrue(idle.parts().isEmpty(), "an unchanged dataset is not repeated: " + idle.parts());
            assertNull(idle.stagingFile());
        }
    }

    /**
     * A writer added by scaling up that dies after its committable but before the checkpoint
     * carrying it completes: nothing will ever commit its chunks, and the next attempt restored from
     * the same checkpoint, at any parallelism, frees its space (written in place) or deletes its
     * staging file. A new-named writer's name came from the new job before, so an attempt at
     * another job id, or at parallelism 1, never learnt it: the space stayed a hole.
     */
    @Test
    void theNextAttemptFreesWhatAWriterAddedByScalingUpLeftBeforeItsCheckpoint() throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 0, COLUMNS).maxShape(DatasetSpec.UNLIMITED, COLUMNS)
                .chunks(4, COLUMNS).build();
        for (boolean staged : new boolean[] {false, true}) {
            Path base = dir.resolve(staged ? "staged" : "in-place");
            Hdf5Sink sink = Hdf5Sink.builder(base).defaultFile("out.h5").stageChunks(staged).chunkAlignedInput(true)
                    .declare("/a", spec).build();
            SinkWriterHarness.Checkpoint first;
            try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
                w.write(SinkTestJobs.rows("/a", 0, 8, COLUMNS, false));
                first = w.checkpoint(1);
            }
            Hdf5Committable lost;
            try (SinkWriterHarness added = SinkWriterHarness.rescaled(sink, 2, 1, first.state())) {
                added.write(SinkTestJobs.rows("/a", 8, 16, COLUMNS, false));
                lost = added.checkpoint(2).only(); // then the process dies: checkpoint 2 never completes
            }
            assertEquals(4, part(lost, "/a").chunks().size());
            try (SinkWriterHarness again = SinkWriterHarness.rescaled(sink, 1, 0, first.state())) {
                again.write(SinkTestJobs.rows("/a", 8, 16, COLUMNS, false));
                Hdf5Committable c = again.checkpoint(2).only();
                if (staged) {
                    assertFalse(Files.exists(base.resolve(SinkConfig.STAGING_DIRECTORY).resolve(lost.stagingFile())),
                            "the lost writer's staging file is deleted");
                } else {
                    long lostStart = part(lost, "/a").chunks().stream().mapToLong(Hdf5Committable.ChunkRef::position).min().orElseThrow();
                    long start = part(c, "/a").chunks().stream().mapToLong(Hdf5Committable.ChunkRef::position).min().orElseThrow();
                    assertEquals(lostStart, start, "the space the lost writer claimed is written again");
                }
            }
        }
    }
}
