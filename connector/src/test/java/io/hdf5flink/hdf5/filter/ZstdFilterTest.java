package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ZstdFilterTest extends AbstractFilterTest {

    private final ZstdFilter filter = new ZstdFilter(3);

    @Override
    Filter filter() {
        return filter;
    }

    @Test
    void framesRecordTheirContentSize() throws IOException {
        for (int length : new int[] {0, 1, 1000, 300_000}) {
            byte[] data = TestData.sineInt16(length / 2, 1, length);
            byte[] encoded = filter.encode(data, data.length);
            // Checked by a second, independent decoder.
            assertEquals(data.length, ZstdDecompressor.getDecompressedSize(encoded, 0, encoded.length));
        }
    }

    /** The level a file records is the level its chunks were compressed at (issue 19: 22 wrote level 3's bytes). */
    @Test
    void higherLevelsCompressMore() throws IOException {
        byte[] data = new ShuffleFilter(2).encode(TestData.sineInt16(1 << 20, 64, 7), 1 << 21);
        int fast = new ZstdFilter(1).encode(data, data.length).length;
        int standard = new ZstdFilter(3).encode(data, data.length).length;
        int strong = new ZstdFilter(19).encode(data, data.length).length;
        assertTrue(fast > standard && standard > strong, fast + " > " + standard + " > " + strong + " bytes");
        for (int level : new int[] {1, 3, 9, 19, 22}) {
            ZstdFilter f = new ZstdFilter(level);
            byte[] encoded = f.encode(data, data.length);
            assertArrayEquals(data, f.decode(encoded, encoded.length, 1 << 21), "level " + level);
        }
    }

    @Test
    void levelsTheLibraryLacksAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ZstdFilter(23));
    }
}
