package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.filter.DeflateFilter.Implementation;
import org.junit.jupiter.api.Test;

/**
 * Deflate level 1, which runs on Intel's ISA-L where GKL ships it (and on libdeflate where only
 * that loads): the tests of every native deflater, and ISA-L's handling of output that does not
 * fit.
 */
class DeflateLevelOneTest extends NativeDeflateTest {

    DeflateLevelOneTest() {
        super(1);
    }

    @Override
    Implementation expectedHere() {
        if (gklShipsThisPlatform()) return Implementation.INTEL_ISAL;
        return jlibdeflateShipsThisPlatform() ? Implementation.LIBDEFLATE : Implementation.JDK_ZLIB;
    }

    @Override
    double maxSizeAgainstZlib() {
        return 1.05;
    }

    /**
     * ISA-L output that would not fit is not truncated: encode declines (DeflateFilter then uses
     * zlib) and the thread's compressor still works for the next chunk.
     */
    @Test
    void isalDeclinesOutputThatDoesNotFitAndRecovers() throws Exception {
        if (!IsalDeflate.available()) return;
        byte[] noise = TestData.random(100_000, 6);
        assertEquals(-1, IsalDeflate.encode(noise, noise.length, new byte[1000]));
        byte[] data = TestData.sineInt16(20_000, 2, 7);
        // Written at the start of a larger array, as the sink's reused output arrays are.
        byte[] stream = new byte[(int) DeflateFilter.maxEncodedLength(data.length) + 100];
        int n = IsalDeflate.encode(data, data.length, stream);
        assertArrayEquals(data, new DeflateFilter(4).decode(stream, n, data.length));
    }
}
