package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's committer on its own, fed hand-made committables whose chunks were staged by the
 * test: commits, idempotent re-commits, batches over several files, orphan clean-up, and
 * refusals that leave the file at its last commit. Files are judged by libhdf5 (h5py).
 */
class Hdf5CommitterTest {
    private static final int COLUMNS = 4;
    private static final DatasetSpec ROWS = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).shuffle().deflate(1).build();

    @TempDir Path dir;

    private Hdf5Sink sink() {
        return Hdf5Sink.builder(dir).defaultFile("out.h5").build();
    }

    private Path staging() {
        return dir.resolve(SinkConfig.STAGING_DIRECTORY);
    }

    /** Stages chunks of one writer epoch the way the writer does, and makes the committable naming them. */
    private final class Epoch {
        final String writerId;
        final long epoch;
        final List<String> adopted = new ArrayList<>();
        final List<String> liveSpills = new ArrayList<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final List<Hdf5Committable.DatasetPart> parts = new ArrayList<>();

        Epoch(String writerId, long epoch) {
            this.writerId = writerId;
            this.epoch = epoch;
        }

        /** Rows [first, first + 4 * chunks) of the test matrix as chunks of {@link #ROWS}, publishing {@code visibleRows}. */
        Epoch rows(String file, String dataset, DatasetSpec spec, long first, int chunks, long visibleRows) throws IOException {
            FilterPipeline pipeline = FilterPipeline.of(spec.filters(), spec.type().size(), spec.chunkBytes());
            List<Hdf5Committable.ChunkRef> refs = new ArrayList<>();
            for (int i = 0; i < chunks; i++) {
                long row = first + 4L * i;
                byte[] raw = SinkWriterHarness.ints(matrix(row, 4));
                EncodedChunk e = pipeline.encode(raw, raw.length);
                refs.add(new Hdf5Committable.ChunkRef(new long[] {row, 0}, bytes.size(), e.length(), e.filterMask()));
                bytes.write(e.data(), 0, e.length());
            }
            parts.add(new Hdf5Committable.DatasetPart(file, dataset, spec, new long[] {visibleRows, COLUMNS}, refs));
            return this;
        }

        Hdf5Committable stage() throws IOException {
            String name = StagingFiles.name(writerId, epoch, StagingFiles.CHUNKS);
            Files.createDirectories(staging());
            Files.write(staging().resolve(name), bytes.toByteArray());
            return new Hdf5Committable(writerId, epoch, adopted, name, parts, liveSpills);
        }
    }

    private static int[] matrix(long firstRow, int rows) {
        int[] out = new int[rows * COLUMNS];
        for (int r = 0; r < rows; r++) for (int c = 0; c < COLUMNS; c++) out[r * COLUMNS + c] = SinkTestJobs.value(firstRow + r, c);
        return out;
    }

    private static String h5py(Path file, String dataset) {
        return SinkTestJobs.h5py(file, dataset);
    }

    private static String expected(long rows) {
        return SinkTestJobs.matrixString(rows, COLUMNS);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private Set<String> stagingFiles() throws IOException {
        if (!Files.exists(staging())) return Set.of();
        try (var s = Files.list(staging())) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String writer() {
        return UUID.randomUUID().toString();
    }

    @Test
    void commitCopiesTheStagedChunksAndPublishesTheVisibleShape() throws Exception {
        Hdf5Committable c = new Epoch(writer(), 0).rows("out.h5", "/d", ROWS, 0, 2, 6).stage();
        try (TestCommitter committer = new TestCommitter(sink())) {
            List<TestCommitter.Request> requests = committer.commit(c);
            assertEquals(List.of(), requests.get(0).signals, "a successful commit signals nothing");
        }
        assertEquals(expected(6), h5py(dir.resolve("out.h5"), "/d"), "rows 6-7 are staged but not yet visible");
        assertEquals(Set.of(), stagingFiles(), "the consumed staging file is deleted");
    }

    /**
     * Two committer subtasks committing shares of one file in turn, as after a restore at another
     * parallelism hands some of a file's pending shares to a subtask that does not own it: each
     * must let go of the file after its commit (an open file refuses the other) and read it again
     * when the other committed since, or its next commit would publish an index without the
     * other's chunks.
     */
    @Test
    void committerSubtasksTakingTurnsOnOneFileEachSeeTheOthersCommits() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter a = new TestCommitter(sink(), true, 2); TestCommitter b = new TestCommitter(sink(), true, 2)) {
            for (int epoch = 0; epoch < 6; epoch++) {
                Hdf5Committable c = new Epoch(writer(), epoch).rows("out.h5", "/d", ROWS, 8L * epoch, 2, 8L * (epoch + 1)).stage();
                (epoch % 3 == 1 ? b : a).commit(c);
            }
            assertEquals(expected(48), h5py(out, "/d"), "a, b, a, a, b, a: every commit holds the ones before it");
        }
        assertEquals(Set.of(), stagingFiles(), "the lock the turns were taken under goes at the end");
    }

    /** The same with a growing dataset: the record of chunks stored beyond a gap passes from one committer to the other. */
    @Test
    void aGapFilledByAnotherCommitterSubtaskShowsTheChunksStoredBeyondIt() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter a = new TestCommitter(growingSink(), true, 2); TestCommitter b = new TestCommitter(growingSink(), true, 2)) {
            a.commit(chunks(8, 2, 16));
            assertEquals(expected(0), h5py(out, "/g"));
            b.commit(chunks(0, 2, 8));
            assertEquals(expected(16), h5py(out, "/g"), "b knows what a stored beyond the gap");
            a.commit(chunks(24, 1, 28));
            assertEquals(expected(16), h5py(out, "/g"), "a knows what b filled, and leaves 16-23 a gap");
            b.commit(chunks(16, 2, 24));
            assertEquals(expected(28), h5py(out, "/g"));
        }
        assertEquals(Set.of(), stagingFiles());
    }

    /** Two committer subtasks committing shares of one file at the same moment, in two threads, many times: the turns order them. */
    @Test
    void committerSubtasksCommittingOneFileAtOnceLoseNothing() throws Exception {
        int epochs = 40;
        List<Hdf5Committable> shares = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            shares.add(new Epoch(writer(), epoch).rows("out.h5", "/d", ROWS, 4L * epoch, 1, 4L * (epoch + 1)).stage());
        }
        try (TestCommitter a = new TestCommitter(sink(), true, 2); TestCommitter b = new TestCommitter(sink(), true, 2)) {
            CyclicBarrier together = new CyclicBarrier(2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    TestCommitter committer = t == 0 ? a : b;
                    int parity = t;
                    done.add(threads.submit(() -> {
                        for (int epoch = parity; epoch < epochs; epoch += 2) {
                            together.await();
                            committer.commit(shares.get(epoch));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
        }
        assertEquals(expected(4L * epochs), h5py(dir.resolve("out.h5"), "/d"));
        assertEquals(Set.of(), stagingFiles());
    }

    /**
     * Issue 12's "kill between a data file's commit and the master's": the master cannot be
     * replaced (a directory stands at its name), so the commit fails after the data files are
     * committed. They hold their rows, and no master references anything; re-committing the same
     * committables with a new committer (as after a restore) skips the data by its tokens and
     * writes the master, which shows every committed row.
     */
    @Test
    void aMasterNotRebuiltAfterItsDataFilesCommittedIsRebuiltByTheRecommit() throws Exception {
        Hdf5Sink rolled = Hdf5Sink.builder(dir).defaultFile("rec.h5")
                .declare(new DatasetDeclaration(null, "/d", ROWS, false, true).rollEvery(8)).build();
        Hdf5Committable a = new Epoch(writer(), 0).rows("rec_000001.h5", "/d", ROWS, 0, 2, 8)
                .rows("rec_000002.h5", "/d", ROWS, 0, 1, 4).stage();
        Path master = dir.resolve("rec.h5");
        Files.createDirectories(master.resolve("in-the-way"));
        try (TestCommitter committer = new TestCommitter(rolled)) {
            Exception e = assertThrows(Exception.class, () -> committer.commit(a));
            assertTrue(e.getMessage().contains("rebuilding the master file rec.h5 failed")
                    && e.getMessage().contains("its data files are committed"), e.getMessage());
        }
        assertEquals(expected(8), h5py(dir.resolve("rec_000001.h5"), "/d"));
        assertTrue(Files.isDirectory(master), "no master was written");
        Files.delete(master.resolve("in-the-way"));
        Files.delete(master);
        try (TestCommitter restored = new TestCommitter(rolled)) {
            restored.commit(a);
        }
        String out = ReferenceLibrary.runPython("""
                import h5py, sys
                with h5py.File(sys.argv[1], 'r') as f:
                    d = f['d']
                    print(d.is_virtual, d.shape, len(d.virtual_sources()))
                """, master.toString()).strip();
        assertEquals("True (12, 4) 2", out);
    }

    @Test
    void recommitOfTheSameCommittablesIsSkippedByItsToken() throws Exception {
        Hdf5Committable a = new Epoch(writer(), 0).rows("out.h5", "/d", ROWS, 0, 2, 8).stage();
        Hdf5Committable b = new Epoch(writer(), 3).rows("out.h5", "/e", ROWS, 0, 1, 4).stage();
        Map<String, byte[]> kept = new LinkedHashMap<>();
        for (Hdf5Committable c : List.of(a, b)) kept.put(c.stagingFile(), Files.readAllBytes(staging().resolve(c.stagingFile())));
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(a, b);
            String committed = sha256(out);
            // Staging files back in place: only the token can tell the batch was applied before.
            for (var e : kept.entrySet()) Files.write(staging().resolve(e.getKey()), e.getValue());
            committer.commit(a, b);
            assertEquals(committed, sha256(out), "the same committer skipped the batch");
        }
        String committed = sha256(out);
        for (var e : kept.entrySet()) Files.write(staging().resolve(e.getKey()), e.getValue());
        try (TestCommitter restored = new TestCommitter(sink())) { // as after a restore: the file is opened anew
            restored.commit(b, a); // Flink may hand them over in another order
        }
        assertEquals(committed, sha256(out), "a new committer skipped the batch");
        assertEquals(expected(8), h5py(out, "/d"));
        assertEquals(expected(4), h5py(out, "/e"));
        assertEquals(Set.of(), stagingFiles());
    }

    @Test
    void recommitAfterTheStagingFileWasDeletedIsHarmless() throws Exception {
        String w = writer();
        Hdf5Committable a = new Epoch(w, 0).rows("out.h5", "/d", ROWS, 0, 2, 8).stage();
        Hdf5Committable b = new Epoch(w, 1).rows("out.h5", "/d", ROWS, 8, 1, 12).stage();
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(a);
            committer.commit(b);
        }
        assertEquals(expected(12), h5py(out, "/d"));
        assertEquals(Set.of(), stagingFiles(), "both staging files consumed");
        try (TestCommitter restored = new TestCommitter(sink())) {
            restored.commit(a); // another batch than the last one: its token differs, its staging file is gone
            restored.commit(a, b);
            restored.commit(b);
        }
        assertEquals(expected(12), h5py(out, "/d"), "no chunk lost, no shape shrunk");
    }

    @Test
    void oneBatchTouchingTwoFilesAndThreeDatasets() throws Exception {
        Hdf5Committable a = new Epoch(writer(), 0).rows("one.h5", "/x", ROWS, 0, 1, 4).rows("sub/two.h5", "/g/y", ROWS, 0, 2, 8).stage();
        Hdf5Committable b = new Epoch(writer(), 5).rows("one.h5", "/z", ROWS, 0, 3, 11).stage();
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(a, b);
        }
        assertEquals(expected(4), h5py(dir.resolve("one.h5"), "/x"));
        assertEquals(expected(11), h5py(dir.resolve("one.h5"), "/z"));
        assertEquals(expected(8), h5py(dir.resolve("sub/two.h5"), "/g/y"));
        assertEquals("absent", h5py(dir.resolve("sub/two.h5"), "/x"));
        assertEquals(Set.of(), stagingFiles());
    }

    @Test
    void orphanCleanUpDeletesOlderEpochsAndAdoptedWritersAndKeepsTheRest() throws Exception {
        String w = writer();
        String adopted = writer();
        String other = writer();
        Files.createDirectories(staging());
        List<String> all = List.of(
                w + "-0.chunks", w + "-1.chunks", w + "-1.spill", w + "-0.spill", // older: orphans unless live
                w + "-2.chunks", w + "-2.spill", // this epoch: consumed, and a closed spill not listed as live
                w + "-3.chunks", w + "-3.spill", // newer: a later epoch's, keep
                adopted + "-9.chunks", adopted + "-12.spill", adopted + "-4.spill", // adopted: delete unless live
                other + "-0.chunks", other + "-1.spill", // another writer: not ours to judge
                "README", "notes-1.txt");
        for (String f : all) Files.write(staging().resolve(f), new byte[] {1});
        Hdf5Committable c = new Hdf5Committable(w, 2, List.of(adopted), w + "-2.chunks", List.of(),
                List.of(w + "-0.spill", adopted + "-4.spill"));
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(c);
        }
        assertEquals(new TreeSet<>(List.of(w + "-0.spill", w + "-3.chunks", w + "-3.spill", adopted + "-4.spill",
                other + "-0.chunks", other + "-1.spill", "README", "notes-1.txt")), stagingFiles());
    }

    @Test
    void aDatasetOfAnotherDtypeInTheFileFailsTheCommitAndTheFileKeepsItsLastCommit() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(new Epoch(writer(), 0).rows("out.h5", "/d", ROWS, 0, 1, 4).stage());
            DatasetSpec float64 = DatasetSpec.builder(DataType.FLOAT64, 0, COLUMNS)
                    .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).build();
            Hdf5Committable bad = new Epoch(writer(), 0)
                    .rows("out.h5", "/fresh", ROWS, 0, 1, 4) // applied first, must not be published either
                    .rows("out.h5", "/d", float64, 4, 1, 8).stage();
            IOException e = assertThrows(IOException.class, () -> committer.commit(bad));
            assertTrue(e.getMessage().contains("out.h5") && e.getMessage().contains("/d"), e.getMessage());
            assertTrue(e.getMessage().contains("INT32") && e.getMessage().contains("FLOAT64"), e.getMessage());
            assertEquals(expected(4), h5py(out, "/d"), "the last commit is intact");
            // The engine writes dataset creation at once (documented in Hdf5File): the new dataset may
            // exist, but none of its data is published.
            String fresh = h5py(out, "/fresh");
            assertTrue(fresh.equals("absent") || fresh.equals("0,4:"), "no data of the failed batch is published: " + fresh);

            DatasetSpec otherChunks = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
                    .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(2, COLUMNS).build();
            Hdf5Committable bad2 = new Epoch(writer(), 0).rows("out.h5", "/d", otherChunks, 4, 1, 8).stage();
            IOException e2 = assertThrows(IOException.class, () -> committer.commit(bad2));
            assertTrue(e2.getMessage().contains("out.h5") && e2.getMessage().contains("/d") && e2.getMessage().contains("[2, 4]"),
                    e2.getMessage());
            assertEquals(expected(4), h5py(out, "/d"));

            // the committer is still usable after a failed commit
            committer.commit(new Epoch(writer(), 0).rows("out.h5", "/d", ROWS, 4, 1, 8).stage());
        }
        assertEquals(expected(8), h5py(out, "/d"));
    }

    @Test
    void aDatasetH5pyWroteWithAnotherDtypeFailsTheCommit() throws Exception {
        Path out = dir.resolve("h5py.h5");
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f.create_dataset('d', data=np.arange(8, dtype='<f8').reshape(2, 4), maxshape=(None, 4), chunks=(4, 4))"),
                out.toString());
        String before = h5py(out, "/d");
        try (TestCommitter committer = new TestCommitter(sink())) {
            Hdf5Committable c = new Epoch(writer(), 0).rows("h5py.h5", "/d", ROWS, 0, 1, 4).stage();
            IOException e = assertThrows(IOException.class, () -> committer.commit(c));
            assertTrue(e.getMessage().contains("h5py.h5") && e.getMessage().contains("/d"), e.getMessage());
        }
        assertEquals("2,4:0.0,1.0,2.0,3.0,4.0,5.0,6.0,7.0", before);
        assertEquals(before, h5py(out, "/d"));
    }

    @Test
    void anEmptyBatchAndACommittableWithoutChunksChangeNothing() throws Exception {
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(List.of());
            committer.commit(new Hdf5Committable(writer(), 0, List.of(), null, List.of(), List.of()));
        }
        assertFalse(Files.exists(dir.resolve("out.h5")), "no file for committables without datasets");
        Hdf5Committable shapeOnly = new Hdf5Committable(writer(), 0, List.of(), null,
                List.of(new Hdf5Committable.DatasetPart("out.h5", "/d", ROWS, new long[] {0, COLUMNS}, List.of())), List.of());
        try (TestCommitter committer = new TestCommitter(sink())) {
            committer.commit(shapeOnly);
        }
        assertEquals("0,4:", h5py(dir.resolve("out.h5"), "/d"), "a declared dataset appears empty");
        assertArrayEquals(new long[] {0, COLUMNS}, shapeOnly.parts().get(0).visibleShape());
    }

    // Growing datasets: readers see the prefix of rows whose chunks are all stored.

    private Hdf5Sink growingSink() {
        return Hdf5Sink.builder(dir).defaultFile("out.h5").declareGrowing("/g", ROWS).build();
    }

    private Hdf5Committable chunks(long firstRow, int chunks, long visibleRows) throws IOException {
        return new Epoch(writer(), 0).rows("out.h5", "/g", ROWS, firstRow, chunks, visibleRows).stage();
    }

    @Test
    void aGrowingDatasetShowsChunksBeyondAGapOnlyOnceTheGapIsFilled() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(growingSink())) {
            committer.commit(chunks(8, 2, 16)); // a writer ahead of the others
            assertEquals(expected(0), h5py(out, "/g"), "rows 8-15 are stored, rows 0-7 are not: nothing shows");
            committer.commit(chunks(0, 1, 4));
            assertEquals(expected(4), h5py(out, "/g"), "rows 0-3 are complete, 4-7 missing");
            committer.commit(chunks(4, 1, 8));
            assertEquals(expected(16), h5py(out, "/g"), "the gap is filled: every stored row shows");
        }
        assertEquals(Set.of(), stagingFiles(), "nothing is pending at the end: the record of prefixes is gone");
    }

    @Test
    void aChunkHandedOverAtTheEndOfTheInputShowsOnlyItsFinalRows() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(growingSink())) {
            committer.commit(chunks(8, 1, 10)); // the last chunk, rows 8-9 final, 10-11 the fill value
            committer.commit(chunks(0, 1, 4));
            assertEquals(expected(4), h5py(out, "/g"));
            committer.commit(chunks(4, 1, 8));
            assertEquals(expected(10), h5py(out, "/g"), "rows 10-11 of the last chunk were never written");
        }
    }

    @Test
    void aRestoredCommitterStillKnowsTheChunksItStoredBeyondTheGap() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter committer = new TestCommitter(growingSink())) {
            committer.commit(chunks(8, 2, 16));
        }
        assertTrue(stagingFiles().contains(StagingFiles.prefixesName("out.h5")), stagingFiles().toString());
        try (TestCommitter restored = new TestCommitter(growingSink(), true)) {
            restored.commit(chunks(0, 2, 8));
            assertEquals(expected(16), h5py(out, "/g"));
        }
        assertEquals(Set.of(), stagingFiles());
    }

    @Test
    void aCommitterClosingDeletesEveryRecordOfPrefixesThatIsSettledAndOnlyThose() throws Exception {
        // A run killed after its last commit, before its committer closed, leaves its record; the
        // run that resumes to nothing left to commit never loads it, but its close still sweeps it.
        TestCommitter killed = new TestCommitter(growingSink());
        killed.commit(chunks(0, 2, 8));
        assertTrue(stagingFiles().contains(StagingFiles.prefixesName("out.h5")), stagingFiles().toString());
        new TestCommitter(growingSink(), true).close();
        assertFalse(stagingFiles().contains(StagingFiles.prefixesName("out.h5")), "a record of rows that all show says nothing: it goes");
        killed.commit(chunks(16, 1, 20)); // beyond a gap: the record now knows a hidden chunk
        new TestCommitter(growingSink(), true).close();
        assertTrue(stagingFiles().contains(StagingFiles.prefixesName("out.h5")), "a record that knows hidden chunks stays");
        killed.close();
    }

    @Test
    void aNewRunDoesNotShowWhatAnAbandonedRunLeftBeyondThePrefix() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter abandoned = new TestCommitter(growingSink())) {
            abandoned.commit(chunks(8, 2, 16));
        }
        try (TestCommitter fresh = new TestCommitter(growingSink())) {
            fresh.commit(chunks(0, 2, 8));
            assertEquals(expected(8), h5py(out, "/g"), "rows 8-15 belong to a run whose checkpoints are gone");
            fresh.commit(chunks(8, 1, 12));
            assertEquals(expected(12), h5py(out, "/g"), "this run's own chunks show");
        }
    }

    @Test
    void aPartlyVisibleBandIsNotShownWholeBeforeItIsWrittenAgain() throws Exception {
        Path out = dir.resolve("out.h5");
        try (TestCommitter first = new TestCommitter(growingSink())) {
            first.commit(chunks(0, 2, 6)); // the run ends at row 6, inside the chunk of rows 4-7
            assertEquals(expected(6), h5py(out, "/g"));
        }
        assertEquals(Set.of(), stagingFiles(), "a settled prefix needs no record");
        try (TestCommitter appending = new TestCommitter(growingSink())) {
            appending.commit(chunks(8, 2, 16));
            assertEquals(expected(6), h5py(out, "/g"), "rows 6-7 are still the fill value in the stored chunk");
            appending.commit(chunks(4, 1, 16));
            assertEquals(expected(16), h5py(out, "/g"));
        }
    }

    @Test
    void aCommitWhosePublishWasLostResumesFromTheStateBeforeIt() throws Exception {
        Path out = dir.resolve("out.h5");
        Hdf5Committable lost = chunks(8, 1, 12);
        byte[] lostStaged = Files.readAllBytes(staging().resolve(lost.stagingFile()));
        byte[] beforeLost;
        try (TestCommitter committer = new TestCommitter(growingSink())) {
            committer.commit(chunks(0, 1, 4));
            committer.commit(chunks(12, 1, 16));
            beforeLost = Files.readAllBytes(out);
            committer.commit(lost);
        }
        // As if the process died after the record was replaced and before the commit reached the
        // file: the file holds the commit before, the record the states before and after.
        Files.write(out, beforeLost);
        Files.write(staging().resolve(lost.stagingFile()), lostStaged);
        try (TestCommitter restored = new TestCommitter(growingSink(), true)) {
            restored.commit(lost, chunks(4, 1, 8));
            assertEquals(expected(16), h5py(out, "/g"), "rows 12-15, stored two commits before, still show");
        }
    }
}
