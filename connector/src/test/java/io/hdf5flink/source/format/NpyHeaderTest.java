package io.hdf5flink.source.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NpyHeader} on headers numpy wrote and on malformed ones built byte by byte. */
class NpyHeaderTest {

    @Test
    void readsTheHeadersNumpyWritesInEachVersion(@TempDir Path dir) throws Exception {
        String script = "import numpy as np, sys\n"
                + "d = sys.argv[1]\n"
                + "for v in (1, 2, 3):\n"
                + "    with open(f'{d}/v{v}.npy', 'wb') as f:\n"
                + "        np.lib.format.write_array(f, np.zeros((3, 4, 5), dtype='>u4'), version=(v, 0))\n";
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        for (int version = 1; version <= 3; version++) {
            byte[] file = Files.readAllBytes(dir.resolve("v" + version + ".npy"));
            InputStream in = new ByteArrayInputStream(file);
            NpyHeader header = NpyHeader.read(in);
            assertEquals(version, header.major());
            assertEquals(DataType.UINT32, header.type());
            assertTrue(header.bigEndian());
            assertArrayEquals(new long[] {3, 4, 5}, header.shape());
            assertEquals(file.length - 3 * 4 * 5 * 4, header.dataOffset());
            assertEquals(0, header.dataOffset() % 64, "numpy aligns data to 64 bytes");
            assertEquals(file.length - header.dataOffset(), in.available(), "the stream is left at the data");
        }
    }

    @Test
    void readsPythonTwoLongsDoubleQuotesAndOneByteTypes() throws IOException {
        NpyHeader h = read(1, "{\"descr\": '|u1', 'shape': (3L, 4L), 'fortran_order': False}");
        assertEquals(DataType.UINT8, h.type());
        assertFalse(h.bigEndian());
        assertArrayEquals(new long[] {3, 4}, h.shape());
        assertArrayEquals(new long[] {7}, read(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }").shape());
    }

    @Test
    void boundsTheHeaderLengthBeforeReadingIt() {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(-1);
        assertRefused(b.array(), "claims to be 4294967295 bytes long, more than the 1048576 accepted");
    }

    @Test
    void refusesTruncatedHeaders() {
        byte[] whole = header(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }");
        assertRefused(Arrays.copyOf(whole, 4), "not a .npy file");
        assertRefused(Arrays.copyOf(whole, 7), "truncated .npy header: the file ends in the version");
        assertRefused(Arrays.copyOf(whole, 9), "truncated .npy header: the file ends in the header length");
        assertRefused(Arrays.copyOf(whole, 30), "truncated .npy header: it claims 118 bytes, the file holds only 20");
    }

    @Test
    void refusesOtherVersions() {
        byte[] v4 = header(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }");
        v4[6] = 4;
        assertRefused(v4, "unsupported .npy format version 4.0");
        v4[6] = 1;
        v4[7] = 1;
        assertRefused(v4, "unsupported .npy format version 1.1");
    }

    @Test
    void refusesMalformedDicts() {
        assertRefused(1, "['descr', 'shape']", "it is not a dict");
        assertRefused(1, "{'descr': '<i2', 'shape': (3,)}", "it has no 'fortran_order'");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), 'x': 1}", "unexpected key 'x'");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,)", "expected '}'");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,)} junk", "unexpected text after");
        assertRefused(1, "{'descr': '<i2, 'fortran_order': False, 'shape': (3,)}", "expected '}' at character 17");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': 0, 'shape': (3,)}", "'fortran_order' is 0");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': 3}", "'shape' is 3, not a tuple");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3, -1)}", "bad extent -1");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (1,2,3,4,5,6,7,8,9)}", "9 axes");
        assertRefused(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                "too many elements");
        assertRefused(1, "{'descr': 'i2', 'fortran_order': False, 'shape': (3,)}", "has no byte order");
        assertRefused(1, "{'descr': '|i2', 'fortran_order': False, 'shape': (3,)}", "of 2 bytes has no byte order");
        assertRefused(1, "{'descr': '<i', 'fortran_order': False, 'shape': (3,)}", "has no item size");
        assertRefused(1, "{'descr': '<i3', 'fortran_order': False, 'shape': (3,)}", "i3 dtype '<i3' is not supported");
        assertRefused(1, "{'descr': '<f16', 'fortran_order': False, 'shape': (3,)}", "float128 dtype");
        assertRefused(1, "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,)}", "datetime dtype");
        assertRefused(1, "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (3,)}", "structured dtype");
        assertRefused(1, "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}", "object (pickled Python objects)");
        assertRefused(1, "(".repeat(500) + ")".repeat(500), "nested deeper than 16");
    }

    private static NpyHeader read(int version, String dict) throws IOException {
        return NpyHeader.read(new ByteArrayInputStream(header(version, dict)));
    }

    private static void assertRefused(int version, String dict, String reason) {
        assertRefused(header(version, dict), reason);
    }

    private static void assertRefused(byte[] file, String reason) {
        IOException e = assertThrows(IOException.class, () -> NpyHeader.read(new ByteArrayInputStream(file)));
        assertTrue(e.getMessage().contains(reason), () -> "'" + reason + "' not in: " + e.getMessage());
    }

    /** A header as numpy lays it out: magic, version, length, dict padded with spaces to 64 bytes, newline. */
    private static byte[] header(int version, String dict) {
        int lengthBytes = version == 1 ? 2 : 4;
        int prefix = 8 + lengthBytes;
        int padded = (prefix + dict.length() + 1 + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - prefix - dict.length() - 1) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        ByteBuffer length = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) length.putShort((short) text.length()); else length.putInt(text.length());
        out.writeBytes(length.array());
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }
}
