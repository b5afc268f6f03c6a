package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FilterPipelineTest {

    private static final int CHUNK = 64 * 1024;

    @Test
    void namesAnUnsupportedFilterAndListsTheSupportedOnes() {
        FilterDescription blosc2 = new FilterDescription(32026, "blosc2", 1, new int[] {1, 0, 4, 0, 5, 1, 0});
        UnsupportedFilterException e = assertThrows(UnsupportedFilterException.class,
                () -> FilterPipeline.of(List.of(FilterDescription.deflate(4), blosc2), 2, CHUNK));
        assertEquals("filter 32026 (blosc2) is not supported; supported: deflate(1), shuffle(2), fletcher32(3), "
                + "lzf(32000), lz4(32004), bzip2(307), zstd(32015), bitshuffle(32008), blosc(32001)", e.getMessage());
        assertEquals(32026, e.filterId());
    }

    @Test
    void namesAFilterWithUnusableClientData() {
        FilterDescription badDeflate = new FilterDescription(1, "deflate", 1, new int[] {12});
        UnsupportedFilterException e = assertThrows(UnsupportedFilterException.class,
                () -> FilterPipeline.of(List.of(badDeflate), 2, CHUNK));
        assertTrue(e.getMessage().startsWith("filter 1 (deflate) has unusable client data [12]"), e.getMessage());
        FilterDescription noLevel = new FilterDescription(1, "", 1, new int[0]);
        assertThrows(UnsupportedFilterException.class, () -> FilterPipeline.of(List.of(noLevel), 2, CHUNK));
        FilterDescription badBzip2 = new FilterDescription(307, "bzip2", 1, new int[] {0});
        assertThrows(UnsupportedFilterException.class, () -> FilterPipeline.of(List.of(badBzip2), 2, CHUNK));
        FilterDescription hugeLz4Block = new FilterDescription(32004, "", 1, new int[] {-1});
        assertThrows(UnsupportedFilterException.class, () -> FilterPipeline.of(List.of(hugeLz4Block), 2, CHUNK));
    }

    @Test
    void refusesMoreThanThirtyTwoFilters() {
        List<FilterDescription> many = Collections.nCopies(33, FilterDescription.fletcher32());
        assertThrows(IllegalArgumentException.class, () -> FilterPipeline.of(many, 2, CHUNK));
    }

    @Test
    void emptyPipelinePassesChunksThrough() throws IOException {
        FilterPipeline empty = FilterPipeline.of(List.of(), 4, CHUNK);
        byte[] raw = TestData.random(CHUNK, 1);
        EncodedChunk chunk = empty.encode(raw, raw.length);
        assertSame(raw, chunk.data());
        assertEquals(raw.length, chunk.length());
        assertEquals(0, chunk.filterMask());
        assertArrayEquals(raw, empty.decode(raw, raw.length, 0, raw.length));
        assertTrue(empty.isEmpty());
    }

    @Test
    void appliesFiltersInOrderAndUndoesThemInReverse() throws IOException {
        FilterPipeline p = FilterPipeline.of(
                List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4), FilterDescription.fletcher32()),
                2, CHUNK);
        byte[] raw = TestData.sineInt16(CHUNK / 2, 4, 2);
        EncodedChunk chunk = p.encode(raw, raw.length);
        byte[] shuffledDeflated = new DeflateFilter(4).encode(new ShuffleFilter(2).encode(raw, raw.length), raw.length);
        byte[] expected = new Fletcher32Filter().encode(shuffledDeflated, shuffledDeflated.length);
        assertArrayEquals(expected, java.util.Arrays.copyOf(chunk.data(), chunk.length()));
        assertEquals(0, chunk.filterMask());
        assertArrayEquals(raw, p.decode(chunk.data(), chunk.length(), chunk.filterMask(), raw.length));
    }

    /**
     * The shuffle stage writes into a buffer its thread reuses when a filter follows: chunks
     * encoded one after another on one thread stay independent, also with two shuffles in a row.
     */
    @Test
    void chunksEncodedOneAfterAnotherOnOneThreadStayIndependent() throws IOException {
        for (List<FilterDescription> filters : List.of(
                List.of(FilterDescription.shuffle(4), FilterDescription.deflate(1)),
                List.of(FilterDescription.shuffle(4), FilterDescription.shuffle(4), FilterDescription.deflate(1)),
                List.of(FilterDescription.shuffle(4), FilterDescription.fletcher32()))) {
            FilterPipeline p = FilterPipeline.of(filters, 4, CHUNK);
            byte[] a = TestData.random(CHUNK, 11);
            byte[] b = TestData.ramp(CHUNK);
            EncodedChunk encodedA = p.encode(a, CHUNK);
            EncodedChunk encodedB = p.encode(b, CHUNK);
            assertArrayEquals(a, p.decode(encodedA.data(), encodedA.length(), encodedA.filterMask(), CHUNK), filters.toString());
            assertArrayEquals(b, p.decode(encodedB.data(), encodedB.length(), encodedB.filterMask(), CHUNK), filters.toString());
        }
    }

    /**
     * With an output supplier (the sink's writers), the last filter writes into the array it is
     * given, one of at least its bound: the same bytes as without, for codecs that write there
     * themselves (LZF, deflate at each implementation's level, Fletcher-32, shuffle) and for
     * those that encode and copy (LZ4, zstd, bzip2); a declining last filter leaves the array
     * unused.
     */
    @Test
    void theLastFilterWritesIntoTheArrayItIsGiven() throws IOException {
        byte[] raw = TestData.sineInt16(CHUNK / 2, 4, 5);
        for (List<FilterDescription> filters : List.of(
                List.of(FilterDescription.shuffle(2), FilterDescription.lzf(CHUNK)),
                List.of(FilterDescription.shuffle(2), FilterDescription.deflate(1)),
                List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4)),
                List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4), FilterDescription.fletcher32()),
                List.of(FilterDescription.shuffle(2)),
                List.of(FilterDescription.shuffle(2), FilterDescription.lz4(1 << 20)),
                List.of(FilterDescription.zstd(3)),
                List.of(FilterDescription.bzip2(9)))) {
            FilterPipeline p = FilterPipeline.of(filters, 2, CHUNK);
            EncodedChunk own = p.encode(raw, raw.length);
            List<byte[]> given = new ArrayList<>();
            EncodedChunk into = p.encode(raw, raw.length, n -> {
                byte[] b = new byte[n];
                java.util.Arrays.fill(b, (byte) 0x5A); // left-over bytes of an earlier chunk
                given.add(b);
                return b;
            });
            assertEquals(1, given.size(), filters.toString());
            assertSame(given.get(0), into.data(), filters.toString());
            assertEquals(own.filterMask(), into.filterMask(), filters.toString());
            assertArrayEquals(java.util.Arrays.copyOf(own.data(), own.length()), java.util.Arrays.copyOf(into.data(), into.length()),
                    filters.toString());
            assertArrayEquals(raw, p.decode(into.data(), into.length(), into.filterMask(), raw.length), filters.toString());
        }
        FilterPipeline lzf = FilterPipeline.of(List.of(FilterDescription.lzf(CHUNK)), 1, CHUNK);
        byte[] offered = new byte[64];
        EncodedChunk declined = lzf.encode(new byte[0], 0, n -> offered);
        assertEquals(0b1, declined.filterMask());
        assertNotSame(offered, declined.data(), "a declining filter's array is not the chunk's data");
    }

    @Test
    void skipsADecliningOptionalFilterAndMarksItsBit() throws IOException {
        // LZF declines only an empty chunk (it never declines data, see LzfFilter).
        FilterPipeline p = FilterPipeline.of(List.of(FilterDescription.lzf(CHUNK), FilterDescription.fletcher32()), 1, CHUNK);
        EncodedChunk chunk = p.encode(new byte[0], 0);
        assertEquals(0b01, chunk.filterMask());
        assertEquals(4, chunk.length());
    }

    @Test
    void readsBackAnIncompressibleChunkLzfMadeLargerBeforeItsChecksum() throws IOException {
        // LZF stores incompressible data as literal runs, a little larger than the chunk.
        FilterPipeline p = FilterPipeline.of(List.of(FilterDescription.lzf(CHUNK), FilterDescription.fletcher32()), 1, CHUNK);
        byte[] raw = TestData.random(CHUNK, 4);
        EncodedChunk chunk = p.encode(raw, raw.length);
        assertTrue(chunk.length() > raw.length + 4, "LZF output larger than its input");
        assertArrayEquals(raw, p.decode(chunk.data(), chunk.length(), chunk.filterMask(), raw.length));
    }

    @Test
    void decodesChunksAnOptionalFilterSkippedAsH5pyStoresThem() throws IOException {
        // h5py's LZF declines incompressible chunks: shuffled bytes stored raw, LZF's bit set.
        FilterPipeline p = FilterPipeline.of(
                List.of(FilterDescription.shuffle(4), FilterDescription.lzf(CHUNK), FilterDescription.fletcher32()),
                4, CHUNK);
        byte[] raw = TestData.random(CHUNK, 3);
        byte[] shuffled = new ShuffleFilter(4).encode(raw, raw.length);
        byte[] stored = new Fletcher32Filter().encode(shuffled, shuffled.length);
        assertArrayEquals(raw, p.decode(stored, stored.length, 0b010, raw.length));
    }

    @Test
    void failsWhenAMandatoryFilterDeclines() throws IOException {
        FilterDescription mandatoryLzf = new FilterDescription(32000, "lzf", 0, FilterDescription.lzf(CHUNK).clientData());
        FilterPipeline p = FilterPipeline.of(List.of(mandatoryLzf), 1, CHUNK);
        IOException e = assertThrows(IOException.class, () -> p.encode(new byte[0], 0));
        assertTrue(e.getMessage().contains("32000 (lzf)"), e.getMessage());
    }

    @Test
    void completesClientDataLibhdf5FillsInAtCreation() throws IOException {
        FilterPipeline p = FilterPipeline.of(List.of(
                new FilterDescription(2, "shuffle", 1, new int[0]),
                new FilterDescription(32000, "lzf", 1, new int[0])), 8, 8000);
        assertEquals(List.of(FilterDescription.shuffle(8), FilterDescription.lzf(8000)), p.descriptions());
    }

    @Test
    void boundsEachStageByWhatItsInputCouldHaveBeen() throws IOException {
        // Deflate grows incompressible data; the checksum after it covers the grown stream, so
        // decoding must allow the deflate stage more than the raw chunk size.
        FilterPipeline p = FilterPipeline.of(List.of(FilterDescription.deflate(9), FilterDescription.fletcher32()),
                1, CHUNK);
        byte[] raw = TestData.random(CHUNK, 5);
        EncodedChunk chunk = p.encode(raw, raw.length);
        assertTrue(chunk.length() > raw.length + 4);
        assertArrayEquals(raw, p.decode(chunk.data(), chunk.length(), 0, raw.length));
    }

    @Test
    void refusesAChunkThatDecodesToTheWrongSize() throws IOException {
        FilterPipeline p = FilterPipeline.of(List.of(FilterDescription.deflate(1)), 1, CHUNK);
        byte[] raw = TestData.ramp(1000);
        EncodedChunk chunk = p.encode(raw, raw.length);
        assertThrows(IOException.class, () -> p.decode(chunk.data(), chunk.length(), 0, 1001));
        assertThrows(IOException.class, () -> p.decode(chunk.data(), chunk.length(), 0, 999));
    }

    @Test
    void everyFactoryBuildsAWorkingPipeline() throws IOException {
        byte[] raw = TestData.sineInt16(CHUNK / 2, 2, 6);
        for (FilterDescription d : List.of(FilterDescription.deflate(1), FilterDescription.shuffle(2),
                FilterDescription.fletcher32(), FilterDescription.lzf(CHUNK), FilterDescription.lz4(0),
                FilterDescription.lz4(1000), FilterDescription.bzip2(1), FilterDescription.zstd(3))) {
            FilterPipeline p = FilterPipeline.of(List.of(d), 2, CHUNK);
            EncodedChunk chunk = p.encode(raw, raw.length);
            assertArrayEquals(raw, p.decode(chunk.data(), chunk.length(), chunk.filterMask(), raw.length), d.toString());
        }
    }

    @Test
    void encodesConcurrently() throws Exception {
        FilterPipeline p = FilterPipeline.of(List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4)), 2, CHUNK);
        List<byte[]> raws = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] raw = TestData.sineInt16(CHUNK / 2, 8, i);
            raws.add(raw);
            EncodedChunk c = p.encode(raw, raw.length);
            expected.add(java.util.Arrays.copyOf(c.data(), c.length()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<EncodedChunk>> futures = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (byte[] raw : raws) {
                    futures.add(pool.submit(() -> p.encode(raw, raw.length)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                EncodedChunk c = futures.get(i).get();
                assertArrayEquals(expected.get(i % raws.size()), java.util.Arrays.copyOf(c.data(), c.length()));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
