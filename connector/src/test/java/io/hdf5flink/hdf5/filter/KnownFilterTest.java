package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KnownFilterTest {

    private static final int CHUNK = 64 * 1024;

    @Test
    void everyFilterHasItsOwnIdAndUserName() {
        for (KnownFilter f : KnownFilter.values()) {
            assertEquals(Optional.of(f), KnownFilter.byId(f.id()));
            assertEquals(f.isCompressor() ? Optional.of(f) : Optional.empty(), KnownFilter.compressorNamed(f.userName()));
        }
        assertEquals(Optional.empty(), KnownFilter.byId(32001));
        assertEquals(Optional.of(KnownFilter.DEFLATE), KnownFilter.compressorNamed("gzip"));
        assertEquals(Optional.empty(), KnownFilter.compressorNamed("deflate"));
    }

    @Test
    void listsTheCompressorsAsUsersNameThem() {
        assertEquals("gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL]", KnownFilter.compressorChoices());
    }

    @Test
    void levelRangesAndDefaults() {
        assertEquals(4, KnownFilter.DEFLATE.defaultLevel());
        assertEquals(9, KnownFilter.BZIP2.defaultLevel());
        assertEquals(3, KnownFilter.ZSTD.defaultLevel());
        assertFalse(KnownFilter.LZF.hasLevels());
        assertFalse(KnownFilter.LZ4.hasLevels());
        assertEquals(22, KnownFilter.ZSTD.requireLevel(22));
        assertEquals("gzip level 10 is not 1 to 9",
                assertThrows(IllegalArgumentException.class, () -> KnownFilter.DEFLATE.requireLevel(10)).getMessage());
        assertEquals("zstd level 0 is not 1 to 22",
                assertThrows(IllegalArgumentException.class, () -> KnownFilter.ZSTD.requireLevel(0)).getMessage());
        assertEquals(7, KnownFilter.LZF.requireLevel(7), "a filter without levels ignores the level");
    }

    @Test
    void namesEntriesAsUsersDo() {
        assertEquals("gzip 4", KnownFilter.displayName(FilterDescription.deflate(4)));
        assertEquals("shuffle", KnownFilter.displayName(FilterDescription.shuffle(8)));
        assertEquals("lzf", KnownFilter.displayName(FilterDescription.lzf(CHUNK)));
        assertEquals("bzip2 7", KnownFilter.displayName(FilterDescription.bzip2(7)));
        assertEquals("bzip2", KnownFilter.displayName(new FilterDescription(307, "", 1, new int[0])));
        assertEquals("blosc (32001)", KnownFilter.displayName(new FilterDescription(32001, "blosc", 1, new int[0])));
    }

    @Test
    void everyFilterStaysWithinItsBoundAndRoundTrips() throws IOException {
        for (byte[] raw : List.of(TestData.random(CHUNK, 3), TestData.sineInt16(CHUNK / 2, 2, 6), new byte[1])) {
            for (KnownFilter f : KnownFilter.values()) {
                FilterDescription entry = f.newEntry(f.defaultLevel(), 2, raw.length);
                Filter filter = f.filter(entry.clientData());
                byte[] encoded = filter.encode(raw, raw.length);
                if (encoded == null) continue;
                assertTrue(encoded.length <= filter.encodedLengthBound(raw.length),
                        f + ": " + encoded.length + " bytes for " + raw.length);
                assertArrayEquals(raw, filter.decode(encoded, encoded.length, raw.length), f.toString());
            }
        }
    }
}
