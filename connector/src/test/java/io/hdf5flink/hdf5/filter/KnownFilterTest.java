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
        assertEquals(Optional.empty(), KnownFilter.byId(32026));
        assertEquals(Optional.of(KnownFilter.DEFLATE), KnownFilter.compressorNamed("gzip"));
        assertEquals(Optional.empty(), KnownFilter.compressorNamed("deflate"));
    }

    @Test
    void listsTheCompressorsAsUsersNameThem() {
        assertEquals("gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL], bitshuffle[:lz4|zstd][:LEVEL], "
                + "blosc[:lz4|zstd|zlib|snappy][:LEVEL][:shuffle|bitshuffle|noshuffle]", KnownFilter.compressorChoices());
    }

    /** What users add to the names of bitshuffle and Blosc, made canonical, and the entries they record. */
    @Test
    void optionsOfBitshuffleAndBlosc() {
        assertEquals("lz4", KnownFilter.BITSHUFFLE.requireOptions(""));
        assertEquals("lz4:shuffle", KnownFilter.BLOSC.requireOptions(""));
        assertEquals("zstd:bitshuffle", KnownFilter.BLOSC.requireOptions("bitshuffle:zstd"));
        assertEquals("", KnownFilter.DEFLATE.requireOptions(""));
        assertEquals("blosc option 'lz5' is not one of lz4, zstd, zlib, snappy, shuffle, bitshuffle, noshuffle",
                assertThrows(IllegalArgumentException.class, () -> KnownFilter.BLOSC.requireOptions("lz5")).getMessage());
        assertEquals("blosc takes one of lz4|zstd|zlib|snappy, got lz4 and zstd",
                assertThrows(IllegalArgumentException.class, () -> KnownFilter.BLOSC.requireOptions("lz4:zstd")).getMessage());
        assertEquals("codec 'gzip' takes no options, got 'fast'",
                assertThrows(IllegalArgumentException.class, () -> KnownFilter.DEFLATE.requireOptions("fast")).getMessage());
        assertFalse(KnownFilter.BITSHUFFLE.takesLevel("lz4"));
        assertTrue(KnownFilter.BITSHUFFLE.takesLevel("zstd"));
        assertTrue(KnownFilter.BLOSC.hasOwnShuffle() && KnownFilter.BITSHUFFLE.hasOwnShuffle());
        assertFalse(KnownFilter.ZSTD.hasOwnShuffle());
        assertEquals("bitshuffle:zstd:3", KnownFilter.BITSHUFFLE.codecText(3, "zstd"));
        assertEquals("bitshuffle:lz4", KnownFilter.BITSHUFFLE.codecText(3, ""));
        assertEquals("blosc:zlib:9:noshuffle", KnownFilter.BLOSC.codecText(9, "noshuffle:zlib"));
        assertEquals("gzip:4", KnownFilter.DEFLATE.codecText(4, ""));
        // As the plugins' "set local" steps record them (checked against libhdf5 in FilterInteropTest).
        assertArrayEquals(new int[] {0, 4, 2, 0, 2}, KnownFilter.BITSHUFFLE.newEntry(3, "lz4", 2, CHUNK).clientData());
        assertArrayEquals(new int[] {0, 4, 8, 0, 3, 5}, KnownFilter.BITSHUFFLE.newEntry(5, "zstd", 8, CHUNK).clientData());
        assertArrayEquals(new int[] {2, 2, 4, CHUNK, 5, 1, 1}, KnownFilter.BLOSC.newEntry(5, "", 4, CHUNK).clientData());
        assertArrayEquals(new int[] {2, 2, 1, CHUNK, 9, 2, 5},
                KnownFilter.BLOSC.newEntry(9, "zstd:bitshuffle", 300, CHUNK).clientData());
    }

    @Test
    void pipelinesAreTheSameWhateverBitshufflesRecordedVersion() {
        FilterDescription ours = KnownFilter.BITSHUFFLE.newEntry(0, "lz4", 2, CHUNK);
        FilterDescription debian = new FilterDescription(ours.id(), ours.name(), ours.flags(), new int[] {0, 3, 2, 0, 2});
        assertTrue(KnownFilter.sameFilters(List.of(FilterDescription.shuffle(2), ours),
                List.of(FilterDescription.shuffle(2), debian)));
        assertFalse(KnownFilter.sameFilters(List.of(ours), List.of(KnownFilter.BITSHUFFLE.newEntry(3, "zstd", 2, CHUNK))));
        assertFalse(KnownFilter.sameFilters(List.of(ours), List.of(ours, FilterDescription.fletcher32())));
        FilterDescription blosc = KnownFilter.BLOSC.newEntry(5, "", 2, CHUNK);
        assertFalse(KnownFilter.sameFilters(List.of(blosc), List.of(KnownFilter.BLOSC.newEntry(4, "", 2, CHUNK))));
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
        assertEquals("blosc2 (32026)", KnownFilter.displayName(new FilterDescription(32026, "blosc2", 1, new int[0])));
        assertEquals("bitshuffle lz4", KnownFilter.displayName(KnownFilter.BITSHUFFLE.newEntry(0, "lz4", 4, CHUNK)));
        assertEquals("bitshuffle zstd 9", KnownFilter.displayName(KnownFilter.BITSHUFFLE.newEntry(9, "zstd", 4, CHUNK)));
        assertEquals("bitshuffle", KnownFilter.displayName(new FilterDescription(32008, "", 1, new int[] {0, 3, 4})));
        assertEquals("blosc zstd 7 bitshuffle",
                KnownFilter.displayName(KnownFilter.BLOSC.newEntry(7, "bitshuffle:zstd", 4, CHUNK)));
        assertEquals("blosc blosclz 5 shuffle",
                KnownFilter.displayName(new FilterDescription(32001, "blosc", 1, new int[] {2, 2, 4, CHUNK})));
    }

    @Test
    void everyFilterStaysWithinItsBoundAndRoundTrips() throws IOException {
        for (byte[] raw : List.of(TestData.random(CHUNK, 3), TestData.sineInt16(CHUNK / 2, 2, 6), new byte[2])) {
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

    /** Client data a plugin would refuse, and the reason given. */
    private record Refusal(int id, String name, int[] clientData, String why) {
    }

    /** Client data the plugins would refuse is refused when the pipeline is built, naming the filter. */
    @Test
    void badClientDataIsRefusedNamingTheFilter() {
        for (Refusal r : List.of(
                new Refusal(32008, "bitshuffle", new int[] {0, 4}, "bitshuffle needs at least 3 values"),
                new Refusal(32008, "bitshuffle", new int[] {0, 4, 0}, "bitshuffle element size must be positive"),
                new Refusal(32008, "bitshuffle", new int[] {0, 4, 4, 12}, "multiple of 8 elements"),
                new Refusal(32008, "bitshuffle", new int[] {0, 4, 4, 0, 7},
                        "bitshuffle compression 7 is not 0 (none), 2 (LZ4) or 3 (zstd)"),
                new Refusal(32008, "bitshuffle", new int[] {0, 4, 4, 0, 3, 99}, "zstd level 99"),
                new Refusal(32001, "blosc", new int[] {2, 2, 4}, "blosc needs at least 4 values"),
                new Refusal(32001, "blosc", new int[] {2, 2, 4, 4096, 10}, "Blosc level 10 is not 0 to 9"),
                new Refusal(32001, "blosc", new int[] {2, 2, 4, 4096, 5, 3},
                        "Blosc shuffle 3 is not 0 (none), 1 (byte) or 2 (bit)"),
                new Refusal(32001, "blosc", new int[] {2, 2, 4, 4096, 5, 1, 6}, "Blosc compressor 6 is not"))) {
            FilterDescription entry = new FilterDescription(r.id(), r.name(), 1, r.clientData());
            UnsupportedFilterException e = assertThrows(UnsupportedFilterException.class,
                    () -> FilterPipeline.of(List.of(entry), 4, 4096));
            assertTrue(e.getMessage().startsWith("filter " + r.id() + " (" + r.name() + ") has unusable client data "),
                    e.getMessage());
            assertTrue(e.getMessage().contains(r.why()), e.getMessage());
        }
    }
}
