package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.filter.DeflateFilter.Implementation;
import java.io.IOException;
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
        assertNull(LibdeflateDeflate.encode(noise, noise.length, 4, new byte[1000]));
        byte[] data = TestData.sineInt16(20_000, 2, 7);
        byte[] stream = LibdeflateDeflate.encode(data, data.length, 4,
                new byte[(int) DeflateFilter.maxEncodedLength(data.length)]);
        assertArrayEquals(data, new DeflateFilter(4).decode(stream, stream.length, data.length));
    }
}
