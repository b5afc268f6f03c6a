package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.partition.ChunkRouting;
import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hdf5Sink jobs on a MiniCluster, with failures injected, and their output judged by libhdf5
 * (h5py) and jhdf value for value: nothing lost, nothing doubled.
 */
class Hdf5SinkInteropTest {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir Path dir;

    @BeforeEach
    void resetFailures() {
        SinkTestJobs.FailOnceAfterCheckpoint.FAILURES.set(0);
    }

    static Stream<Arguments> parallelismAndSeed() {
        long base = Long.getLong("sink.seed", System.nanoTime());
        List<Arguments> out = new ArrayList<>();
        for (int p : new int[] {1, 4}) for (int i = 0; i < 2; i++) out.add(Arguments.of(p, base + 31 * p + i));
        return out.stream();
    }

    private static byte[] matrix(long rows, int columns) {
        ByteBuffer b = ByteBuffer.allocate((int) (rows * columns * 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r++) for (int c = 0; c < columns; c++) b.putInt(SinkTestJobs.value(r, c));
        return b.array();
    }

    @ParameterizedTest(name = "parallelism {0}, seed {1}")
    @MethodSource("parallelismAndSeed")
    void blocksAtExplicitOffsetsSurviveAnInjectedFailure(int parallelism, long seed) throws Exception {
        System.out.println("blocksAtExplicitOffsetsSurviveAnInjectedFailure parallelism " + parallelism + " seed " + seed);
        int blocks = 3000;
        int rowsPerBlock = 37; // not a multiple of the chunk rows: pieces of one chunk come from two blocks
        int columns = 6;
        long rows = (long) blocks * rowsPerBlock;
        StreamExecutionEnvironment env = SinkTestJobs.environment(parallelism, 50);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("out/explicit.h5")
                .declare("/data", DatasetSpec.builder(DataType.INT32, 0, columns).maxShape(DatasetSpec.UNLIMITED, columns)
                        .chunks(64, 4).shuffle().deflate(1).build())
                .compressionThreads(2)
                .build();
        env.fromSource(new NumberSequenceSource(0, blocks - 1), WatermarkStrategy.noWatermarks(), "blocks")
                .map(new SinkTestJobs.FailOnceAfterCheckpoint<>(seed, 1))
                .map(i -> SinkTestJobs.rows("/data", i * rowsPerBlock, rowsPerBlock, columns, false))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink);
        env.execute("explicit offsets, parallelism " + parallelism);
        assertEquals(1, SinkTestJobs.FailOnceAfterCheckpoint.FAILURES.get(), "the failure was injected (seed " + seed + ")");

        Path file = dir.resolve("out/explicit.h5");
        HdfAssertions.assertReadableByAll(file, ExpectedFile.create().superblockVersion(0)
                .dataset("/data", d -> d.dtype("<i4").shape(rows, columns).maxshape(ExpectedFile.UNLIMITED, columns)
                        .chunks(64, 4).filters(FilterInfo.shuffle(4), FilterInfo.deflate(1))
                        .data(matrix(rows, columns)))
                .build());
        assertStagingCleanedUp();
    }

