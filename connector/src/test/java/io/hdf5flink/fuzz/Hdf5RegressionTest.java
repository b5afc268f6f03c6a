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
