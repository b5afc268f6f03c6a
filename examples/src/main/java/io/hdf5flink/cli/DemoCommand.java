package io.hdf5flink.cli;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-hdf5 demo}: streams a synthetic multichannel recording of unknown length into a
 * compressed, appendable dataset with NWB-like attributes, then prints what it wrote.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Streams a synthetic multichannel recording of unknown length (sines + noise, 30 kHz, int16 "
                + "microvolts; the generator stops at random) through Flink into a compressed, appendable HDF5 dataset "
                + "with NWB-like attributes (unit, conversion, rate, description), then prints what it wrote.",
                "", "Runs with no arguments; rewrites its own earlier output, never another file."})
public final class DemoCommand implements Callable<Integer> {
    /** Where the demo puts its recording, as NWB puts an ElectricalSeries' data. */
    public static final String DATASET = "/acquisition/ElectricalSeries/data";
    private static final String GENERATOR = "flink-hdf5 demo";

    @Option(names = "--output", defaultValue = "demo.h5", paramLabel = "FILE", description = "Output file (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--channels", defaultValue = "64", paramLabel = "N", description = "Channels (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--max-seconds", defaultValue = "30", paramLabel = "S",
            description = "Longest recording in seconds; it usually stops well before (default: ${DEFAULT-VALUE}).")
    int maxSeconds;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the generator (default: random); the same seed gives the same file.")
    Long seed;

    @CommandLine.Mixin ProgressOptions printing = new ProgressOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (channels < 1 || channels > 100_000) throw new UsageException("--channels " + channels + " is not 1 to 100000");
        if (maxSeconds < 1) throw new UsageException("--max-seconds must be at least 1");
        Path file = output.toAbsolutePath().normalize();
        if (Files.isDirectory(file)) throw new UsageException("--output " + output + " is a directory");
        if (Files.exists(file)) {
            if (!isDemoOutput(file)) {
                throw new UsageException(file + " exists and is not a demo recording; choose another --output");
            }
            Files.delete(file);
        }
        long s = seed != null ? seed : System.nanoTime() & 0xFFFFFF;
        double rate = 30000;
        long[] chunks = ChunkShapeRule.chunksFor(DataType.INT16, new long[] {channels}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        DatasetSpec.Builder b = DatasetSpec.builder(DataType.INT16, 0, channels)
                .maxShape(DatasetSpec.UNLIMITED, channels).chunks(chunks)
                .attribute("unit", AttributeValue.of("volts"))
                .attribute("conversion", AttributeValue.of(1e-6))
                .attribute("rate", AttributeValue.of(rate))
                .attribute("description", AttributeValue.of("synthetic " + channels
                        + "-channel extracellular recording: a sine per channel plus noise, int16 microvolts"))
                .attribute("generator", AttributeValue.of(GENERATOR + " (seed " + s + ")"));
        DatasetSpec dataSpec = ChunkFilters.gzip(4).withShuffle().applyTo(b).build();

        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, java.time.Duration.ofSeconds(1));
        // The writer's state holds the chunk being filled (10 MB): more than Flink's in-memory checkpoints take.
        Path checkpoints = Files.createTempDirectory("flink-hdf5-demo-checkpoints");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        boolean embedded = EmbeddedFlink.configure(env);
        SineRecording generator = new SineRecording(DATASET, channels, rate, s, 1.0 / 80);
        long ticks = (long) maxSeconds * 10;
        env.fromSequence(0, ticks - 1).name("acquisition clock")
                .flatMap(generator).returns(ArrayBlockTypeInfo.INSTANCE).name("sine generator")
                .flatMap(new PrepareBlocks()).returns(ArrayBlockTypeInfo.INSTANCE).name("count")
                .sinkTo(Hdf5Sink.builder(file.getParent()).defaultFile(file.getFileName().toString())
                        .declareAppended(DATASET, dataSpec).build())
                .name("write " + file.getFileName());

        err.printf(Locale.ROOT, "demo: streaming a %d-channel recording of unknown length (seed %d) into %s:%s%n",
                channels, s, file, DATASET);
        err.flush();
        Progress.reset();
        long started = System.nanoTime();
        JobClient job = env.executeAsync("flink-hdf5 demo");
        try (Progress ignored = embedded && !printing.noProgress ? Progress.start(err, -1, 2L * channels) : null) {
            job.getJobExecutionResult().get();
        } finally {
            DirectoryTrees.delete(checkpoints);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        OutputSummary summary = OutputSummary.read(file, DATASET);
        long rows = summary.shape()[0];
        out.printf(Locale.ROOT, "The generator stopped after %.1f s of recording (%d blocks of %d rows); nobody knew the "
                + "length in advance.%n", rows / rate, rows / generator.blockRows(), generator.blockRows());
        out.print(summary.describe());
        out.printf(Locale.ROOT, "Written in %.1f s. Read it with: h5dump -H %s   or   python3 -c \"import h5py; "
                + "print(h5py.File('%s')['%s'])\"%n", seconds, file, file, DATASET);
        out.flush();
        return 0;
    }

    private static boolean isDemoOutput(Path file) {
        try (HdfFile h = new HdfFile(file)) {
            Node n = h.getByPath(DATASET);
            Attribute a = n.getAttribute("generator");
            return a != null && a.getData() instanceof String g && g.startsWith(GENERATOR);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
