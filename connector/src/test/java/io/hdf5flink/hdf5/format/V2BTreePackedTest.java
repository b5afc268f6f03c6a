package io.hdf5flink.hdf5.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packed version 2 B-tree a kept chunk index writes ({@link V2BTree#writePacked}): read back
 * by the engine's checking reader at sizes around each level's capacity, and, when records are
 * appended at the end, only the rightmost path written again (the rest reused at its address),
 * also when the tree before is known only from reading it back (a writer that reopened the file).
 */
class V2BTreePackedTest {
    private static final int NODE = 2048;
    private static final int RECORD = 8 + 2 + 4 + 16; // a filtered chunk's record of rank 2

    private static List<byte[]> records(int from, int to) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN).putLong(1000L + i).putShort((short) 7).putInt(0)
                    .putLong(i / 50).putLong(i % 50).array());
        }
        return out;
    }

    private static final class Memory implements BlockReader {
        byte[] bytes = new byte[1 << 20];
        int end = 64;

        long allocate(int size) {
            long at = end;
            end += size;
            if (end > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
            return at;
        }

        @Override
        public ByteBuffer read(long address, int length, String what) throws IOException {
            if (address < 0 || address + length > end) throw new IOException(what + " past the end");
            return ByteBuffer.wrap(Arrays.copyOfRange(bytes, (int) address, (int) address + length)).order(ByteOrder.LITTLE_ENDIAN);
        }

        void write(V2BTree.Packed tree) {
            tree.blocks().forEach((a, b) -> System.arraycopy(b, 0, bytes, Math.toIntExact(a), b.length));
        }
    }

    private static void assertHolds(Memory m, V2BTree.Packed tree, List<byte[]> expected) throws IOException {
        V2BTree.Tree read = V2BTree.readTree(m, tree.headerAddress(), 11, "/d");
        List<byte[]> got = new ArrayList<>();
        for (ByteBuffer b : read.records()) {
            byte[] r = new byte[b.remaining()];
            b.get(r);
            got.add(r);
        }
        got.sort(Arrays::compareUnsigned);
        List<byte[]> want = new ArrayList<>(expected);
        want.sort(Arrays::compareUnsigned);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), "record " + i);
        assertEquals(tree.nodes().size(), read.nodeAddresses().size(), "every node reached once");
    }

    @ParameterizedTest(name = "{0} records, then 10 more")
    @ValueSource(ints = {1, 67, 68, 69, 70, 136, 137, 3000, 5000, 200_000})
    void aPackedTreeIsReadBackAndAppendingRewritesOnlyItsRightmostPath(int n) throws IOException {
        Memory m = new Memory();
        List<byte[]> first = records(0, n);
        V2BTree.Packed one = V2BTree.writePacked(11, RECORD, NODE, 100, 40, first, new HashMap<>(), m::allocate);
        m.write(one);
        assertHolds(m, one, first);

        List<byte[]> more = records(0, n + 10);
        V2BTree.Packed two = V2BTree.writePacked(11, RECORD, NODE, 100, 40, more, one.nodes(), m::allocate);
        m.write(two);
        assertHolds(m, two, more);
        int written = two.blocks().size() - 1; // nodes, without the header
        // Depth 3 at most here: the rightmost path, and the node before it on each level that
        // gave up a record or child so the last one is not empty.
        assertTrue(written <= 8, n + " records: " + written + " of " + two.nodes().size() + " nodes written again for 10 appended");

        // After a reopen: the nodes as read from the file are reused just the same.
        List<byte[]> most = records(0, n + 20);
        V2BTree.Packed three = V2BTree.writePacked(11, RECORD, NODE, 100, 40, most,
                V2BTree.readTree(m, two.headerAddress(), 11, "/d").nodes(), m::allocate);
        m.write(three);
        assertHolds(m, three, most);
        assertTrue(three.blocks().size() - 1 <= 8, n + " records after a reopen: " + (three.blocks().size() - 1) + " nodes written again");
    }
}
