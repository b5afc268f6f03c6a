package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.source.Hdf5Source;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Tutorial {@code GenericDataChunkIterator}, whose main input is "arrays that are already
 * memory-mapped (e.g. from HDF5 or memmap)": an HDF5 dataset stored in tiny chunks of 64 rows (as
 * a per-frame writer or h5py's auto-chunking leaves them) is re-chunked into whole rows of about
 * 10 MB with shuffle + gzip 4. {@link Hdf5Source} cuts the input on the output's chunk grid, so
 * parallel readers each decode the input chunks of their blocks and the sink writes without a
 * shuffle ({@code chunkAlignedInput}). Then every value is compared with the input.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.Hdf5RechunkExample [DIR [ROWS [COLS]]]</pre>
 */
public final class Hdf5RechunkExample {
    private Hdf5RechunkExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        long rows = args.length > 1 ? Long.parseLong(args[1]) : 100_000;
        int cols = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        if (!run(dir, rows, cols, System.out)) System.exit(1);
    }

    /** Element (r, c) of the input: (r * 31 + c) mod 65536 as int16. */
    private static short value(long r, long c) {
        return (short) (r * 31 + c);
    }

    /** Writes the input, re-chunks it, compares; returns whether all values match. */
    public static boolean run(Path dir, long rows, int cols, PrintStream print) throws Exception {
        Path base = dir.toAbsolutePath();
        Files.createDirectories(base);
        // The input: tiny chunks of 64 rows, gzip 1, written with the engine (h5py would do the same).
        Path input = base.resolve("tiny_chunks.h5");
        Files.deleteIfExists(input);
        try (Hdf5File f = Hdf5File.create(input)) {
            Hdf5Dataset d = f.createDataset("/acquisition/data", DatasetSpec.builder(DataType.INT16, 0, cols)
                    .maxShape(DatasetSpec.UNLIMITED, cols).chunks(64, cols).deflate(1).build());
            ByteBuffer band = ByteBuffer.allocate(4096 * cols * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (long r = 0; r < rows; ) {
                long n = Math.min(4096, rows - r);
                band.clear();
                for (long i = 0; i < n; i++) for (int c = 0; c < cols; c++) band.putShort(value(r + i, c));
                d.append(band.flip());
                r += n;
            }
            f.commit();
        }

        long[] chunks = ChunkShapeRule.chunksFor(DataType.INT16, new long[] {cols}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        chunks[0] = Math.min(chunks[0], Math.max(1, rows));
        Hdf5Source source = Hdf5Source.builder().input(input, "/acquisition/data").dataset("/data")
                .chunkRows(chunks[0]).build();
        String outName = "rechunked.h5";
        Path out = base.resolve(outName);
        Files.deleteIfExists(out);
        DatasetSpec spec = ChunkFilters.gzip(4).withShuffle().applyTo(DatasetSpec.builder(DataType.INT16, 0, cols)
                .maxShape(DatasetSpec.UNLIMITED, cols).chunks(chunks)).build();
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(2, checkpoints);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), input.getFileName() + ":/acquisition/data")
                    .sinkTo(Hdf5Sink.builder(base).defaultFile(outName).declareGrowing("/data", spec).chunkAlignedInput(true).build());
            env.execute("re-chunk an HDF5 dataset");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }

        boolean match;
        try (Hdf5File f = Hdf5File.openReadOnly(out)) {
            Hdf5Dataset d = f.dataset("/data");
            match = d.shape()[0] == rows && d.shape()[1] == cols;
            for (long r = 0; match && r < rows; r += 4096) {
                long n = Math.min(4096, rows - r);
                ByteBuffer b = d.read(new long[] {r, 0}, new long[] {n, cols}).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n && match; i++) for (int c = 0; c < cols && match; c++) match = b.getShort() == value(r + i, c);
            }
            print.printf("Re-chunked %s:/acquisition/data %s int16 from chunks (64, %d) into %s:/data, chunks %s, %s%n",
                    input.getFileName(), ExampleSupport.tuple(rows, cols), cols, out.getFileName(),
                    ExampleSupport.tuple(d.chunkShape()), String.join(" + ", d.spec().filters().stream()
                            .map(x -> x.name()).toList()));
        }
        print.println(match ? "Success: All data values match" : "ERROR: Mismatch between data");
        return match;
    }
}
