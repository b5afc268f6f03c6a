package io.hdf5flink.hdf5.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writers of a dense group's storage ({@link FractalHeap#write}, {@link V2BTree#write}) read
 * back by the engine's readers, which check every checksum and bound, at the sizes where their
 * layouts change: one direct block and the step to a root indirect block (64 KiB of objects),
 * child indirect blocks (512 KiB), B-tree leaves and each further level (45 name records a leaf,
 * 1,149 in two levels). libhdf5 judges a few of these sizes in {@code LinkMessageGroupInteropTest};
 * this covers the boundaries between them.
 */
class DenseLinkStorageTest {
    /** A file in memory: blocks written where {@code allocate} put them. */
    private static final class Memory implements BlockReader {
        byte[] bytes = new byte[1 << 16];
        int end = 64; // nothing at address 0, as in a file

        long allocate(int size) {
            long at = end;
            end += size;
            if (end > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
            return at;
        }

        void write(Map<Long, byte[]> blocks) {
            blocks.forEach((address, block) -> System.arraycopy(block, 0, bytes, Math.toIntExact(address), block.length));
        }

        @Override
        public ByteBuffer read(long address, int length, String what) throws IOException {
            if (address < 0 || address + length > end) throw new IOException(what + " past the end: " + address + "+" + length);
            return ByteBuffer.wrap(Arrays.copyOfRange(bytes, (int) address, (int) address + length)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @ParameterizedTest(name = "{0} objects")
    @ValueSource(ints = {1, 500, 2500, 2800, 3000, 12000, 25000, 60000})
    void everyObjectOfTheHeapIsReadBackFromItsId(int count) throws IOException {
        Random random = new Random(count);
        List<byte[]> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Link messages of short names, now and then a long one, and the largest a block takes.
            int size = i % 997 == 500 ? FractalHeap.MAX_LINK_OBJECT : i % 101 == 7 ? 300 + random.nextInt(700) : 12 + random.nextInt(30);
            byte[] o = new byte[size];
            random.nextBytes(o);
            objects.add(o);
        }
        Memory m = new Memory();
        FractalHeap.Written w = FractalHeap.write(objects, m::allocate);
        assertNotNull(w);
        m.write(w.blocks());
        FractalHeap heap = FractalHeap.open(m, w.headerAddress(), "/g");
        assertEquals(count, w.ids().size());
        for (int i = 0; i < count; i++) {
            ByteBuffer o = heap.object(ByteBuffer.wrap(w.ids().get(i)).order(ByteOrder.LITTLE_ENDIAN));
            byte[] got = new byte[o.remaining()];
            o.get(got);
            assertArrayEquals(objects.get(i), got, "object " + i);
        }
    }

    @org.junit.jupiter.api.Test
    void anObjectLargerThanABlockHoldsIsNotWritten() {
        Memory m = new Memory();
        assertNull(FractalHeap.write(List.of(new byte[FractalHeap.MAX_LINK_OBJECT + 1]), m::allocate));
        assertNull(FractalHeap.write(List.of(new byte[0]), m::allocate));
    }

    @ParameterizedTest(name = "{0} records")
    @ValueSource(ints = {0, 1, 45, 46, 91, 1149, 1150, 5000, 60000})
    void everyRecordOfTheTreeIsReadBack(int count) throws IOException {
        for (int[] kind : new int[][] {{5, 11}, {6, 15}}) {
            Random random = new Random(count * 31L + kind[0]);
            List<byte[]> records = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] r = new byte[kind[1]];
                random.nextBytes(r);
                records.add(r);
            }
            records.sort(Arrays::compareUnsigned);
            Memory m = new Memory();
            V2BTree.Packed w = V2BTree.writeLinkIndex(kind[0], kind[1], records, m::allocate);
            assertNotNull(w);
            m.write(w.blocks());
            List<byte[]> read = new ArrayList<>();
            for (ByteBuffer b : V2BTree.records(m, w.headerAddress(), kind[0], "/g")) {
                byte[] r = new byte[b.remaining()];
                b.get(r);
                read.add(r);
            }
            read.sort(Arrays::compareUnsigned);
            assertEquals(count, read.size(), "type " + kind[0]);
            for (int i = 0; i < count; i++) assertArrayEquals(records.get(i), read.get(i), "type " + kind[0] + ", record " + i);
        }
    }
}
