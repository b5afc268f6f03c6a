package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.format.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy-on-write chunk B-tree on its own: ordering, replacement, splits, reloading, cost. */
class ChunkIndexTest {
    @TempDir Path dir;

    private FileStorage storage(String name) throws Exception {
        Path file = dir.resolve(name);
        FileStorage s = FileStorage.open(file, file, true,
                io.hdf5flink.hdf5.format.Superblock.v0(96, io.hdf5flink.hdf5.format.SymbolTableEntry.forObject(0, 0)), 96, null);
        s.write(0, new byte[96]);
        return s;
    }

    @Test
    void randomOrderInsertsAreFoundReplacedAndVisitedInKeyOrder() throws Exception {
        try (FileStorage s = storage("a")) {
            BTreeChunkIndex index = new BTreeChunkIndex(s, "/d", 2, 4, 32, Bytes.UNDEFINED_ADDRESS);
            Random random = new Random(42);
            TreeMap<List<Long>, Long> expected = new TreeMap<>((a, b) -> {
                for (int i = 0; i < a.size(); i++) {
                    int c = Long.compare(a.get(i), b.get(i));
                    if (c != 0) return c;
                }
                return 0;
            });
            for (int i = 0; i < 20_000; i++) {
                long r = random.nextInt(300) * 10L;
                long c = random.nextInt(40) * 4L;
                long address = 1000 + i;
                index.put(new long[] {r, c}, address, i, i % 3);
                expected.put(List.of(r, c), address);
            }
            assertTrue(index.depth() >= 2, "20k inserts over 12k keys need more than one level");
            for (var e : expected.entrySet()) {
                ChunkIndex.Entry got = index.get(new long[] {e.getKey().get(0), e.getKey().get(1)});
                assertEquals(e.getValue(), got.address(), "chunk " + e.getKey());
            }
            assertNull(index.get(new long[] {5, 0}));
            long root = index.writeDirty();
            index.afterCommit();

            BTreeChunkIndex reloaded = new BTreeChunkIndex(s, "/d", 2, 4, 32, root);
            List<List<Long>> visited = new ArrayList<>();
            reloaded.forEach((offset, entry) -> {
                visited.add(List.of(offset[0], offset[1]));
                assertEquals(expected.get(List.of(offset[0], offset[1])), entry.address());
            });
            assertEquals(new ArrayList<>(expected.keySet()), visited);
        }
    }

    @Test
    void appendOnlyIndexesKeepLeavesFull() throws Exception {
        try (FileStorage s = storage("b")) {
            BTreeChunkIndex index = new BTreeChunkIndex(s, "/d", 1, 1, 32, Bytes.UNDEFINED_ADDRESS);
            for (int i = 0; i < 64 * 64; i++) index.put(new long[] {i}, i, 1, 0);
            // 4096 chunks in full nodes of 64 fill exactly two levels.
            assertEquals(2, index.depth());
        }
    }

    @Test
    void oneAppendCostsOnePathWhateverTheIndexSize() throws Exception {
        try (FileStorage s = storage("c")) {
            long small = costOfLastAppend(s, 1_000);
            long large = costOfLastAppend(s, 1_000_003);
            assertEquals(2, small, "1k chunks: two levels, one node each");
            assertEquals(4, large, "1M chunks: four levels, one node each: the cost grows with log64(n) only");
        }
    }

    /** Node writes of one commit holding a single appended chunk, after {@code n} chunks. */
    private long costOfLastAppend(FileStorage s, int n) throws Exception {
        BTreeChunkIndex index = new BTreeChunkIndex(s, "/d" + n, 1, 1, 32, Bytes.UNDEFINED_ADDRESS);
        for (int i = 0; i < n; i++) {
            index.put(new long[] {i}, i, 1, 0);
            if (i % 10_000 == 0) {
                index.writeDirty();
                index.afterCommit();
            }
        }
        index.writeDirty();
        index.afterCommit();
        long before = index.nodeWrites();
        index.put(new long[] {n}, n, 1, 0);
        index.writeDirty();
        index.afterCommit();
        return index.nodeWrites() - before;
    }

    @Test
    void committedNodesAreNeverOverwrittenBeforeTheNextCommit() throws Exception {
        try (FileStorage s = storage("d")) {
            BTreeChunkIndex index = new BTreeChunkIndex(s, "/d", 1, 1, 32, Bytes.UNDEFINED_ADDRESS);
            for (int i = 0; i < 200; i++) index.put(new long[] {i}, i, 1, 0);
            long committedRoot = index.writeDirty();
            index.afterCommit();
            List<Long> before = snapshot(s, committedRoot);
            for (int i = 200; i < 400; i++) index.put(new long[] {i}, i, 1, 0);
            index.put(new long[] {5}, 99, 1, 0);
            index.writeDirty(); // written, not yet published
            assertEquals(before, snapshot(s, committedRoot), "the committed tree must be intact until the switch");
        }
    }

    /**
     * A reader that opened the file several commits ago still walks the index it found (libhdf5
     * reads nodes as it needs them): the nodes of an index superseded two, three, ten commits
     * ago stay intact while the grace period runs (before it, a segfaulting h5py reader showed
     * they were reused at the next commit but one).
     */
    @Test
    void nodesOfAnIndexSeveralCommitsOldAreNotReusedWithinTheGracePeriod() throws Exception {
        try (FileStorage s = storage("e")) {
            BTreeChunkIndex index = new BTreeChunkIndex(s, "/d", 1, 1, 32, Bytes.UNDEFINED_ADDRESS);
            for (int i = 0; i < 200; i++) index.put(new long[] {i}, i, 1, 0);
            long oldRoot = index.writeDirty();
            index.afterCommit();
            List<Long> old = snapshot(s, oldRoot);
            for (int commit = 0; commit < 10; commit++) {
                index.put(new long[] {200 + commit}, 200 + commit, 1, 0);
                index.put(new long[] {commit}, 1000 + commit, 1, 0);
                index.writeDirty();
                index.afterCommit();
            }
            assertEquals(old, snapshot(s, oldRoot), "the index of ten commits ago is intact");
        }
    }

    private List<Long> snapshot(FileStorage s, long root) throws Exception {
        List<Long> all = new ArrayList<>();
        new BTreeChunkIndex(s, "/d", 1, 1, 32, root).forEach((o, e) -> {
            all.add(o[0]);
            all.add(e.address());
        });
        return all;
    }

    @Test
    void shuffledSparseInsertsInThreeDimensions() throws Exception {
        try (FileStorage s = storage("e")) {
            BTreeChunkIndex index = new BTreeChunkIndex(s, "/d", 3, 8, 32, Bytes.UNDEFINED_ADDRESS);
            List<long[]> keys = new ArrayList<>();
            for (int a = 0; a < 20; a++) for (int b = 0; b < 20; b++) for (int c = 0; c < 20; c++) {
                keys.add(new long[] {a * 7L, b * 5L, c * 3L});
            }
            Collections.shuffle(keys, new Random(7));
            for (int i = 0; i < keys.size(); i++) index.put(keys.get(i), i, i, 0);
            for (int i = 0; i < keys.size(); i++) {
                assertEquals(i, index.get(keys.get(i)).address(), Arrays.toString(keys.get(i)));
            }
        }
    }
}
