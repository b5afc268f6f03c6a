package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger that lets writers in several processes share one file's space: claims never
 * overlap (across threads and across processes), lost epochs are reused, committed ones stay, and
 * a stale ledger can leak space but never hand out bytes a commit references.
 */
class SpaceLedgerTest {
    @TempDir
    Path dir;

    private SpaceLedger ledger(Path data) {
        return new SpaceLedger(dir.resolve("staging").resolve("data.h5.space"), data, false);
    }

    private Path dataFile(long size) throws IOException {
        Path data = dir.resolve("data.h5");
        Files.write(data, new byte[(int) size]);
        return data;
    }

    @Test
    void claimsStartAtTheFileEndAndNeverOverlap() throws IOException {
        SpaceLedger l = ledger(dataFile(1000));
        SpaceLedger.Extent a = l.claim("w1", 0, 10, 100);
        SpaceLedger.Extent b = l.claim("w2", 0, 10, 100);
        assertEquals(new SpaceLedger.Extent(1000, 100), a);
        assertEquals(new SpaceLedger.Extent(1100, 100), b);
        assertEquals(new SpaceLedger.Extent(1200, 50), l.claimForever(50, 50));
    }

    @Test
    void theFrontierIsNeverBelowTheFileSoALostLedgerOnlyLeaks() throws IOException {
        Path data = dataFile(1000);
        SpaceLedger l = ledger(data);
        SpaceLedger.Extent a = l.claim("w1", 0, 10, 100);
        Files.write(data, new byte[5000]); // writers and commits extended the file
        Files.delete(l.path());
        assertEquals(5000, ledger(data).claim("w2", 0, 10, 100).start(), "a lost ledger must not hand out " + a + " again");
    }

    @Test
    void lostEpochsAreFreedAndReusedCommittedOnesStay() throws IOException {
        SpaceLedger l = ledger(dataFile(0));
        SpaceLedger.Extent e0 = l.claim("w", 0, 10, 100);
        SpaceLedger.Extent e1 = l.claim("w", 1, 10, 100);
        SpaceLedger.Extent e2 = l.claim("w", 2, 10, 100);
        l.committed("w", 0);
        assertEquals(200, l.release("w", 1), "epochs 1 and 2 never committed: restored to epoch 1");
        assertEquals(List.of(new SpaceLedger.Extent(e1.start(), 200)), l.read().freeExtents());
        assertEquals(e1.start(), l.claim("w", 1, 10, 150).start(), "the next claim reuses the lost space");
        assertEquals(e2.start() + 50, l.claim("x", 0, 10, 100).start(), "first fit, what is left of it");
        assertTrue(l.read().liveSegments().stream().noneMatch(g -> g.start() == e0.start()), "epoch 0 is the file's");
        assertEquals(150, l.release("w", 0), "only live segments are freed, never committed ones");
    }

    @Test
    void carryOverKeepsAWriterContiguousAcrossCheckpointsAndTrimFreesTheRest() throws IOException {
        SpaceLedger l = ledger(dataFile(0));
        SpaceLedger.Extent s = l.claim("w", 3, 10, 1000);
        SpaceLedger.Extent rest = l.carryOver("w", s, 300, 4);
        assertEquals(new SpaceLedger.Extent(300, 700), rest);
        l.committed("w", 3);
        assertEquals(1, l.read().liveSegments().size(), "the rest belongs to epoch 4");
        assertEquals(700, l.release("w", 4), "epoch 4 lost: its carried-over rest is free");
        SpaceLedger.Extent t = l.claim("w", 4, 10, 700);
        l.trim("w", t, 100);
        assertEquals(List.of(new SpaceLedger.Extent(400, 600)), l.read().freeExtents());
        assertFalse(l.read().liveSegments().isEmpty());
        l.committed("w", 4);
        assertTrue(l.read().liveSegments().isEmpty());
    }

    @Test
    void releasingAFinishedJobsWritersByPrefix() throws IOException {
        SpaceLedger l = ledger(dataFile(0));
        l.claim("jobA-0", 0, 10, 100);
        l.claim("jobA-1-r7", 2, 10, 100);
        l.claim("jobB-0", 0, 10, 100);
        assertEquals(200, l.releaseOwnersStartingWith("jobA-"));
        assertEquals(1, l.read().liveSegments().size());
    }