    @Test
    void appendedRowsOfUnknownLengthEndingMidChunk() throws Exception {
        int blocks = 1557;
        int rowsPerBlock = 53;
        int columns = 3;
        long rows = (long) blocks * rowsPerBlock;
        StreamExecutionEnvironment env = SinkTestJobs.environment(1, 50);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("appended.h5").targetChunkBytes(4096)
                .defaultCompression(ChunkFilters.lzf().withShuffle()).build();
        env.fromSource(new NumberSequenceSource(0, blocks - 1), WatermarkStrategy.noWatermarks(), "rows")
                .map(new SinkTestJobs.FailOnceAfterCheckpoint<>(7, 1))
                .map(i -> SinkTestJobs.rows("/acquisition/ephys", i * rowsPerBlock, rowsPerBlock, columns, true))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink).setParallelism(2);
        env.execute("appends");
        assertEquals(1, SinkTestJobs.FailOnceAfterCheckpoint.FAILURES.get(), "the failure was injected");
        long chunkRows = ChunkShapeRule.chunksFor(DataType.INT32, new long[] {columns}, 4096)[0];
        assertTrue(rows % chunkRows != 0, "the stream must end mid-chunk");
        HdfAssertions.assertReadableByAll(dir.resolve("appended.h5"), ExpectedFile.create().superblockVersion(0)
                .dataset("/acquisition/ephys", d -> d.dtype("<i4").shape(rows, columns).maxshape(ExpectedFile.UNLIMITED, columns)
                        .chunks(chunkRows, columns).filters(FilterInfo.shuffle(4), FilterInfo.id(32000))
                        .data(matrix(rows, columns)))
                .build());
        assertStagingCleanedUp();
    }

    @Test
    void columnsArrivingOneAtATimeAreAssembledIntoRowChunksWithinABudget() throws Exception {
        int rows = 20_000;
        int channels = 16;
        StreamExecutionEnvironment env = SinkTestJobs.environment(2, 50);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("channels.h5")
                .declare("/ephys", DatasetSpec.builder(DataType.INT32, rows, channels).chunks(1000, channels).shuffle().deflate(4).build())
                .bufferBudgetBytes(200_000) // 20 open chunks of 64 kB cannot all stay in memory: they spill
                .build();
        env.fromSource(new NumberSequenceSource(0, channels - 1), WatermarkStrategy.noWatermarks(), "channels")
                .map(c -> SinkTestJobs.column("/ephys", (int) (long) c, rows))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink);
        env.execute("columns");
        HdfAssertions.assertReadableByAll(dir.resolve("channels.h5"), ExpectedFile.create().superblockVersion(0)
                .dataset("/ephys", d -> d.dtype("<i4").shape(rows, channels).maxshape(rows, channels).chunks(1000, channels)
                        .allocatedChunks(rows / 1000).data(matrix(rows, channels)))
                .build());
        assertStagingCleanedUp();
    }

    @Test
    void sparseTilesAllocateOnlyTheChunksTheyTouch() throws Exception {
        int tiles = 1000;
        long n = 1_000_000;
        StreamExecutionEnvironment env = SinkTestJobs.environment(2, 200);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("sparse.h5")
                .declare("/matrix", DatasetSpec.builder(DataType.FLOAT64, n, n).chunks(10, 10).fillValue(Double.NaN).build())
                .build();
        env.fromSource(new NumberSequenceSource(0, tiles - 1), WatermarkStrategy.noWatermarks(), "tiles")
                .map(i -> tile(i, n))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink);
        env.execute("sparse");
        Path file = dir.resolve("sparse.h5");
        long occupied = tiles * 100L * 8;
        assertTrue(Files.size(file) < 2 * occupied, "file of " + Files.size(file) + " bytes for " + occupied + " occupied");
        String out = ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['matrix']",
                "n = 1000000",
                "for i in range(1000):",
                "    r, c = (i * 7919 * 10) % n, (i * 104729 * 10) % n",
                "    assert (d[r:r + 10, c:c + 10] == np.arange(100).reshape(10, 10) + i).all(), i",
                "assert np.isnan(d[0, 10]) and np.isnan(d[999_999, 999_999])",
                "print(d.id.get_num_chunks())"), file.toString()).trim();
        assertEquals("1000", out);
    }

    /**
     * Issue 16: a stream without a single block still leaves every declared dataset, empty or at
     * its declared shape (filled), as h5py's create_dataset would; each is created by one writer,
     * also the declared appended datasets whose appends another writer than the first owns.
     */
    @Test
    void anEmptyStreamCreatesTheDeclaredDatasets() throws Exception {
        List<String> appended = new ArrayList<>();
        for (int i = 0; appended.size() < 2; i++) {
            String name = "/appended/a" + i;
            int home = ChunkRouting.ToSubtask.subtask(ChunkRouting.appendKey(ChunkRouting.fileKey("empty.h5"), name), 2);
            if (home == appended.size()) appended.add(name); // one whose appends go to writer 0, one to writer 1
        }
        StreamExecutionEnvironment env = SinkTestJobs.environment(2, 50);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("empty.h5")
                .declare("/explicit", DatasetSpec.builder(DataType.FLOAT32, 0, 4).maxShape(DatasetSpec.UNLIMITED, 4)
                        .chunks(8, 4).build())
                .declare("/fixed", DatasetSpec.builder(DataType.INT16, 10, 5).chunks(4, 5).fillValue(-7).build())
                .declareAppended(appended.get(0), DatasetSpec.builder(DataType.COMPLEX64, 0, 3)
                        .maxShape(DatasetSpec.UNLIMITED, 3).chunks(16, 3).shuffle().deflate(4).build())
                .declareAppended(appended.get(1), DatasetSpec.builder(DataType.UINT8, 0, 2)
                        .maxShape(DatasetSpec.UNLIMITED, 2).chunks(16, 2).build())
                .declareAppended("other.h5", "/g/flags", DatasetSpec.builder(DataType.BOOL, 0)
                        .maxShape(DatasetSpec.UNLIMITED).chunks(64).fillValue(1).build())
                .build();
        env.fromSource(new NumberSequenceSource(0, 9), WatermarkStrategy.noWatermarks(), "nothing")
                .filter(i -> false)
                .map(i -> SinkTestJobs.rows("/explicit", 0, 1, 4, false))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink);
        env.execute("empty");
        long u = ExpectedFile.UNLIMITED;
        HdfAssertions.assertReadableByAll(dir.resolve("empty.h5"), ExpectedFile.create().superblockVersion(0)
                .dataset("/explicit", d -> d.dtype("<f4").shape(0, 4).maxshape(u, 4).chunks(8, 4).allocatedChunks(0))
                .dataset("/fixed", d -> d.dtype("<i2").shape(10, 5).maxshape(10, 5).fill(-7).allocatedChunks(0))
                .dataset(appended.get(0), d -> d.dtype("<c8").shape(0, 3).maxshape(u, 3)
                        .filters(FilterInfo.shuffle(8), FilterInfo.deflate(4)))
                .dataset(appended.get(1), d -> d.dtype("|u1").shape(0, 2).maxshape(u, 2))
                .build());
        HdfAssertions.assertReadableByAll(dir.resolve("other.h5"), ExpectedFile.create().superblockVersion(0)
                .dataset("/g/flags", d -> d.dtype("|b1").shape(0).maxshape(u).chunks(64).fill(1))
                .build());
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "assert (h5py.File(sys.argv[1], 'r')['fixed'][()] == -7).all()"), dir.resolve("empty.h5").toString());
        assertStagingCleanedUp();
    }

    private static ArrayBlock tile(long i, long n) {
        long r = (i * 7919 * 10) % n;
        long c = (i * 104729 * 10) % n;
        ByteBuffer b = ByteBuffer.allocate(800).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 100; k++) b.putDouble(k + i);
        return ArrayBlock.at("/matrix", DataType.FLOAT64, new long[] {r, c}, new long[] {10, 10}, b.array());
    }

    private void assertStagingCleanedUp() throws Exception {
        Path staging = dir.resolve(SinkConfig.STAGING_DIRECTORY);
        if (!Files.exists(staging)) return;
        try (var files = Files.list(staging)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(), "staging files left behind");
        }
    }

}
