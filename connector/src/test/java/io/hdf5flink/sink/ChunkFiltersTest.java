package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import org.junit.jupiter.api.Test;

class ChunkFiltersTest {

    @Test
    void parsesCodecsWithTheirDefaultLevels() {
        assertEquals(ChunkFilters.gzip(4), ChunkFilters.parse("gzip"));
        assertEquals(ChunkFilters.gzip(7), ChunkFilters.parse(" GZIP:7 "));
        assertEquals(ChunkFilters.bzip2(9), ChunkFilters.parse("bzip2"));
        assertEquals(ChunkFilters.zstd(3), ChunkFilters.parse("zstd"));
        assertEquals(ChunkFilters.zstd(19), ChunkFilters.parse("zstd:19"));
        assertEquals(ChunkFilters.lzf(), ChunkFilters.parse("lzf"));
        assertEquals(ChunkFilters.lz4(), ChunkFilters.parse("lz4"));
        assertEquals(ChunkFilters.none(), ChunkFilters.parse("none"));
    }

    @Test
    void parsesBitshuffleAndBloscWithTheirOptions() {
        assertEquals(ChunkFilters.bitshuffleLz4(), ChunkFilters.parse("bitshuffle"));
        assertEquals(ChunkFilters.bitshuffleLz4(), ChunkFilters.parse("bitshuffle:lz4"));
        assertEquals(ChunkFilters.bitshuffleZstd(3), ChunkFilters.parse("bitshuffle:zstd"));
        assertEquals(ChunkFilters.bitshuffleZstd(9), ChunkFilters.parse("Bitshuffle:ZSTD:9"));
        assertEquals(ChunkFilters.blosc("lz4", 5, "shuffle"), ChunkFilters.parse("blosc"));
        assertEquals(ChunkFilters.blosc("lz4", 5, "bitshuffle"), ChunkFilters.parse("blosc:lz4:5:bitshuffle"));
        assertEquals(ChunkFilters.blosc("zstd", 3, "shuffle"), ChunkFilters.parse("blosc:zstd:3"));
        assertEquals(ChunkFilters.blosc("zlib", 9, "noshuffle"), ChunkFilters.parse("blosc:noshuffle:9:zlib"));
        assertEquals("lz4:shuffle", ChunkFilters.parse("blosc").options());
        assertEquals(0, ChunkFilters.parse("bitshuffle:lz4").level(), "LZ4 inside bitshuffle has no level");
        assertTrue(ChunkFilters.bitshuffleLz4().codecShuffles());
        assertTrue(ChunkFilters.parse("blosc:lz4:5:noshuffle").codecShuffles());
        assertFalse(ChunkFilters.gzip(4).codecShuffles());
    }

    @Test
    void refusesWhatIsNotACodecOrLevel() {
        String choices = "gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL], bitshuffle[:lz4|zstd][:LEVEL], "
                + "blosc[:lz4|zstd|zlib|snappy][:LEVEL][:shuffle|bitshuffle|noshuffle] or none";
        assertEquals("unknown codec 'gzp': expected " + choices, message("gzp"));
        assertEquals("unknown codec 'shuffle': expected " + choices, message("shuffle"));
        assertEquals("gzip level 12 is not 1 to 9", message("gzip:12"));
        assertEquals("bzip2 level 0 is not 1 to 9", message("bzip2:0"));
        assertEquals("zstd level 23 is not 1 to 22", message("zstd:23"));
        assertEquals("codec 'lzf' takes no level", message("lzf:3"));
        assertEquals("codec level 'x' is not a number", message("gzip:x"));
        assertEquals("codec 'bitshuffle:lz4' takes no level", message("bitshuffle:lz4:5"));
        assertEquals("bitshuffle level 23 is not 1 to 22", message("bitshuffle:zstd:23"));
        assertEquals("blosc level 10 is not 0 to 9", message("blosc:lz4:10"));
        assertEquals("codec 'blosc' takes one level, got 5 and 6", message("blosc:lz4:5:6"));
        assertEquals("blosc option 'lz5' is not one of lz4, zstd, zlib, snappy, shuffle, bitshuffle, noshuffle",
                message("blosc:lz5"));
    }

    @Test
    void printsAsTheCommandLineWritesIt() {
        assertEquals("shuffle+gzip:4", ChunkFilters.gzip(4).withShuffle().toString());
        assertEquals("lz4+fletcher32", ChunkFilters.lz4().withFletcher32().toString());
        assertEquals("none", ChunkFilters.none().toString());
        assertEquals("zstd:19", ChunkFilters.zstd(19).withShuffle().codecText());
        assertEquals("lzf", ChunkFilters.lzf().codecText());
        assertEquals("bitshuffle:lz4", ChunkFilters.bitshuffleLz4().codecText());
        assertEquals("bitshuffle:zstd:3", ChunkFilters.parse("bitshuffle:zstd").codecText());
        assertEquals("blosc:lz4:5:shuffle", ChunkFilters.parse("blosc").codecText());
        assertEquals("blosc:zstd:1:bitshuffle+fletcher32",
                ChunkFilters.blosc("zstd", 1, "bitshuffle").withFletcher32().toString());
    }

    @Test
    void appliesTheFiltersTheBuilderMethodsName() {
        assertEquals(spec().shuffle().zstd(5).fletcher32().build().filters(),
                ChunkFilters.zstd(5).withShuffle().withFletcher32().applyTo(spec()).build().filters());
        assertEquals(spec().deflate(4).build().filters(), ChunkFilters.gzip(4).applyTo(spec()).build().filters());
        assertEquals(spec().lzf().build().filters(), ChunkFilters.lzf().applyTo(spec()).build().filters());
        assertEquals(spec().bzip2(9).build().filters(), ChunkFilters.bzip2(9).applyTo(spec()).build().filters());
        assertEquals(spec().build().filters(), ChunkFilters.none().applyTo(spec()).build().filters());
        assertEquals(spec().bitshuffleLz4().build().filters(), ChunkFilters.bitshuffleLz4().applyTo(spec()).build().filters());
        assertEquals(spec().bitshuffleZstd(7).build().filters(),
                ChunkFilters.bitshuffleZstd(7).applyTo(spec()).build().filters());
        assertEquals(spec().blosc("snappy", 2, "noshuffle").build().filters(),
                ChunkFilters.blosc("snappy", 2, "noshuffle").applyTo(spec()).build().filters());
    }

    private static String message(String codec) {
        return assertThrows(IllegalArgumentException.class, () -> ChunkFilters.parse(codec)).getMessage();
    }

    private static DatasetSpec.Builder spec() {
        return DatasetSpec.builder(DataType.INT16, 0, 4).maxShape(DatasetSpec.UNLIMITED, 4).chunks(256, 4);
    }
}
