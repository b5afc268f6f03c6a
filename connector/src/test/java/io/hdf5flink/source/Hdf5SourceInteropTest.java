package io.hdf5flink.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReadFixtures;
import io.hdf5flink.hdf5.testing.ReadFixtures.Fixture;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.split.ArraySplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Hdf5Source} over files h5py wrote in every layout of {@code h5read_fixtures.py}: blocks
 * cut on the output's chunk grid (not the input's), several splits per dataset, the values equal
 * to what h5py reads; datasets concatenated; a file's only dataset; refusals naming the input.
 */
class Hdf5SourceInteropTest {
    @TempDir static Path fixtures;
    @TempDir Path dir;

    private static Map<String, Fixture> FIXTURES;

    @BeforeAll
    static void writeFixtures() {
        FIXTURES = ReadFixtures.write(fixtures);
    }

    static List<String> layouts() {
        return ReadFixtures.CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void emitsWhatH5pyReadsOnTheOutputChunkGrid(String name) throws IOException {
        Fixture f = FIXTURES.get(name);
        byte[] expected = Files.readAllBytes(f.values());
        // 48-row output chunks cut across the inputs' chunks; blocks of one chunk row-band, and a
        // split for each, make many splits per dataset.
        long[] shape = Hdf5Source.builder().input(f.file(), f.dataset()).dataset("/out").build().getShape();
        long rows = shape[0];
        long rowBytes = expected.length / rows;
        Hdf5Source source = Hdf5Source.builder().input(f.file(), f.dataset()).dataset("/out").chunkRows(48)
                .blockBytes(48 * rowBytes).splitBytes(1).build();
        assertEquals((rows + 47) / 48, source.getSplits().size(), name + ": one split per output chunk row-band");
        List<ArrayBlock> blocks = SourceTesting.assertEmits(source, expected);
        SourceTesting.assertChunkAligned(blocks, 48, Long.MAX_VALUE, rows);
    }

    @Test
    void contiguousDatasetsAreMemoryMappedTheOthersReadByChunk() {
        Fixture contiguous = FIXTURES.get("big_endian_contiguous");
        Fixture chunked = FIXTURES.get("big_endian_chunked");
        ArraySplit mapped = Hdf5Source.builder().input(contiguous.file(), "/data").dataset("/o").build().getSplits().get(0);
        ArraySplit byChunk = Hdf5Source.builder().input(chunked.file(), "/data").dataset("/o").build().getSplits().get(0);
        assertTrue(mapped.input().mapped() && mapped.input().bigEndian(), mapped.toString());
        assertTrue(!byChunk.input().mapped() && byChunk.input().seekable(), byChunk.toString());
        assertEquals(chunked.file() + ":/data", byChunk.input().toString(), "inputs are named file:dataset");
    }

    @Test
    void datasetsAreConcatenatedAlongTheFirstAxis() throws IOException {
        Fixture a = FIXTURES.get("gzip_shuffle_2d_edges");
        byte[] one = Files.readAllBytes(a.values());
        Path copy = Files.copy(a.file(), dir.resolve("second.h5"));
        Hdf5Source source = Hdf5Source.builder().input(a.file(), "/data").input(copy).dataset("/out").chunkRows(64).build();
        assertEquals(List.of(2000L, 37L), List.of(source.getShape()[0], source.getShape()[1]));
        byte[] both = new byte[2 * one.length];
        System.arraycopy(one, 0, both, 0, one.length);
        System.arraycopy(one, 0, both, one.length, one.length);
        SourceTesting.assertEmits(source, both);
    }

    @Test
    void aFileIsItsOnlyDatasetAndOneWithSeveralIsRefusedNamingThem() {
        Fixture nested = FIXTURES.get("nested_path");
        Hdf5Source only = Hdf5Source.builder().input(nested.file()).dataset("/o").build();
        assertEquals(nested.file() + ":/a/b/data", only.getSplits().get(0).input().toString());
        Fixture two = FIXTURES.get("bool_complex");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(two.file()).dataset("/o").build(),
                two.file().toString(), "holds 2 datasets (/b, /data)", two.file() + ":/b");
    }

    @Test
    void inputsThatDoNotAgreeOrDoNotExistAreRefusedNamingThem() {
        Fixture ints = FIXTURES.get("gzip_shuffle_2d_edges");
        Fixture floats = FIXTURES.get("lzf_1d");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(ints.file(), "/data").input(floats.file(), "/data")
                .dataset("/o").build(), floats.file() + ":/data", "dtype", "all inputs must share a dtype");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(ints.file(), "/nothing").dataset("/o").build(),
                ints.file() + ":/nothing", "no such dataset");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(ints.file(), "data").dataset("/o").build(),
                ints.file().toString(), "not absolute");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(dir.resolve("missing.h5"), "/data").dataset("/o")
                .build(), "missing.h5", "does not exist");
    }

    @Test
    void aFilterTheEngineCannotDecodeIsRefusedByIdWhenTheSourceIsBuilt() {
        Path file = fixtures.resolve("unknown_filter.h5");
        SourceTesting.assertRefused(() -> Hdf5Source.builder().input(file, "/data").dataset("/o").build(),
                file + ":/data", "filter 30123", "is not supported");
    }
}
