package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.source.ArraySource;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The source and the sink in a pipeline of your own: a raw int16 recording ({@code .npy}) is
 * re-referenced to the common average (each sample minus the mean of its row over all channels)
 * and scaled to microvolts (0.195 uV per bit, an Intan amplifier's step) as float32, in a plain
 * Flink {@code map} between {@link ArraySource} and {@link Hdf5Sink}. A map that keeps each
 * block's offset and shape keeps the blocks chunk-aligned, so the sink still needs no shuffle.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.PipelineExample [IN.npy OUT.h5]</pre>
 * (without arguments it makes a 16 MB recording, {@code recording.npy}, and writes {@code car.h5})
 */
public final class PipelineExample {
    static final double MICROVOLTS_PER_BIT = 0.195;
    static final String DATASET = "/processing/ecephys/car/data";

    private PipelineExample() {}

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args.length > 0 ? args[0] : "recording.npy");
        Path out = Path.of(args.length > 1 ? args[1] : "car.h5");
        if (args.length == 0) makeRecording(in, 125_000, 64);
        run(in, out, 2, System.out);
    }

    /** Writes a synthetic int16 recording as .npy: a common signal on every channel, plus a sine and noise per channel. */
    public static void makeRecording(Path file, int rows, int channels) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        short[] v = new short[rows * channels];
        for (int r = 0; r < rows; r++) {
            double common = 400 * Math.sin(2 * Math.PI * 50 * r / 30000.0); // mains hum, on every channel
            for (int c = 0; c < channels; c++) {
                v[r * channels + c] = (short) Math.round(common + 800 * Math.sin(r * 0.01 + c) + 40 * (random.nextDouble() - 0.5));
            }
        }
        ExampleSupport.writeNpyInt16(file, v, rows, channels);
    }

    public static void run(Path in, Path out, int parallelism, PrintStream print) throws Exception {
        Path file = out.toAbsolutePath();
        Files.deleteIfExists(file);
        ArraySource probe = ArraySource.npy(in).dataset(DATASET).build();
        long channels = probe.getShape()[1];
        long[] chunks = ChunkShapeRule.chunksFor(DataType.FLOAT32, new long[] {channels}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        chunks[0] = Math.min(chunks[0], Math.max(1, probe.getShape()[0]));
        ArraySource source = ArraySource.npy(in).dataset(DATASET).chunkRows(chunks[0]).blockBytes(chunks[0] * channels * 2).build();
        DatasetSpec spec = ChunkFilters.gzip(4).withShuffle().applyTo(DatasetSpec.builder(DataType.FLOAT32, 0, channels)
                        .maxShape(DatasetSpec.UNLIMITED, channels).chunks(chunks)
                        .attribute("unit", AttributeValue.of("uV"))
                        .attribute("description", AttributeValue.of("common average referenced, " + MICROVOLTS_PER_BIT + " uV per bit")))
                .build();
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(parallelism, checkpoints);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), in.getFileName().toString())
                    .map(new CommonAverageReference(MICROVOLTS_PER_BIT)).returns(ArrayBlockTypeInfo.INSTANCE)
                    .name("common average reference, to uV")
                    .sinkTo(Hdf5Sink.builder(file.getParent()).defaultFile(file.getFileName().toString())
                            .declare(DATASET, spec).chunkAlignedInput(true).build());
            env.execute("re-reference and scale into HDF5");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }
        print.printf("%s %s int16 -> %s:%s float32 uV, common average referenced, chunks %s%n", in,
                ExampleSupport.tuple(probe.getShape()), file, DATASET, ExampleSupport.tuple(chunks));
    }

    /**
     * Subtracts each row's mean over the channels and scales to microvolts: int16 blocks in,
     * float32 blocks out, at the same offset with the same shape.
     */
    static final class CommonAverageReference implements MapFunction<ArrayBlock, ArrayBlock> {
        private static final long serialVersionUID = 1L;
        private final double gain;

        CommonAverageReference(double gain) {
            this.gain = gain;
        }

        @Override
        public ArrayBlock map(ArrayBlock block) {
            if (block.type() != DataType.INT16 || block.rank() != 2) {
                throw new IllegalArgumentException("expects 2-D int16 blocks, got " + block);
            }
            long[] shape = block.shape();
            int rows = (int) shape[0];
            int channels = (int) shape[1];
            ByteBuffer in = ByteBuffer.wrap(block.data()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = ByteBuffer.allocate(rows * channels * 4).order(ByteOrder.LITTLE_ENDIAN);
            short[] row = new short[channels];
            for (int r = 0; r < rows; r++) {
                long sum = 0;
                for (int c = 0; c < channels; c++) {
                    row[c] = in.getShort();
                    sum += row[c];
                }
                double mean = (double) sum / channels;
                for (int c = 0; c < channels; c++) out.putFloat((float) ((row[c] - mean) * gain));
            }
            return new ArrayBlock(block.file(), block.dataset(), DataType.FLOAT32, shape, block.offset(), out.array());
        }
    }
}
