package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class Bzip2FilterTest extends AbstractFilterTest {

    private final Bzip2Filter filter = new Bzip2Filter(9);

    @Override
    Filter filter() {
        return filter;
    }

    /** bzip2 decodes at about 20 MB/s: 1500 corruptions of a 240 KB chunk took 19 s of the suite. */
    @Override
    int corruptRounds() {
        return 300;
    }

    @Test
    void writesAStreamWithTheGivenBlockSize() throws IOException {
        byte[] data = TestData.sineInt16(10_000, 1, 1);
        byte[] encoded = new Bzip2Filter(3).encode(data, data.length);
        assertEquals("BZh3", new String(encoded, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }

    @Test
    void refusesBlockSizesOutsideOneToNine() {
        assertThrows(IllegalArgumentException.class, () -> new Bzip2Filter(0));
        assertThrows(IllegalArgumentException.class, () -> new Bzip2Filter(10));
    }
}
