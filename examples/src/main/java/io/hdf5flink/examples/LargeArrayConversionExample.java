package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.source.ArraySource;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Tutorial "Convert large binary data arrays": a raw float64 array on disk (what {@code np.memmap}
 * writes: no header), here {@code arange(rows * cols).reshape(rows, cols)}, is read memory-mapped
 * a window at a time by {@link ArraySource} (the file may be larger than memory and than 2 GiB),
 * in chunk-aligned blocks, by parallel readers, and written by the sink without any shuffle
 * ({@code chunkAlignedInput}). Then every value is compared with the input.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.LargeArrayConversionExample [DIR [ROWS [COLS]]]</pre>
 */
public final class LargeArrayConversionExample {
    private LargeArrayConversionExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 100;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        if (!run(dir, rows, cols, System.out)) System.exit(1);
    }

    /** Creates the test data, converts it, compares; returns whether all values match. */
    public static boolean run(Path dir, long rows, int cols, PrintStream print) throws Exception {
        Path base = dir.toAbsolutePath();
        Files.createDirectories(base);
        // Create the test data: OK, 100 x 10 is not really large, but pass a larger shape to see it work.
        // Named .npy as in the tutorial, though np.memmap writes raw bytes with no .npy header: the
        // source decides by content, so it reads this file as raw.
        Path input = base.resolve("basic_sparse_iterwrite_testdata.npy");
        double[] values = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < values.length; i++) values[i] = i;
        ExampleSupport.writeRawDoubles(input, values);

        // The source reads the raw file as (-1, cols) float64: as many rows as the file holds.
        long[] chunks = ChunkShapeRule.chunksFor(DataType.FLOAT64, new long[] {cols}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        chunks[0] = Math.min(chunks[0], rows);
        ArraySource source = ArraySource.raw(input, DataType.FLOAT64, ByteOrder.LITTLE_ENDIAN).shape(-1, cols)
                .dataset("/data").chunkRows(chunks[0]).build();
        String outName = "basic_sparse_iterwrite_largearray.h5";
        Path out = base.resolve(outName);
        Files.deleteIfExists(out);
        DatasetSpec spec = ChunkFilters.gzip(4).withShuffle().applyTo(DatasetSpec.builder(DataType.FLOAT64, 0, cols)
                .maxShape(DatasetSpec.UNLIMITED, cols).chunks(chunks)).build();
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(2, checkpoints);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "memory-mapped " + input.getFileName())
                    .sinkTo(Hdf5Sink.builder(base).defaultFile(outName).declareGrowing("/data", spec).chunkAlignedInput(true).build());
            env.execute("convert a large binary array");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }

        // Compare all the data values of our two arrays (a band of rows at a time).
        boolean match = true;
        try (Hdf5File f = Hdf5File.openReadOnly(out)) {
            Hdf5Dataset d = f.dataset("/data");
            match = d.shape()[0] == rows && d.shape()[1] == cols;
            long band = Math.max(1, (8 << 20) / (8L * cols));
            for (long r = 0; match && r < rows; r += band) {
                long n = Math.min(band, rows - r);
                ByteBuffer b = d.read(new long[] {r, 0}, new long[] {n, cols}).order(ByteOrder.LITTLE_ENDIAN);
                for (long k = 0; k < n * cols && match; k++) match = b.getDouble() == (double) (r * cols + k);
            }
            print.printf("Converted %s %s float64 into %s:/data, chunks %s%n", input.getFileName(),
                    ExampleSupport.tuple(rows, cols), out, ExampleSupport.tuple(d.chunkShape()));
        }
        print.println(match ? "Success: All data values match" : "ERROR: Mismatch between data");
        return match;
    }
}
