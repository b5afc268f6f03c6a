package io.hdf5flink.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeaderContinuationMessage;
import io.hdf5flink.hdf5.format.SymbolTableMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HDF5 reopen path's fuzz findings, and the loops the fuzzer cannot easily build (shared
 * B-tree subtrees, header continuations that come back), each made from the engine's own seed
 * file ({@link Hdf5ReopenFuzzTest#writeEngineSeed}) by changing the fields involved. Every case
 * must be refused with an {@link Hdf5Exception} that names the file, quickly and without
 * allocating in proportion to the loop.
 */
class Hdf5RegressionTest {
    private static final Duration QUICKLY = Duration.ofSeconds(20);
    private static byte[] seed;

    @TempDir
    Path directory;

    @BeforeAll
    static void makeSeed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("seed.h5");
        Hdf5ReopenFuzzTest.writeEngineSeed(file);
        seed = Files.readAllBytes(file);
    }

    /**
     * Found by the fuzzer: a dataspace whose maximum size is below its current size (here the
     * fixed maximum 20 of /f8 made 5, below its 10 elements) opened, and {@link Hdf5Dataset#spec()}
     * then threw an IllegalArgumentException naming neither file nor dataset.
     */
    @Test
    void refusesADataspaceWhoseMaximumIsBelowItsSize() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        ObjectHeader.Slot space = s.slot("/f8", DataspaceMessage.TYPE);
        assertEquals(20, s.getLong(space.bodyAddress() + 16));
        s.putLong(space.bodyAddress() + 16, 5);
        assertRefused(s, f -> f.dataset("/f8").spec(), "/f8: dataspace of shape [10] and maximum shape [5] is corrupt");
    }

    /**
     * Found by the fuzzer: a local heap whose data segment size reads as negative (a u64 past
     * 2^63) made the storage allocate a buffer of negative capacity (IllegalArgumentException).
     * A chunk size past 2^31 in a chunk B-tree key did the same.
     */
    @Test
    void refusesNegativeSizes() throws IOException {
        Hdf5Surgery heap = new Hdf5Surgery(seed);
        long heapAddress = heap.symbolTable("/many").localHeapAddress();
        heap.putLong(heapAddress + 8, 0xFFFFFFFFFF000008L);
        assertRefused(heap, f -> f.group("/many"), "local heap data segment of 18446744073692774408 bytes is corrupt");

        Hdf5Surgery chunk = new Hdf5Surgery(seed);
        long leaf = firstLeaf(chunk, chunkRoot(chunk));
        chunk.putInt(leaf + BTreeNode.PREFIX_SIZE, 0x80000000); // key 0's chunk size
        assertRefused(chunk, f -> f.dataset("/many/g3/data").read(new long[] {0, 0}, new long[] {1, 4}),
                "(-2147483648 bytes) lies past the end of the file");
    }

    /**
     * A group B-tree whose levels each hold 32 pointers to one node of the level below: a 7 KiB
     * addition to the file that made opening the group visit 32^6 paths (a hang). Each node may
     * now be reached once.
     */
    @Test
    void refusesGroupBTreesThatShareSubtrees() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        SymbolTableMessage table = s.symbolTable("/many");
        int k = s.groupInternalK();
        long below = table.bTreeAddress();
        for (int level = 1; level <= 6; level++) {
            byte[][] keys = new byte[2 * k + 1][];
            long[] children = new long[2 * k];
            for (int i = 0; i < keys.length; i++) keys[i] = new byte[8];
            java.util.Arrays.fill(children, below);
            below = s.append(new BTreeNode(BTreeNode.GROUP_NODES, level, 2 * k, keys, children).encode(k, 8));
        }
        s.putLong(s.slot("/many", SymbolTableMessage.TYPE).bodyAddress(), below);
        assertRefused(s, f -> f.group("/many").memberNames(), "is reached twice");
    }

    /**
     * The same for a dataset's chunk B-tree: {@link Hdf5Dataset#allocatedChunks()} walked 64^4
     * paths. Reads, which follow one path, were not affected.
     */
    @Test
    void refusesChunkBTreesThatShareSubtrees() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        int k = s.chunkK();
        int keySize = 8 + 8 * 3;
        long root = chunkRoot(s);
        BTreeNode top = s.node(root, BTreeNode.CHUNK_NODES, keySize, 2 * k);
        long below = root;
        for (int level = top.level + 1; level <= top.level + 4; level++) {
            byte[][] keys = new byte[2 * k + 1][];
            long[] children = new long[2 * k];
            for (int i = 0; i < keys.length; i++) keys[i] = i < 2 * k ? top.keys[0] : top.keys[top.entries];
            java.util.Arrays.fill(children, below);
            below = s.append(new BTreeNode(BTreeNode.CHUNK_NODES, level, 2 * k, keys, children).encode(k, keySize));
        }
        s.putLong(s.slot("/many/g3/data", DataLayoutMessage.TYPE).bodyAddress() + DataLayoutMessage.BTREE_ADDRESS_OFFSET, below);
        Path file = write(s);
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            // One path down still finds the chunks.
            assertEquals(4 * 2, f.dataset("/many/g3/data").read(new long[] {3, 0}, new long[] {1, 4}).remaining());
        }
        assertRefused(s, f -> f.dataset("/many/g3/data").allocatedChunks(), "is reached twice");
    }

    /**
     * An object header whose continuation leads to a 16 MiB block of 64 KiB NIL messages that
     * continues back to itself: the header was read 256 times over (4 GiB read and allocated)
     * before the message limit stopped it. Header blocks may no longer overlap.
     */
    @Test
    void refusesObjectHeaderContinuationsThatComeBack() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        int nil = ObjectHeader.MESSAGE_HEADER_SIZE + 0xFFF8;
        int count = (16 << 20) / nil;
        ByteBuffer region = ByteBuffer.allocate(count * nil + ObjectHeader.MESSAGE_HEADER_SIZE + ObjectHeaderContinuationMessage.BODY_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            region.putShort((short) ObjectHeader.NIL).putShort((short) 0xFFF8).putInt(0);
            region.position(region.position() + 0xFFF8);
        }
        long start = s.bytes.length;
        region.putShort((short) ObjectHeaderContinuationMessage.TYPE).putShort((short) ObjectHeaderContinuationMessage.BODY_SIZE)
                .putInt(0).putLong(start).putLong(region.capacity());
        s.append(region.array());
        // The dataset's free space (a NIL message) becomes a continuation into the region.
        ObjectHeader.Slot free = s.header("/f8").find(ObjectHeader.NIL);
        long message = free.messageAddress();
        s.putInt(message, ObjectHeaderContinuationMessage.TYPE | free.bodySize() << 16);
        s.putLong(free.bodyAddress(), start);
        s.putLong(free.bodyAddress() + 8, region.capacity());
        assertRefused(s, f -> f.dataset("/f8"), "overlaps");
    }

    /**
     * Chunk dimensions whose product overflowed 64 bits wrapped to a small chunk size: a rank-2
     * int16 dataset with chunks of 2^32-1 by 2^32-1 opened with 2-byte chunks, and a read of an
     * unstored chunk failed inside the box copy.
     */
    @Test
    void refusesChunkShapesWhoseSizeOverflows() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        long layout = s.slot("/many/g3/data", DataLayoutMessage.TYPE).bodyAddress();
        s.putLong(layout + DataLayoutMessage.BTREE_ADDRESS_OFFSET, -1); // no chunks stored
        s.putInt(layout + 11, -1);
        s.putInt(layout + 15, -1);
        assertRefused(s, f -> f.dataset("/many/g3/data").read(new long[] {0, 0}, new long[] {1, 4}), "exceed");
    }

    /**
     * A 28 KiB file whose layout declares 200 MB chunks and stores none: reading one element
     * materialized the fill value as a whole chunk, and a copy of it (381 MiB; an
     * OutOfMemoryError with a 256 MiB heap). Unstored chunks now cost what the read returns.
     */
    @Test
    void readsUnstoredChunksWithoutMaterializingThem() throws IOException {
        Hdf5Surgery s = new Hdf5Surgery(seed);
        long layout = s.slot("/many/g3/data", DataLayoutMessage.TYPE).bodyAddress();
        s.putLong(layout + DataLayoutMessage.BTREE_ADDRESS_OFFSET, -1); // no chunks stored
        s.putInt(layout + 15, 100_000_000); // chunks of 1 x 4 int16 become 1 x 100M
        Path file = write(s);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            Hdf5Dataset d = f.dataset("/many/g3/data");
            assertEquals(200_000_000, d.chunkBytes());
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            ByteBuffer b = d.read(new long[] {2, 1}, new long[] {3, 2});
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertEquals(12, b.remaining());
            while (b.hasRemaining()) assertEquals(0, b.get());
            assertTrue(allocated < 16L << 20, "reading 12 bytes allocated " + (allocated >> 20) + " MiB");
        }
    }

    private static long chunkRoot(Hdf5Surgery s) {
        return s.getLong(s.slot("/many/g3/data", DataLayoutMessage.TYPE).bodyAddress() + DataLayoutMessage.BTREE_ADDRESS_OFFSET);
    }

    private static long firstLeaf(Hdf5Surgery s, long node) {
        BTreeNode n = s.node(node, BTreeNode.CHUNK_NODES, 32, 2 * s.chunkK());
        return n.level == 0 ? node : firstLeaf(s, n.children[0]);
    }

    private Path write(Hdf5Surgery s) throws IOException {
        Path file = directory.resolve("case-" + System.nanoTime() + ".h5");
        return Files.write(file, s.bytes);
    }

    /** Opens the changed file both ways; {@code action} must fail with an Hdf5Exception containing {@code expected}. */
    private void assertRefused(Hdf5Surgery s, Consumer<Hdf5File> action, String expected) throws IOException {
        Path file = write(s);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (boolean readOnly : new boolean[] {true, false}) {
            String message = assertTimeoutPreemptively(QUICKLY, () -> {
                long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> {
                    try (Hdf5File f = readOnly ? Hdf5File.openReadOnly(file) : Hdf5File.openForAppend(file)) {
                        action.accept(f);
                    }
                });
                long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
                assertTrue(allocated < 128L << 20, "refusing allocated " + (allocated >> 20) + " MiB: " + e.getMessage());
                return e.getMessage();
            }, file::toString);
            assertTrue(message.startsWith(file.toString()), message);
            assertTrue(message.contains(expected), message);
        }
    }
}
