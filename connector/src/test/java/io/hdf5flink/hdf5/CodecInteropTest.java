package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.KnownFilter;
import io.hdf5flink.hdf5.testing.DatasetData;
import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FileDescription;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bitshuffle (filter 32008) and Blosc (32001) through the engine, judged by libhdf5 with the
 * plugins (Debian's bitshuffle 0.3.5, LZ4 inside only, and hdf5-filter-plugin-blosc-serial on
 * libblosc 1.21; bitshuffle's zstd chunks decoded by h5describe.py with the bitshuffle and
 * zstandard modules): files the engine writes, appended in batches that straddle chunks of 3003
 * elements (not a multiple of 8, so bitshuffle's last elements are copied) or 12288, with a
 * partial last chunk; and files h5py and hdf5plugin write, read by
 * the engine, appended to (completing h5py's partial last chunk), appended to by h5py again and
 * read by all.
 */
class CodecInteropTest {
    private static final long U = ExpectedFile.UNLIMITED;
    private static final List<DataType> TYPES =
            List.of(DataType.INT8, DataType.UINT16, DataType.INT32, DataType.UINT64, DataType.FLOAT32, DataType.FLOAT64);

    @TempDir Path dir;

    @BeforeAll
    static void referenceLibraryIsThere() {
        ReferenceLibrary.requireAvailable();
    }

    /** A codec as the command line names it, and how the engine is told. */
    record Codec(String text, KnownFilter filter, int level, String options) {
        @Override
        public String toString() { return text; }
    }

    static List<Codec> codecs() {
        return List.of(
                new Codec("bitshuffle:lz4", KnownFilter.BITSHUFFLE, 0, "lz4"),
                new Codec("bitshuffle:zstd:3", KnownFilter.BITSHUFFLE, 3, "zstd"),
                new Codec("blosc:lz4:5:shuffle", KnownFilter.BLOSC, 5, "lz4:shuffle"),
                new Codec("blosc:lz4:9:bitshuffle", KnownFilter.BLOSC, 9, "lz4:bitshuffle"),
                new Codec("blosc:zstd:1:bitshuffle", KnownFilter.BLOSC, 1, "zstd:bitshuffle"),
                new Codec("blosc:zstd:5:noshuffle", KnownFilter.BLOSC, 5, "zstd:noshuffle"),
                new Codec("blosc:zlib:4:shuffle", KnownFilter.BLOSC, 4, "zlib:shuffle"),
                new Codec("blosc:snappy:5:bitshuffle", KnownFilter.BLOSC, 5, "snappy:bitshuffle"));
    }

    private static byte[] pattern(DataType type, long start, long count) {
        return DatasetData.pattern(type.numpyStr(), start, count).bytes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void engineWritesEveryDtypeLibhdf5AndJhdfRead(Codec codec) {
        Path file = dir.resolve("engine.h5");
        long rows = 5003;
        int channels = 3;
        ExpectedFile expected = ExpectedFile.create().superblockVersion(0);
        try (Hdf5File f = Hdf5File.create(file)) {
            for (int t = 0; t < TYPES.size(); t++) {
                DataType type = TYPES.get(t);
                // Chunks of 3003 elements, or of 12288, a multiple of 8 (Blosc bit-shuffles only such blocks).
                long chunkRows = t % 2 == 0 ? 1001 : 4096;
                DatasetSpec spec = DatasetSpec.builder(type, 0, channels).maxShape(DatasetSpec.UNLIMITED, channels)
                        .chunks(chunkRows, channels).compressor(codec.filter(), codec.level(), codec.options()).build();
                EngineInteropTest.appendInBatches(f, f.createDataset("/" + type.numpyCode(), spec), rows, channels, 1499);
                FilterDescription entry = spec.filters().get(0);
                expected.dataset("/" + type.numpyCode(), e -> e.dtype(type.numpyStr()).shape(rows, channels)
                        .maxshape(U, channels).chunks(chunkRows, channels)
                        .filters(new FilterInfo(entry.id(), FilterInfo.OPTIONAL, entry.clientData())).fill(0)
                        .allocatedChunks((rows + chunkRows - 1) / chunkRows).noAttributes()
                        .data(pattern(type, 0, rows * channels)));
            }
        }
        FileDescription read = HdfAssertions.assertReadableByAll(file, expected.build());
        // Smooth values compress: the chunks were stored through the codec, not declined.
        long stored = read.dataset("/f8").storedBytes();
        assertTrue(stored < rows * channels * 8 * 3 / 4, codec + " stored " + stored + " bytes of float64");
    }

    /** A dataset as h5py_fixture.py is asked for it: hdf5plugin's filter and its options. */
    private record Fixture(String name, String compression, Object opts) {}

    @Test
    void h5pyWritesTheEngineReadsAndAppendsH5pyAppendsAgain() throws Exception {
        List<Fixture> fixtures = List.of(
                new Fixture("bitshuffle", "bitshuffle", 0),
                new Fixture("bitshuffle_256", "bitshuffle", 256),
                new Fixture("blosc_default", "blosc", List.of("lz4", 5, 1)),
                new Fixture("blosc_blosclz", "blosc", List.of("blosclz", 5, 1)),
                new Fixture("blosc_lz4hc_bit", "blosc", List.of("lz4hc", 9, 2)),
                new Fixture("blosc_zlib_none", "blosc", List.of("zlib", 3, 0)),
                new Fixture("blosc_zstd_bit", "blosc", List.of("zstd", 5, 2)),
                new Fixture("blosc_snappy", "blosc", List.of("snappy", 1, 1)));
        List<DataType> types = List.of(DataType.INT16, DataType.FLOAT32, DataType.UINT64);
        Path file = dir.resolve("h5py.h5");
        Map<String, Object> datasets = new LinkedHashMap<>();
        for (Fixture x : fixtures) {
            for (DataType type : types) {
                Map<String, Object> spec = new LinkedHashMap<>();
                spec.put("dtype", type.numpyStr());
                spec.put("shape", List.of(2500, 3));
                spec.put("maxshape", java.util.Arrays.asList(null, 3));
                spec.put("chunks", List.of(1000, 3));
                spec.put("compression", x.compression());
                spec.put("compression_opts", x.opts());
                datasets.put("/" + x.name() + "/" + type.numpyCode(), spec);
            }
        }
        ReferenceLibrary.makeFixture(file, new ObjectMapper().writeValueAsString(Map.of("datasets", datasets)));

        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (String path : datasets.keySet()) {
                Hdf5Dataset d = f.dataset(path);
                DataType type = d.spec().type();
                assertArrayEquals(pattern(type, 0, 7500), toArray(d.read(new long[2], d.shape())), path + " as h5py wrote it");
                // 1700 rows: completes h5py's half-filled last chunk, then one whole and one partial chunk.
                d.append(ByteBuffer.wrap(pattern(type, 7500, 5100)).order(ByteOrder.LITTLE_ENDIAN));
            }
            f.commit();
        }
        for (String path : datasets.keySet()) ReferenceLibrary.appendWithH5py(file, path, 300);
        ExpectedFile expected = ExpectedFile.create().superblockVersion(0);
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            for (String path : datasets.keySet()) {
                Hdf5Dataset d = f.dataset(path);
                DataType type = d.spec().type();
                assertArrayEquals(pattern(type, 0, 13_500), toArray(d.read(new long[2], d.shape())),
                        path + " after the engine's and h5py's appends");
                int id = d.spec().filters().get(0).id();
                expected.dataset(path, e -> e.dtype(type.numpyStr()).shape(4500, 3).maxshape(U, 3).chunks(1000, 3)
                        .filters(FilterInfo.id(id)).data(pattern(type, 0, 13_500)));
            }
        }
        HdfAssertions.assertReadableByAll(file, expected.build());
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
