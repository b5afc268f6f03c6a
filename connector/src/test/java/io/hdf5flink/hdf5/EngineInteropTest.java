package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.testing.DatasetData;
import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FileDescription;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files written by the engine, judged by libhdf5 (h5py) and by jhdf: every dtype, ranks 1 to 8,
 * every codec, every write path, value for value, with shape, maxshape, chunk shape, filter
 * list, fill value and attributes compared too; all of it in both {@link Profile}s (issue 18).
 */
class EngineInteropTest {
    @TempDir Path dir;

    /** A codec as the engine is asked for it and as libhdf5 must then report it. */
    private record Codec(String name, Consumer<DatasetSpec.Builder> apply, java.util.function.IntFunction<FilterInfo[]> expected) {
        @Override
        public String toString() { return name; }
    }

    private static final List<Codec> CODECS = List.of(
            new Codec("none", b -> {}, size -> new FilterInfo[0]),
            new Codec("gzip1", b -> b.deflate(1), size -> new FilterInfo[] {FilterInfo.deflate(1)}),
            // Shuffle stays in the pipeline of 1-byte types too (a no-op there), as h5py keeps it.
            new Codec("shuffle+gzip4", b -> b.shuffle().deflate(4),
                    size -> new FilterInfo[] {FilterInfo.shuffle(size), FilterInfo.deflate(4)}),
            new Codec("shuffle+gzip9+fletcher32", b -> b.shuffle().deflate(9).fletcher32(),
                    size -> new FilterInfo[] {FilterInfo.shuffle(size), FilterInfo.deflate(9), FilterInfo.fletcher32()}),
            new Codec("fletcher32", b -> b.fletcher32(), size -> new FilterInfo[] {FilterInfo.fletcher32()}),
            new Codec("lzf", b -> b.lzf(), size -> new FilterInfo[] {FilterInfo.id(32000)}),
            new Codec("shuffle+lzf", b -> b.shuffle().lzf(),
                    size -> new FilterInfo[] {FilterInfo.shuffle(size), FilterInfo.id(32000)}),
            new Codec("lz4", b -> b.lz4(), size -> new FilterInfo[] {FilterInfo.id(32004)}),
            new Codec("bzip2", b -> b.bzip2(9), size -> new FilterInfo[] {FilterInfo.id(307)}),
            new Codec("zstd", b -> b.zstd(3), size -> new FilterInfo[] {FilterInfo.id(32015)}));

    private static final List<DataType> TYPES = List.of(DataType.values());

    static Stream<Arguments> typesAndCodecs() {
        List<Arguments> out = new ArrayList<>();
        for (Profile profile : Profile.values()) {
            for (int i = 0; i < TYPES.size(); i++) {
                for (Codec c : CODECS) out.add(Arguments.of(TYPES.get(i), c, profile));
            }
        }
        return out.stream();
    }

    /** The superblock version libhdf5 must report for a file of {@code profile}. */
    private static int superblock(Profile profile) {
        return profile == Profile.LATEST ? 3 : 0;
    }

