package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.ArrayBlockSource;
import io.hdf5flink.source.ArraySource;
import io.hdf5flink.source.Hdf5Source;
import io.hdf5flink.source.MultiFileArraySource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sources feeding the real sink, end to end, with a failure injected after a checkpoint:
 * a memory-mapped .npy through the chunk-aligned path (no shuffle), an HDF5 dataset re-chunked
 * through the same path, and gzipped one-file-per-channel columns through the sink's routing,
 * each judged by h5py and jhdf against the input.
 */
class SourceToSinkInteropTest {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir Path dir;

    private static final int ROWS = 30_000;
    private static final int CHANNELS = 8;

    /** Element (r, c) of the input recording: (r * 7 + c * 1013) mod 65536 as int16. */
    private static byte[] recording() {
        ByteBuffer b = ByteBuffer.allocate(ROWS * CHANNELS * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < ROWS; r++) for (int c = 0; c < CHANNELS; c++) b.putShort((short) (r * 7 + c * 1013));
        return b.array();
    }

    private static final String WRITE = String.join("\n",
            "import sys, gzip, h5py, numpy as np",
            "r = np.arange(" + ROWS + ", dtype=np.int64)[:, None]",
            "c = np.arange(" + CHANNELS + ", dtype=np.int64)[None, :]",
            "a = ((r * 7 + c * 1013) % 65536).astype(np.uint16).view(np.int16)",
            "np.save(sys.argv[1] + '/recording.npy', a)",
            "with h5py.File(sys.argv[1] + '/recording.h5', 'w', libver='latest') as f:",
            "    f.create_dataset('entry/data', data=a, chunks=(100, 8), maxshape=(None, 8), compression='gzip', shuffle=True)",
            "for ch in range(" + CHANNELS + "):",
            "    with gzip.open(sys.argv[1] + f'/ch{ch}.npy.gz', 'wb') as f:",
            "        np.save(f, a[:, ch].copy())");

    @BeforeEach
    void inputs() {
        SinkTestJobs.FailOnceAfterCheckpoint.FAILURES.set(0);
        ReferenceLibrary.runPython(WRITE, dir.toString());
    }

    private void run(ArrayBlockSource source, Hdf5Sink sink, int parallelism) throws Exception {
        StreamExecutionEnvironment env = SinkTestJobs.environment(parallelism, 50);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "arrays")
                .map(new SinkTestJobs.FailOnceAfterCheckpoint<ArrayBlock>(11, 1))
                .sinkTo(sink);
        env.execute("source to sink");
        assertEquals(1, SinkTestJobs.FailOnceAfterCheckpoint.FAILURES.get(), "the failure was injected");
    }

    private static DatasetSpec spec(ArrayBlockSource source, long chunkRows) {
        long[] shape = source.getShape();
        return DatasetSpec.builder(source.getDataType(), shape).maxShape(DatasetSpec.UNLIMITED, shape[1])
                .chunks(chunkRows, shape[1]).shuffle().deflate(4).build();
    }

    private void assertRecording(Path file, long chunkRows) {
        HdfAssertions.assertReadableByAll(file, ExpectedFile.create().superblockVersion(0)
                .dataset("/data", d -> d.dtype("<i2").shape(ROWS, CHANNELS).maxshape(ExpectedFile.UNLIMITED, CHANNELS)
                        .chunks(chunkRows, CHANNELS).filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).data(recording()))
                .build());
    }

    @Test
    void memoryMappedNpyThroughTheChunkAlignedPath() throws Exception {
        ArraySource source = ArraySource.npy(dir.resolve("recording.npy")).dataset("/data").chunkRows(32)
                .blockBytes(32 * CHANNELS * 2).splitBytes(4096 * CHANNELS * 2).build();
        Hdf5Sink sink = Hdf5Sink.builder(dir.resolve("out")).defaultFile("npy.h5").chunkAlignedInput(true)
                .declare("/data", spec(source, 32)).build();
        run(source, sink, 2);
        assertRecording(dir.resolve("out/npy.h5"), 32);
    }

    @Test
    void hdf5DatasetRechunkedThroughTheChunkAlignedPath() throws Exception {
        // libver='latest' (extensible-array index), chunks of 100 rows read into output chunks of 64.
        Hdf5Source source = Hdf5Source.builder().input(dir.resolve("recording.h5"), "/entry/data").dataset("/data")
                .chunkRows(64).blockBytes(64 * CHANNELS * 2).splitBytes(2048 * CHANNELS * 2).build();
        Hdf5Sink sink = Hdf5Sink.builder(dir.resolve("out")).defaultFile("hdf5.h5").chunkAlignedInput(true)
                .declare("/data", spec(source, 64)).build();
        run(source, sink, 2);
        assertRecording(dir.resolve("out/hdf5.h5"), 64);
    }

    @Test
    void gzippedColumnsOneFilePerChannelAssembledIntoRowChunks() throws Exception {
        MultiFileArraySource source = MultiFileArraySource.builder(MultiFileArraySource.Layout.COLUMNS)
                .glob(dir + "/ch*.npy.gz").dataset("/data").chunkRows(512).blockBytes(512 * 2).build();
        Hdf5Sink sink = Hdf5Sink.builder(dir.resolve("out")).defaultFile("columns.h5")
                .declare("/data", spec(source, 512)).build();
        run(source, sink, 2);
        assertRecording(dir.resolve("out/columns.h5"), 512);
    }
}
