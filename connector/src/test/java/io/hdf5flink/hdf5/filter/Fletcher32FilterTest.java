package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Fletcher32FilterTest extends AbstractFilterTest {

    private final Fletcher32Filter filter = new Fletcher32Filter();

    @Override
    Filter filter() {
        return filter;
    }

    /**
     * Checksums libhdf5 1.10.8 appended (read back with h5py's read_direct_chunk) to chunks of
     * {@code (37 i) mod 256} for i below n; covers odd lengths and the 360-word reduction.
     */
    @Test
    void matchesChecksumsLibhdf5Wrote() throws IOException {
        assertTrailer(3, "254a4a4a");
        assertTrailer(5, "94de4e29");
        assertTrailer(7, "4ebd55e7");
        assertTrailer(721, "f2fbc018");
    }

    private void assertTrailer(int n, String hex) throws IOException {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (37 * i);
        }
        byte[] encoded = filter.encode(data, n);
        assertEquals(n + 4, encoded.length);
        assertEquals(hex, HexFormat.of().formatHex(encoded, n, n + 4), "chunk of " + n + " bytes");
    }

    /**
     * All-0xFF chunks maximise both sums, so a lost carry would show; the expected trailers are
     * the ones libhdf5 1.10.8 wrote for 100000 and 100001 such bytes.
     */
    @Test
    void keepsEveryCarryOfTheLargestSums() throws IOException {
        byte[] ones = new byte[100_001];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertEquals("ffffffff", HexFormat.of().formatHex(filter.encode(ones, 100_000), 100_000, 100_004));
        assertEquals("00ff00ff", HexFormat.of().formatHex(filter.encode(ones, 100_001), 100_001, 100_005));
    }

    @Test
    void refusesAChunkWithAFlippedBit() throws IOException {
        byte[] data = TestData.sineInt16(1000, 1, 1);
        byte[] encoded = filter.encode(data, data.length);
        encoded[500] ^= 0x10;
        IOException e = assertThrows(IOException.class, () -> filter.decode(encoded, encoded.length, data.length));
        assertTrue(e.getMessage().contains("Fletcher-32"), e.getMessage());
    }

    @Test
    void acceptsTheByteSwappedChecksumOfOldLibhdf5() throws IOException {
        byte[] data = TestData.sineInt16(999, 1, 2);
        byte[] encoded = filter.encode(data, data.length);
        int n = data.length;
        byte t = encoded[n];
        encoded[n] = encoded[n + 1];
        encoded[n + 1] = t;
        t = encoded[n + 2];
        encoded[n + 2] = encoded[n + 3];
        encoded[n + 3] = t;
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }

    @Test
    void refusesAChunkTooShortForItsChecksum() {
        assertThrows(IOException.class, () -> filter.decode(new byte[3], 3, 100));
    }
}
