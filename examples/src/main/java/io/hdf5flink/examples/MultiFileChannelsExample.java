package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.source.MultiFileArraySource;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Tutorial "Convert arrays stored in multiple files": a recording split into one raw float64 file
 * per channel ({@code num_steps} samples each) becomes one {@code (num_steps, num_channels)}
 * dataset. {@link MultiFileArraySource} in the {@code COLUMNS} layout reads each file as one
 * column (the tutorial's {@code DataChunk(selection=np.s_[:, i])}); the chunks hold whole rows,
 * so every chunk is assembled from all the files: the sink routes each column piece to the writer
 * that owns its chunk, which compresses the chunk once, when every column has arrived.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.MultiFileChannelsExample [DIR [NUM_STEPS [NUM_CHANNELS]]]</pre>
 */
public final class MultiFileChannelsExample {
    private MultiFileChannelsExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "channels");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int channels = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        if (!run(dir, steps, channels, System.out)) System.exit(1);
    }

    /** Channel {@code c}'s sample {@code t}: the tutorial's {@code arange(num_steps)}, offset per channel. */
    static double sample(int channel, long t) {
        return t + 1000.0 * channel;
    }

    public static boolean run(Path dir, int steps, int channels, PrintStream print) throws Exception {
        Path base = dir.toAbsolutePath();
        Files.createDirectories(base);
        List<Path> channelFiles = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            // Raw np.memmap files named .npy, as in the tutorial: the source decides by content.
            Path f = base.resolve("basic_sparse_iterwrite_testdata_channel_" + c + ".npy");
            double[] v = new double[steps];
            for (int t = 0; t < steps; t++) v[t] = sample(c, t);
            ExampleSupport.writeRawDoubles(f, v);
            channelFiles.add(f);
        }
        long[] chunks = ChunkShapeRule.chunksFor(DataType.FLOAT64, new long[] {channels}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        chunks[0] = Math.min(chunks[0], steps);
        MultiFileArraySource source = MultiFileArraySource.builder(MultiFileArraySource.Layout.COLUMNS)
                .files(channelFiles).raw(DataType.FLOAT64, ByteOrder.LITTLE_ENDIAN)
                .dataset("/data").chunkRows(chunks[0]).build();
        String outName = "basic_sparse_iterwrite_multifile.h5";
        Path out = base.resolve(outName);
        Files.deleteIfExists(out);
        DatasetSpec spec = ChunkFilters.gzip(4).applyTo(DatasetSpec.builder(DataType.FLOAT64, source.getShape())
                .maxShape(DatasetSpec.UNLIMITED, channels).chunks(chunks)).build();
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(2, checkpoints);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), channels + " channel files")
                    .sinkTo(Hdf5Sink.builder(base).defaultFile(outName).declareGrowing("/data", spec).build());
            env.execute("channels in many files into one dataset");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }

        boolean match;
        try (Hdf5File f = Hdf5File.openReadOnly(out)) {
            Hdf5Dataset d = f.dataset("/data");
            long[] shape = d.shape();
            match = shape[0] == steps && shape[1] == channels;
            ByteBuffer b = match ? d.read(new long[] {0, 0}, shape).order(ByteOrder.LITTLE_ENDIAN) : null;
            for (long t = 0; match && t < steps; t++) {
                for (int c = 0; c < channels && match; c++) match = b.getDouble() == sample(c, t);
            }
            print.printf("%d channel files of %d samples -> %s:/data, shape %s, chunks %s%n", channels, steps, out,
                    ExampleSupport.tuple(shape), ExampleSupport.tuple(d.chunkShape()));
        }
        print.println(match ? "Success: every channel file is one column of the dataset" : "ERROR: Mismatch between data");
        return match;
    }
}