    @Test
    void aNewFileUnderTheSameNameStartsANewLedger() throws IOException {
        Path data = dir.resolve("data.h5");
        try (Hdf5File f = Hdf5File.create(data)) {
            f.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(100).build()).appendValues(new int[1000]);
        }
        SpaceLedger l = ledger(data);
        l.claim("w", 0, 10, 1 << 20);
        l.release("w", 0); // a free megabyte in the old file
        assertEquals(1, l.read().freeExtents().size());
        Files.delete(data);
        Hdf5File.create(data).close(); // often under the same inode number
        long size = Files.size(data);
        assertEquals(size, ledger(data).claim("w", 0, 10, 100).start(), "the old file's space means nothing here");
    }

    @Test
    void aFileChangedByAnotherProgramStartsANewLedger() throws IOException {
        Path data = dir.resolve("data.h5");
        Hdf5File.create(data).close();
        SpaceLedger l = ledger(data);
        SpaceLedger.Extent e = l.claim("w", 0, 10, 4096);
        l.release("w", 0);
        try (Hdf5File f = Hdf5File.openForAppend(data)) { // another writer, which knows nothing of the ledger
            f.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(100).build()).appendValues(new int[1000]);
        }
        assertTrue(ledger(data).claim("w", 0, 10, 100).start() >= Files.size(data),
                "space freed before another program wrote " + e + " may hold its data now");
    }

    @Test
    void retiringCutsTheFileBackToItsPublishedEndOnlyWhenNothingIsLive() throws IOException {
        Path data = dir.resolve("data.h5");
        try (Hdf5File f = Hdf5File.create(data)) {
            f.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(100).build())
                    .appendValues(new int[1000]);
        }
        long published = Files.size(data);
        SpaceLedger l = ledger(data);
        SpaceLedger.Extent s = l.claim("w", 0, 10, 500);
        Files.write(data, new byte[600], StandardOpenOption.APPEND); // a writer's chunk, and more
        assertFalse(l.retireIfIdle(), "a segment is live");
        assertEquals(published + 600, Files.size(data));
        l.trim("w", s, 200);
        l.committed("w", 0);
        assertTrue(l.retireIfIdle());
        assertEquals(published, Files.size(data), "cut back to the end the superblock publishes");
        assertFalse(Files.exists(l.path()));
        assertEquals("1000 0", ReferenceLibrary.runPython("import sys, h5py; d = h5py.File(sys.argv[1], 'r')['d'][:];"
                + " print(len(d), d.max())", data.toString()).strip(), "libhdf5 reads the file cut back");
    }

    @Test
    void threadsClaimingAtOnceGetDisjointSpace() throws Exception {
        Path data = dataFile(0);
        List<SpaceLedger.Extent> all = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String owner = "w" + t;
            Thread th = new Thread(() -> {
                try {
                    SpaceLedger mine = ledger(data); // one instance each, as separate writers have
                    for (int i = 0; i < 50; i++) {
                        SpaceLedger.Extent e = mine.claim(owner, i, 1, 64 + i);
                        all.add(e);
                        if (i % 3 == 0) mine.trim(owner, e, 32);
                        if (i % 5 == 0) mine.release(owner, i);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        assertDisjointWhileLive(ledger(data));
        assertEquals(200, all.size());
    }

    @Test
    void twoProcessesClaimingAtOnceGetDisjointSpace() throws Exception {
        Path data = dataFile(0);
        SpaceLedger l = ledger(data);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ClaimingProcess.class.getName(), l.path().toString(), data.toString())
                .inheritIO().start();
        List<SpaceLedger.Extent> mine = new ArrayList<>();
        for (int i = 0; i < 300; i++) mine.add(l.claim("here", 0, 1, 100));
        assertTrue(other.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, other.exitValue());
        List<SpaceLedger.Segment> live = l.read().liveSegments();
        assertEquals(600, live.size(), "every claim of both processes is recorded");
        assertDisjointWhileLive(l);
    }

    /** Claims 300 times from the ledger named in its arguments, as a second process's writer would. */
    public static final class ClaimingProcess {
        public static void main(String[] args) throws IOException {
            SpaceLedger l = new SpaceLedger(Path.of(args[0]), Path.of(args[1]), false);
            for (int i = 0; i < 300; i++) l.claim("there", 0, 1, 100);
        }
    }

    private static void assertDisjointWhileLive(SpaceLedger l) throws IOException {
        SpaceLedger.State s = l.read();
        List<long[]> spans = new ArrayList<>();
        for (SpaceLedger.Segment g : s.liveSegments()) spans.add(new long[] {g.start(), g.start() + g.length()});
        for (SpaceLedger.Extent e : s.freeExtents()) spans.add(new long[] {e.start(), e.end()});
        spans.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < spans.size(); i++) {
            assertTrue(spans.get(i)[0] >= spans.get(i - 1)[1], "overlapping space at " + spans.get(i)[0]);
        }
        for (long[] span : spans) assertTrue(span[1] <= s.frontier(), "space past the frontier");
    }
}