    /** Pattern element bytes [start, start + count) of a dtype, little-endian. */
    private static byte[] pattern(DataType t, long start, long count) {
        return DatasetData.pattern(t.numpyStr(), start, count).bytes();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("typesAndCodecs")
    void appendsInBatchesThatStraddleChunks(DataType type, Codec codec, Profile profile) {
        Path file = dir.resolve(type + "-" + codec + "-" + profile + ".h5");
        int channels = 3;
        long rows = 1000;
        DatasetSpec.Builder b = DatasetSpec.builder(type, 0, channels).maxShape(DatasetSpec.UNLIMITED, channels)
                .chunks(64, 2).attribute("unit", AttributeValue.of("mV"));
        codec.apply.accept(b);
        try (Hdf5File f = Hdf5File.create(file, profile)) {
            appendInBatches(f, f.createDataset("/rec/data", b.build()), rows, channels, 197);
        }
        FileDescription expected = ExpectedFile.create().superblockVersion(superblock(profile))
                .dataset("/rec/data", d -> d.dtype(type.numpyStr()).shape(rows, channels)
                        .maxshape(ExpectedFile.UNLIMITED, channels).chunks(64, 2)
                        .filters(codec.expected.apply(type.size())).fill(type.isComplex() ? List.of(0.0, 0.0) : 0)
                        .allocatedChunks(16 * 2)
                        .attribute("unit", io.hdf5flink.hdf5.testing.AttributeValue.fixedString("mV", 2, "utf-8", "nullpad"))
                        .data(pattern(type, 0, rows * channels)))
                .build();
        HdfAssertions.assertReadableByAll(file, expected);
    }

    /**
     * Appends {@code rows} rows of the pattern in batches of 1 to {@code maxBatch} rows that
     * straddle chunks, committing every now and then.
     */
    static void appendInBatches(Hdf5File f, Hdf5Dataset d, long rows, int channels, int maxBatch) {
        DataType type = d.spec().type();
        long done = 0;
        int batch = 1;
        while (done < rows) {
            long n = Math.min(batch, rows - done);
            d.append(ByteBuffer.wrap(pattern(type, done * channels, n * channels)).order(ByteOrder.LITTLE_ENDIAN));
            done += n;
            batch = batch * 3 % maxBatch + 1;
            if (done % 5 == 0) f.commit();
        }
    }

    @ParameterizedTest(name = "rank {0} {1}")
    @MethodSource("ranks")
    void everyRankThroughHyperslabsDirectChunksAndTheParallelWriter(int rank, Profile profile) throws Exception {
        long[] shape = new long[rank];
        long[] chunks = new long[rank];
        long[] max = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = rank > 4 ? 3 + d % 2 : 7 + 2 * d;
            chunks[d] = rank > 4 ? 2 : 3 + d;
            max[d] = d == 0 ? DatasetSpec.UNLIMITED : shape[d] + 5;
        }
        DataType type = DataType.FLOAT32;
        long count = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        byte[] all = pattern(type, 0, count);
        Path file = dir.resolve("rank" + rank + "-" + profile + ".h5");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Hdf5File f = Hdf5File.create(file, profile)) {
            // Three datasets with the same content, each written a different way.
            Hdf5Dataset slabs = f.createDataset("/slabs", spec(type, shape, max, chunks));
            long half = shape[0] / 2;
            long[] firstShape = shape.clone();
            firstShape[0] = half;
            long[] secondShape = shape.clone();
            secondShape[0] = shape[0] - half;
            long[] secondOffset = new long[rank];
            secondOffset[0] = half;
            int split = (int) (count / shape[0] * half * type.size());
            slabs.write(new long[rank], firstShape, ByteBuffer.wrap(all, 0, split).slice().order(ByteOrder.LITTLE_ENDIAN));
            f.commit();
            slabs.write(secondOffset, secondShape, ByteBuffer.wrap(all, split, all.length - split).slice().order(ByteOrder.LITTLE_ENDIAN));

            Hdf5Dataset direct = f.createDataset("/direct", spec(type, shape, max, chunks));
            Hdf5Dataset parallel = f.createDataset("/parallel", spec(type, shape, max, chunks));
            ParallelChunkEncoder<long[]> writer = ParallelChunkEncoder.into(parallel, pool, 3);
            forEachChunk(shape, chunks, origin -> {
                byte[] raw = new byte[direct.chunkBytes()];
                long[] extent = new long[rank];
                for (int d = 0; d < rank; d++) extent[d] = Math.min(chunks[d], shape[d] - origin[d]);
                BoxCopy.copy(ByteBuffer.wrap(all), shape, origin, raw, chunks, new long[rank], extent, type.size());
                direct.writeRawChunk(origin, raw);
                writer.submit(origin, raw);
            });
            writer.flush();
        } finally {
            pool.shutdown();
        }
        ExpectedFile expected = ExpectedFile.create().superblockVersion(superblock(profile));
        for (String name : List.of("/slabs", "/direct", "/parallel")) {
            expected.dataset(name, d -> d.dtype("<f4").shape(shape).maxshape(max).chunks(chunks)
                    .filters(FilterInfo.shuffle(4), FilterInfo.deflate(6)).fill(-1.5).noAttributes().data(all));
        }
        HdfAssertions.assertReadableByAll(file, expected.build());
    }

    static Stream<Arguments> ranks() {
        return Stream.of(Profile.values()).flatMap(p -> Stream.of(1, 2, 3, 4, 8).map(r -> Arguments.of(r, p)));
    }

    private static DatasetSpec spec(DataType type, long[] shape, long[] max, long[] chunks) {
        return DatasetSpec.builder(type, shape).maxShape(max).chunks(chunks).shuffle().deflate(6).fillValue(-1.5).build();
    }

    private interface ChunkVisit {
        void at(long[] origin) throws Exception;
    }

    private static void forEachChunk(long[] shape, long[] chunks, ChunkVisit visit) throws Exception {
        int rank = shape.length;
        long[] c = new long[rank];
        while (true) {
            long[] origin = new long[rank];
            for (int d = 0; d < rank; d++) origin[d] = c[d] * chunks[d];
            visit.at(origin);
            int d = rank - 1;
            while (d >= 0 && (c[d] + 1) * chunks[d] >= shape[d]) {
                c[d] = 0;
                d--;
            }
            if (d < 0) return;
            c[d]++;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Profile.class)
    void moreThanAHundredThousandChunksSparseTilesGroupsAndAttributes(Profile profile) {
        ReferenceLibrary.requireAvailable();
        Path file = dir.resolve("big-" + profile + ".h5");
        long n = 150_000;
        double[] tile = new double[100];
        for (int i = 0; i < tile.length; i++) tile[i] = i + 0.5;
        try (Hdf5File f = Hdf5File.create(file, profile)) {
            Hdf5Dataset many = f.createDataset("/many", DatasetSpec.builder(DataType.UINT16, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(1).build());
            many.append(ByteBuffer.wrap(pattern(DataType.UINT16, 0, n)).order(ByteOrder.LITTLE_ENDIAN));
            Hdf5Dataset sparse = f.createDataset("/matrix", DatasetSpec.builder(DataType.FLOAT64, 1_000_000, 1_000_000)
                    .chunks(10, 10).build());
            for (int i = 0; i < 50; i++) sparse.writeValues(new long[] {i * 19_990L, 999_990 - i * 10_000L}, new long[] {10, 10}, tile);
            f.root().setAttribute("session_description", AttributeValue.of("interop"));
            Hdf5Group g = f.requireGroup("/acquisition/ephys");
            g.setAttribute("rate", AttributeValue.of(30000.0));
            g.setAttribute("channels", AttributeValue.of(1L, 2L, 3L));
            for (int i = 0; i < 100; i++) f.requireGroup("/processing/p" + i);
        }
        FileDescription h5py = ReferenceLibrary.describe(file);
        assertEquals(n, h5py.dataset("/many").allocatedChunks());
        assertEquals(50, h5py.dataset("/matrix").allocatedChunks());
        assertEquals(50 * 800L, h5py.dataset("/matrix").storedBytes());
        ExpectedFile expected = ExpectedFile.create().superblockVersion(superblock(profile))
                .dataset("/many", d -> d.dtype("<u2").shape(n).maxshape(ExpectedFile.UNLIMITED).chunks(1)
                        .allocatedChunks(n).data(pattern(DataType.UINT16, 0, n)))
                .dataset("/matrix", d -> d.dtype("<f8").shape(1_000_000, 1_000_000).chunks(10, 10).allocatedChunks(50))
                .group("/", g -> g.attribute("session_description",
                        io.hdf5flink.hdf5.testing.AttributeValue.fixedString("interop", 7, "utf-8", "nullpad")))
                .group("/acquisition/ephys", g -> g
                        .attribute("rate", io.hdf5flink.hdf5.testing.AttributeValue.of("<f8", 30000.0))
                        .attribute("channels", new io.hdf5flink.hdf5.testing.AttributeValue("<i8", new long[] {3}, List.of(1L, 2L, 3L))));
        for (int i = 0; i < 100; i++) expected.group("/processing/p" + i, g -> g.noAttributes());
        // The 10^12-element matrix is compared by chunk count and stored bytes, not by reading it whole.
        HdfAssertions.assertSameFile(expected.build(), h5py, "h5py");
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['matrix']",
                "tile = np.arange(100).reshape(10, 10) + 0.5",
                "for i in range(50):",
                "    r, c = i * 19990, 999990 - i * 10000",
                "    assert (d[r:r + 10, c:c + 10] == tile).all(), i",
                "assert (d[5:15, 0:20] == 0).all()"), file.toString());
    }

}
