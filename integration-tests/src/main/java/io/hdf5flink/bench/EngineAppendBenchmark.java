package io.hdf5flink.bench;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.ParallelChunkEncoder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The append engine alone, the way h5py_convert.py works: a memory-mapped int16 (rows, channels)
 * array appended to a resizable dataset in (chunkRows, channels) chunks, deflate 4 + shuffle,
 * filtered on {@code threads} threads and written in order by one. Prints MB/s of raw input.
 *
 * <p>usage: EngineAppendBenchmark IN_RAW_OR_NPY DATA_OFFSET ROWS CHANNELS OUT.h5 THREADS [CHUNK_ROWS]
 */
public final class EngineAppendBenchmark {
    private EngineAppendBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        long offset = Long.parseLong(args[1]);
        long rows = Long.parseLong(args[2]);
        int channels = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        int threads = Integer.parseInt(args[5]);
        int chunkRows = args.length > 6 ? Integer.parseInt(args[6]) : 16384;
        Files.deleteIfExists(out);
        long rowBytes = 2L * channels;
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileChannel ch = FileChannel.open(in); Hdf5File file = Hdf5File.create(out)) {
            Hdf5Dataset data = file.createDataset("/data", DatasetSpec.builder(DataType.INT16, 0, channels)
                    .maxShape(DatasetSpec.UNLIMITED, channels).chunks(chunkRows, channels).shuffle().deflate(4).build());
            ParallelChunkEncoder<long[]> writer = ParallelChunkEncoder.into(data, pool, 2 * threads + 2);
            int chunkBytes = data.chunkBytes();
            for (long r = 0; r < rows; r += chunkRows) {
                long n = Math.min(chunkRows, rows - r);
                MappedByteBuffer window = ch.map(FileChannel.MapMode.READ_ONLY, offset + r * rowBytes, n * rowBytes);
                byte[] raw = new byte[chunkBytes];
                window.get(raw, 0, (int) (n * rowBytes));
                writer.submit(new long[] {r, 0}, raw);
            }
            writer.flush();
            data.resize(rows, channels);
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double rawMb = rows * rowBytes / 1e6;
        System.out.printf("engine threads=%d raw_MB=%.1f file_MB=%.1f seconds=%.2f MBps=%.1f%n", threads, rawMb,
                Files.size(out) / 1e6, seconds, rawMb / seconds);
    }
}
