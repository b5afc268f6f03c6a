package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.filter.DeflateFilter.Implementation;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Deflate level 4, the default, which runs on libdeflate where jlibdeflate ships it: the tests of
 * every native deflater, every other level's choice, and output that does not fit.
 */
class DeflateLibdeflateTest extends NativeDeflateTest {

    DeflateLibdeflateTest() {
        super(4);
    }

    @Override
    Implementation expectedHere() {
        return jlibdeflateShipsThisPlatform() ? Implementation.LIBDEFLATE : Implementation.JDK_ZLIB;
    }

    @Override
    double maxSizeAgainstZlib() {
        return 1.0; // libdeflate's level 4 compresses these recordings better than zlib's
    }

    @Test
    void levelZeroStaysOnZlibAndLevelsTwoToNineOnLibdeflate() throws IOException {
        assertEquals(Implementation.JDK_ZLIB, DeflateFilter.implementation(0), "level 0 stores, zlib's way");
        byte[] data = TestData.sineInt16(30_000, 4, 9);
        for (int level = 2; level <= 9; level++) {
            assertEquals(expectedHere(), DeflateFilter.implementation(level), "level " + level);
            DeflateFilter filter = new DeflateFilter(level);
            byte[] stream = filter.encode(data, data.length);
            assertTrue(stream.length < data.length * 0.9, "level " + level + ": " + stream.length + " bytes");
            assertArrayEquals(data, filter.decode(stream, stream.length, data.length), "level " + level);
        }
    }

    /** Output that would not fit is not truncated: encode declines (DeflateFilter then uses zlib). */
    @Test
    void libdeflateDeclinesOutputThatDoesNotFitAndRecovers() throws IOException {
        if (!LibdeflateDeflate.available()) return;
        byte[] noise = TestData.random(100_000, 6);
        assertEquals(-1, LibdeflateDeflate.encode(noise, noise.length, 4, new byte[1000]));
        byte[] data = TestData.sineInt16(20_000, 2, 7);
        byte[] stream = new byte[(int) DeflateFilter.maxEncodedLength(data.length) + 100];
        int n = LibdeflateDeflate.encode(data, data.length, 4, stream);
        assertArrayEquals(data, new DeflateFilter(4).decode(stream, n, data.length));
    }

    /**
     * Decoding: libdeflate reads every zlib level's stream (bytes after its end ignored, as zlib
     * ignores them) and refuses bad ones, which the filter then decodes with zlib to name the
     * fault.
     */
    @Test
    void libdeflateDecodesZlibStreamsAndLeavesBadOnesToZlibToName() throws IOException {
        assertEquals(expectedHere(), DeflateFilter.decoder(), "every level decodes on libdeflate where it loads");
        if (!LibdeflateDeflate.available()) return;
        byte[] data = TestData.sineInt16(30_000, 4, 3);
        byte[] stream = null;
        for (int level = 0; level <= 9; level++) {
            Deflater zlib = new Deflater(level);
            zlib.setInput(data);
            zlib.finish();
            stream = new byte[(int) DeflateFilter.maxEncodedLength(data.length)];
            int n = zlib.deflate(stream);
            zlib.end();
            stream = Arrays.copyOf(stream, n);
            assertArrayEquals(data, LibdeflateDeflate.decode(stream, n, data.length), "zlib level " + level);
        }
        int n = stream.length;
        byte[] trailing = Arrays.copyOf(stream, n + 7);
        assertArrayEquals(data, LibdeflateDeflate.decode(trailing, trailing.length, data.length), "trailing bytes");

        assertNull(LibdeflateDeflate.decode(stream, n, data.length - 1), "longer than the bound");
        byte[] whole = stream;
        IOException tooLong = assertThrows(IOException.class, () -> new DeflateFilter(4).decode(whole, n, data.length - 1));
        assertTrue(tooLong.getMessage().contains("decodes to more than the " + (data.length - 1) + " bytes"), tooLong.getMessage());

        assertNull(LibdeflateDeflate.decode(stream, n / 2, data.length), "truncated");
        IOException truncated = assertThrows(IOException.class, () -> new DeflateFilter(4).decode(whole, n / 2, data.length));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());

        byte[] corrupt = stream.clone();
        corrupt[n - 2] ^= 0x5A; // the Adler-32
        assertNull(LibdeflateDeflate.decode(corrupt, n, data.length), "a wrong checksum");
        IOException wrong = assertThrows(IOException.class, () -> new DeflateFilter(4).decode(corrupt, n, data.length));
        assertTrue(wrong.getMessage().contains("corrupt"), wrong.getMessage());
    }
}
