package io.hdf5flink.bench.jmh;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5DatasetReader;
import io.hdf5flink.hdf5.Hdf5File;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ChunkedDataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two read paths an HDF5 input could take, one thread, on 32 chunks (16384, 64) int16 of the
 * recording's kind with shuffle + gzip 4 (64 MiB raw): the engine's {@link Hdf5DatasetReader}
 * (jhdf parses, the engine reads and decodes, rows copied into 16384-row blocks) against jhdf's
 * own {@code getDecompressedChunk} per chunk (decoding only, no copy; and it ignores chunk filter
 * masks, which is why it is not used). One operation reads the whole dataset: MB/s = 67.1 × ops/s.
 *
 * <p>Run: {@code integration-tests/bench/jmh ReadPathBenchmarks}; add
 * {@code -jvmArgsAppend -XX:TieredStopAtLevel=1} for the JIT tier the launcher runs with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ReadPathBenchmarks {
    private static final int CHUNKS = 32;
    private static final int ROWS = 16384;
    private Path dir;
    private Path file;
    private final byte[] block = new byte[ROWS * 64 * 2];

    @Setup
    public void file() throws IOException {
        dir = Files.createTempDirectory("read-path");
        file = dir.resolve("read.h5");
        byte[] chunk = HotPathBenchmarks.recordingChunk();
        try (Hdf5File f = Hdf5File.create(file)) {
            Hdf5Dataset d = f.createDataset("/data", DatasetSpec.builder(DataType.INT16, 0, 64)
                    .maxShape(DatasetSpec.UNLIMITED, 64).chunks(ROWS, 64).shuffle().deflate(4).build());
            for (int i = 0; i < CHUNKS; i++) d.append(ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN));
            f.commit();
        }
    }

    @TearDown
    public void delete() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public long engineReader() throws IOException {
        long sum = 0;
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(file, "/data")) {
            for (long at = 0; at < (long) CHUNKS * ROWS; at += ROWS) {
                r.read(at, ROWS, block);
                sum += block[7];
            }
        }
        return sum;
    }

    @Benchmark
    public long jhdfDecompressedChunks() {
        long sum = 0;
        try (HdfFile h = new HdfFile(file)) {
            ChunkedDataset d = (ChunkedDataset) h.getDatasetByPath("/data");
            for (int at = 0; at < CHUNKS * ROWS; at += ROWS) sum += d.getDecompressedChunk(new int[] {at, 0})[7];
        }
        return sum;
    }
}
