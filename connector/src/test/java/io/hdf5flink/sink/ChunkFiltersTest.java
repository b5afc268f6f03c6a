package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void refusesWhatIsNotACodecOrLevel() {
        assertEquals("unknown codec 'gzp': expected gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL] or none",
                message("gzp"));
        assertEquals("unknown codec 'shuffle': expected gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL] or none",
                message("shuffle"));
        assertEquals("gzip level 12 is not 1 to 9", message("gzip:12"));
        assertEquals("bzip2 level 0 is not 1 to 9", message("bzip2:0"));
        assertEquals("zstd level 23 is not 1 to 22", message("zstd:23"));
        assertEquals("codec 'lzf' takes no level", message("lzf:3"));
        assertEquals("codec level 'x' is not a number", message("gzip:x"));
    }

    @Test
    void printsAsTheCommandLineWritesIt() {
        assertEquals("shuffle+gzip:4", ChunkFilters.gzip(4).withShuffle().toString());
        assertEquals("lz4+fletcher32", ChunkFilters.lz4().withFletcher32().toString());
        assertEquals("none", ChunkFilters.none().toString());
        assertEquals("zstd:19", ChunkFilters.zstd(19).withShuffle().codecText());
        assertEquals("lzf", ChunkFilters.lzf().codecText());
    }

    @Test
    void appliesTheFiltersTheBuilderMethodsName() {
        assertEquals(spec().shuffle().zstd(5).fletcher32().build().filters(),
                ChunkFilters.zstd(5).withShuffle().withFletcher32().applyTo(spec()).build().filters());
        assertEquals(spec().deflate(4).build().filters(), ChunkFilters.gzip(4).applyTo(spec()).build().filters());
        assertEquals(spec().lzf().build().filters(), ChunkFilters.lzf().applyTo(spec()).build().filters());
        assertEquals(spec().bzip2(9).build().filters(), ChunkFilters.bzip2(9).applyTo(spec()).build().filters());
        assertEquals(spec().build().filters(), ChunkFilters.none().applyTo(spec()).build().filters());
    }

    private static String message(String codec) {
        return assertThrows(IllegalArgumentException.class, () -> ChunkFilters.parse(codec)).getMessage();
    }

    private static DatasetSpec.Builder spec() {
        return DatasetSpec.builder(DataType.INT16, 0, 4).maxShape(DatasetSpec.UNLIMITED, 4).chunks(256, 4);
    }
}
