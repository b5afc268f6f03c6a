package io.hdf5flink.source.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire format against numpy itself: what {@code np.save} writes to a buffer decodes to the
 * same elements (either byte order), what {@link NpyMessages#encode} writes is byte for byte what
 * {@code np.save} writes, and every kind of bad message is refused naming where it came from.
 */
class NpyMessagesTest {
    private static final String WHERE = "topic t partition 2 offset 17";

    @TempDir Path dir;

    private byte[] npSave(String expression) throws Exception {
        Path out = dir.resolve("a.npy");
        ReferenceLibrary.runPython("import io, numpy as np, sys\nb = io.BytesIO()\nnp.save(b, " + expression
                + ")\nopen(sys.argv[1], 'wb').write(b.getvalue())\n", out.toString());
        return Files.readAllBytes(out);
    }

    @Test
    void encodesWhatNumpySaves() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(300 * 384 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 300 * 384; i++) data.putShort((short) (i * 7));
        assertArrayEquals(npSave("(np.arange(300 * 384, dtype=np.int64) * 7).astype('<i2').reshape(300, 384)"),
                NpyMessages.encode(DataType.INT16, new long[] {300, 384}, data.array()));
        assertArrayEquals(npSave("np.zeros(5, dtype='<f8')"), NpyMessages.encode(DataType.FLOAT64, new long[] {5}, new byte[40]));
        assertArrayEquals(npSave("np.zeros((1, 3, 4), dtype='<u2')"),
                NpyMessages.encode(DataType.UINT16, new long[] {1, 3, 4}, new byte[24]));
    }

    @Test
    void decodesEitherByteOrderToLittleEndianRows() throws Exception {
        for (String order : new String[] {"<", ">"}) {
            ArrayBlock b = NpyMessages.decode(WHERE, npSave("np.arange(6, dtype='" + order + "i4').reshape(3, 2)"), "f.h5",
                    "/a/data", null);
            assertEquals(DataType.INT32, b.type());
            assertArrayEquals(new long[] {3, 2}, b.shape());
            assertTrue(b.isAppend());
            assertEquals("f.h5", b.file());
            ByteBuffer d = ByteBuffer.wrap(b.data()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 6; i++) assertEquals(i, d.getInt(), order + " element " + i);
        }
        ArrayBlock at = NpyMessages.decode(WHERE, npSave("np.ones((2, 2), dtype='<f4')"), null, "data", "10, 0");
        assertArrayEquals(new long[] {10, 0}, at.offset());
        assertEquals("/data", at.dataset());
        assertNull(at.file());
    }

    @Test
    void badMessagesSayWhereTheyCameFromAndWhatIsWrong() throws Exception {
        byte[] good = npSave("np.zeros((2, 3), dtype='<i2')");
        assertBad("is not a .npy array", "not numpy".getBytes(), "/d", null);
        assertBad("is not a .npy array", Arrays.copyOf(good, 20), "/d", null);
        assertBad("needs 12 data bytes, the value holds 10", Arrays.copyOf(good, good.length - 2), "/d", null);
        assertBad("needs 12 data bytes, the value holds 13", Arrays.copyOf(good, good.length + 1), "/d", null);
        assertBad("Fortran-order", npSave("np.asfortranarray(np.zeros((2, 3), dtype='<i2'))"), "/d", null);
        assertBad("structured dtype", npSave("np.zeros(2, dtype=[('a', '<i2'), ('b', '<f4')])"), "/d", null);
        assertBad("tombstone", null, "/d", null);
        assertBad("no hdf5.dataset header", good, null, null);
        assertBad("root group", good, "/", null);
        assertBad("has 1 indices, the array 2 axes", good, "/d", "4");
        assertBad("is not 2 indices >= 0", good, "/d", "4,x");
        assertBad("is not 2 indices >= 0", good, "/d", "4,-1");
        ArrayMessage unknown = new ArrayMessage();
        unknown.topic = "t";
        unknown.partition = 2;
        unknown.offset = 17;
        unknown.value = good;
        unknown.unknownHeader = "hdf5.datset";
        BadMessageException e = assertThrows(BadMessageException.class, () -> unknown.toBlock("/d"));
        assertEquals("bad message at " + WHERE + ": unknown header hdf5.datset (known: hdf5.dataset, hdf5.file, hdf5.offset)",
                e.getMessage());
    }

    private static void assertBad(String expected, byte[] value, String dataset, String offset) {
        BadMessageException e = assertThrows(BadMessageException.class, () -> NpyMessages.decode(WHERE, value, null, dataset, offset));
        assertTrue(e.getMessage().startsWith("bad message at " + WHERE + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
