package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.testing.SmallDisk;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits that fail half-way, after the committer has already written chunks into the HDF5 file
 * but before it published them (the datasets' new shape, index and commit token), then a restart
 * that commits the same committables again.
 *
 * <p>How the failure is made, honestly: the committer is the real one ({@link TestCommitter} wraps
 * {@code Hdf5Sink.createCommitter}), fed the committables the real writers emitted in Flink's own
 * operator ({@link SinkWriterHarness}). To fail it mid-way without touching its code, the world
 * around it fails the way it can in production:
 * <ul>
 *   <li>a staging file it has not read yet is truncated (lost or damaged between the writer and the
 *       committer): it reads and writes every chunk of the earlier datasets, or of the earlier
 *       writers' committables of the same dataset, into the file, then {@code StagingFiles.read}
 *       throws, before the dataset's resize and token and before {@code Hdf5File.commit};</li>
 *   <li>the file system of the output fills up (a small tmpfs under the base directory holds the
 *       output; the staging directory stays on the big one): a chunk write in the middle of the
 *       commit fails with "No space left on device". Needs root to mount; skipped otherwise.</li>
 * </ul>
 * A SIGKILL at those instants is covered by the engine's {@code CrashInteropTest} and the CLI's
 * {@code ConvertCrashInteropTest}; here the process survives, so the test also sees what the same
 * committer instance, and a fresh one (a restarted job), do next.
 *
 * <p>Between the failure and the re-commit, h5py must read exactly the previous commit (shape,
 * values, allocated chunks and commit token); after the damage is repaired, re-committing the same
 * committables with a fresh committer must give what a clean run gives (compared with a copy of
 * the base directory taken before the failure, committed without one), and the rest of the job
 * must end with every value of the input.
 */
class SinkCommitFailureInteropTest {
    private static final int COLUMNS = 4;
    private static final DatasetSpec SPEC = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).shuffle().deflate(1).build();

    @TempDir Path dir;

    /** What h5py sees of some datasets: shape, allocated chunks, a digest of the values, the commit token. */
    static String state(Path file, String... datasets) {
        List<String> args = new ArrayList<>(List.of(file.toString()));
        args.addAll(List.of(datasets));
        return ReferenceLibrary.runPython(String.join("\n",
                "import sys, os, hashlib, h5py",
                "if not os.path.exists(sys.argv[1]):",
                "    print('no file'); sys.exit(0)",
                "out = []",
                "with h5py.File(sys.argv[1], 'r') as f:",
                "    for name in sys.argv[2:]:",
                "        if name not in f:",
                "            out.append(name + ' absent'); continue",
                "        d = f[name]",
                "        t = d.attrs.get('_hdf5flink_commit_token')",
                "        token = '-' if t is None else bytes(t).hex()",
                "        out.append(f'{name} shape={d.shape} chunks={d.id.get_num_chunks()} '",
                "                   f'values={hashlib.sha256(d[()].tobytes()).hexdigest()[:16]} token={token[:16]}')",
                "print('; '.join(out))"), args.toArray(String[]::new)).strip();
    }

    private static ArrayBlock rows(String dataset, long from, int count) {
        return SinkTestJobs.rows(dataset, from, count, COLUMNS, false);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static Path staging(Path base, Hdf5Committable c) {
        return base.resolve(SinkConfig.STAGING_DIRECTORY).resolve(c.stagingFile());
    }

    private static Hdf5Committable.DatasetPart part(Hdf5Committable c, String dataset) {
        return c.parts().stream().filter(p -> p.dataset().equals(dataset)).findFirst()
                .orElseThrow(() -> new AssertionError(dataset + " not in " + c));
    }

    private static void assertStagingEmpty(Path base) throws IOException {
        Path staging = base.resolve(SinkConfig.STAGING_DIRECTORY);
        if (!Files.exists(staging)) return;
        try (var left = Files.list(staging)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).sorted().toList(), "staging files left behind");
        }
    }

    private static void assertFailedMidCommit(IOException e, String damaged) {
        String m = e.getMessage();
        assertTrue(m.contains("committing to rec.h5 failed") && m.contains("the file still holds its last commit")
                && m.contains(damaged), m);
    }

    /**
     * One writer, two datasets of one file. The second commit's staging file holds /a's chunks and
     * then /b's; cut just after /a's: the committer writes every /a chunk into the file, sets /a's
     * new shape and token (in memory), then fails on /b's first chunk. Nothing may be published.
     */
    @Test
    void aCommitFailingAtTheSecondDatasetPublishesNothingAndTheReCommitEqualsACleanRun() throws Exception {
        Path base = Files.createDirectories(dir.resolve("failed"));
        Hdf5Sink sink = Hdf5Sink.builder(base).stageChunks(true).defaultFile("rec.h5").declare("/a", SPEC).declare("/b", SPEC).build();
        Path file = base.resolve("rec.h5");
        try (SinkWriterHarness w = SinkWriterHarness.open(sink); TestCommitter committer = new TestCommitter(sink)) {
            w.write(rows("/a", 0, 8), rows("/b", 0, 8));
            committer.commit(w.checkpoint(1).committables());
            String first = state(file, "/a", "/b");
            assertTrue(first.contains("/a shape=(8, 4) chunks=2") && first.contains("/b shape=(8, 4) chunks=2"), first);

            w.write(rows("/a", 8, 16), rows("/b", 8, 16)); // /a's four chunks are staged before /b's four
            Hdf5Committable c2 = w.checkpoint(2).only();
            Hdf5Committable.ChunkRef lastOfA = part(c2, "/a").chunks().get(part(c2, "/a").chunks().size() - 1);
            assertTrue(part(c2, "/b").chunks().get(0).position() >= lastOfA.position() + lastOfA.length(), "/b's chunks come after /a's");

            Path clean = dir.resolve("clean");
            copyTree(base, clean);
            Path intact = dir.resolve("intact-staging");
            Files.copy(staging(base, c2), intact);
            truncate(staging(base, c2), lastOfA.position() + lastOfA.length());
            long sizeBefore = Files.size(file);

            IOException e = assertThrows(IOException.class, () -> committer.commit(c2));
            assertFailedMidCommit(e, c2.stagingFile());
            assertTrue(Files.size(file) > sizeBefore, "the committer wrote /a's chunks into the file before failing");
            assertEquals(first, state(file, "/a", "/b"), "h5py must read the previous commit after the failed one");

            // The same committer, once more, without repairing anything: it fails the same way and publishes nothing.
            assertThrows(IOException.class, () -> committer.commit(c2));
            assertEquals(first, state(file, "/a", "/b"));

            // Repaired, committed by a fresh committer (a restarted job): as if nothing had failed.
            Files.copy(intact, staging(base, c2), StandardCopyOption.REPLACE_EXISTING);
            try (TestCommitter restarted = new TestCommitter(sink)) {
                restarted.commit(c2);
            }
            Hdf5Sink cleanSink = Hdf5Sink.builder(clean).stageChunks(true).defaultFile("rec.h5").declare("/a", SPEC).declare("/b", SPEC).build();
            try (TestCommitter cleanCommitter = new TestCommitter(cleanSink)) {
                cleanCommitter.commit(c2);
            }
            assertEquals(state(clean.resolve("rec.h5"), "/a", "/b"), state(file, "/a", "/b"), "re-committed vs clean run");

            // The job goes on: a third checkpoint, end of input.
            w.write(rows("/a", 24, 6), rows("/b", 24, 6));
            committer.commit(w.checkpoint(3).committables());
            committer.commit(w.endInput());
        }
        assertEquals(SinkTestJobs.matrixString(30, COLUMNS), SinkTestJobs.h5py(file, "/a"));
        assertEquals(SinkTestJobs.matrixString(30, COLUMNS), SinkTestJobs.h5py(file, "/b"));
        assertEquals("/a shape=(30, 4) chunks=8", state(file, "/a").replaceAll(" values=.*", ""));
        assertStagingEmpty(base);
    }

    /**
     * Two writers of one dataset; the batch holds both writers' committables. The second writer's
     * staging file is cut: the committer has written the first writer's chunks of /a into the file
     * and fails before /a's resize, i.e. between the chunk writes and the dims update.
     */
    @Test
    void aCommitFailingBetweenChunkWritesAndTheDimsUpdatePublishesNothing() throws Exception {
        Path base = Files.createDirectories(dir.resolve("failed"));
        Hdf5Sink sink = Hdf5Sink.builder(base).stageChunks(true).defaultFile("rec.h5").declare("/a", SPEC).build();
        Path file = base.resolve("rec.h5");
        try (SinkWriterHarness w0 = SinkWriterHarness.open(sink, 2, 0, null);
                SinkWriterHarness w1 = SinkWriterHarness.open(sink, 2, 1, null);
                TestCommitter committer = new TestCommitter(sink)) {
            w0.write(rows("/a", 0, 4));
            w1.write(rows("/a", 4, 4));
            committer.commit(w0.checkpoint(1).only(), w1.checkpoint(1).only());
            String first = state(file, "/a");
            assertTrue(first.startsWith("/a shape=(8, 4) chunks=2"), first);

            w0.write(rows("/a", 8, 12));   // chunks 2-4
            w1.write(rows("/a", 20, 12));  // chunks 5-7
            Hdf5Committable a = w0.checkpoint(2).only();
            Hdf5Committable b = w1.checkpoint(2).only();
            Path clean = dir.resolve("clean");
            copyTree(base, clean);
            Path intact = dir.resolve("intact-staging");
            Files.copy(staging(base, b), intact);
            truncate(staging(base, b), 1);

            IOException e = assertThrows(IOException.class, () -> committer.commit(a, b));
            assertFailedMidCommit(e, b.stagingFile());
            assertEquals(first, state(file, "/a"), "h5py must read the previous commit");

            Files.copy(intact, staging(base, b), StandardCopyOption.REPLACE_EXISTING);
            try (TestCommitter restarted = new TestCommitter(sink)) {
                restarted.commit(a, b);
            }
            Hdf5Sink cleanSink = Hdf5Sink.builder(clean).stageChunks(true).defaultFile("rec.h5").declare("/a", SPEC).build();
            try (TestCommitter cleanCommitter = new TestCommitter(cleanSink)) {
                cleanCommitter.commit(a, b);
            }
            assertEquals(state(clean.resolve("rec.h5"), "/a"), state(file, "/a"), "re-committed vs clean run");
            committer.commit(w0.endInput());
            committer.commit(w1.endInput());
        }
        assertEquals(SinkTestJobs.matrixString(32, COLUMNS), SinkTestJobs.h5py(file, "/a"));
        assertTrue(state(file, "/a").startsWith("/a shape=(32, 4) chunks=8"), state(file, "/a"));
        assertStagingEmpty(base);
    }

    /**
     * The very first commit fails (the committer created the file and the datasets in it): h5py
     * must still open the file and find no data; a restarted committer then commits everything.
     */
    @Test
    void aFailedFirstCommitLeavesAnOpenableFileWithoutData() throws Exception {
        Path base = Files.createDirectories(dir.resolve("failed"));
        Hdf5Sink sink = Hdf5Sink.builder(base).stageChunks(true).defaultFile("rec.h5").declare("/a", SPEC).declare("/b", SPEC).build();
        Path file = base.resolve("rec.h5");
        try (SinkWriterHarness w = SinkWriterHarness.open(sink)) {
            w.write(rows("/a", 0, 8), rows("/b", 0, 8));
            Hdf5Committable c1 = w.checkpoint(1).only();
            Path intact = dir.resolve("intact-staging");
            Files.copy(staging(base, c1), intact);
            Hdf5Committable.ChunkRef b0 = part(c1, "/b").chunks().get(0);
            truncate(staging(base, c1), b0.position());
            try (TestCommitter committer = new TestCommitter(sink)) {
                IOException e = assertThrows(IOException.class, () -> committer.commit(c1));
                assertFailedMidCommit(e, c1.stagingFile());
            }
            String seen = state(file, "/a", "/b");
            System.out.println("SinkCommitFailureInteropTest: after a failed first commit h5py sees: " + seen);
            assertTrue(seen.equals("no file") || !seen.matches(".*chunks=[1-9].*"),
                    "after a failed first commit h5py must find no data: " + seen);

            Files.copy(intact, staging(base, c1), StandardCopyOption.REPLACE_EXISTING);
            try (TestCommitter restarted = new TestCommitter(sink)) {
                restarted.commit(c1);
                w.write(rows("/a", 8, 3), rows("/b", 8, 3));
                restarted.commit(w.endInput());
            }
        }
        assertEquals(SinkTestJobs.matrixString(11, COLUMNS), SinkTestJobs.h5py(file, "/a"));
        assertEquals(SinkTestJobs.matrixString(11, COLUMNS), SinkTestJobs.h5py(file, "/b"));
        assertStagingEmpty(base);
    }

    /**
     * The output's file system fills up in the middle of a commit: a real I/O error after some
     * chunks were written. h5py reads the previous commit; with space again, a restarted committer
     * commits the same committables and the file equals a clean run's.
     */
    @Test
    void aDiskFullInTheMiddleOfACommitPublishesNothingAndTheReCommitEqualsACleanRun() throws Exception {
        Path base = Files.createDirectories(dir.resolve("failed"));
        try (SmallDisk disk = SmallDisk.mount(base.resolve("small"), "1m")) {
            Path small = disk.path();
            // Incompressible rows, no filters: 64 rows of 16 int64 = 8 KiB per chunk.
            DatasetSpec spec = DatasetSpec.builder(DataType.INT64, 0, 16).maxShape(DatasetSpec.UNLIMITED, 16).chunks(64, 16).build();
            Hdf5Sink sink = Hdf5Sink.builder(base).stageChunks(true).defaultFile("small/rec.h5").declare("/x", spec).build();
            Path file = small.resolve("rec.h5");
            try (SinkWriterHarness w = SinkWriterHarness.open(sink); TestCommitter committer = new TestCommitter(sink)) {
                w.write(noise(0, 640));
                committer.commit(w.checkpoint(1).committables());
                String first = state(file, "/x");
                assertTrue(first.startsWith("/x shape=(640, 16) chunks=10"), first);

                w.write(noise(640, 64 * 60)); // 60 chunks, 480 KiB
                Hdf5Committable c2 = w.checkpoint(2).only();
                Path clean = dir.resolve("clean");
                copyTree(base, clean);
                // Leave room for about 20 of the 60 chunks.
                Path ballast = small.resolve("ballast");
                long free = Files.getFileStore(small).getUsableSpace();
                Files.write(ballast, new byte[(int) Math.max(0, free - 20 * 8192)]);
                long sizeBefore = Files.size(file);
                IOException e = assertThrows(IOException.class, () -> committer.commit(c2));
                String m = e.getMessage();
                assertTrue(m.contains("committing to small/rec.h5 failed") && m.contains("No space left")
                        && m.contains("the file still holds its last commit"), m);
                assertTrue(Files.size(file) > sizeBefore + 8192, "some chunks were written before the disk filled up");
                assertEquals(first, state(file, "/x"), "h5py must read the previous commit");

                Files.delete(ballast);
                try (TestCommitter restarted = new TestCommitter(sink)) {
                    restarted.commit(c2);
                }
                Hdf5Sink cleanSink = Hdf5Sink.builder(clean).stageChunks(true).defaultFile("small/rec.h5").declare("/x", spec).build();
                try (TestCommitter cleanCommitter = new TestCommitter(cleanSink)) {
                    cleanCommitter.commit(c2);
                }
                assertEquals(state(clean.resolve("small/rec.h5"), "/x"), state(file, "/x"), "re-committed vs clean run");
                w.write(noise(640 + 64 * 60, 10));
                committer.commit(w.endInput());
            }
            String values = ReferenceLibrary.runPython(String.join("\n",
                    "import sys, h5py, numpy as np",
                    "d = h5py.File(sys.argv[1], 'r')['x']",
                    "n = 640 + 64 * 60 + 10",
                    "assert d.shape == (n, 16), d.shape",
                    "assert d.id.get_num_chunks() == -(-n // 64), d.id.get_num_chunks()",
                    "r = np.arange(n, dtype=np.int64)[:, None]; c = np.arange(16, dtype=np.int64)[None, :]",
                    "print(int((d[:] == (r * 16 + c) ^ ((r * 2654435761 + c * 40503) << 20)).all()))"), file.toString()).strip();
            assertEquals("1", values, "every value, read by h5py");
            assertStagingEmpty(base);
        }
    }

    /** Rows [from, from + count) of (?, 16) int64 that do not compress: element (r, c) = (r*16+c) ^ (hash << 20). */
    private static ArrayBlock noise(long from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 16 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = from; r < from + count; r++) {
            for (int c = 0; c < 16; c++) b.putLong((r * 16 + c) ^ ((r * 2654435761L + c * 40503L) << 20));
        }
        return ArrayBlock.at("/x", DataType.INT64, new long[] {from, 0}, new long[] {count, 16}, b.array());
    }
}
