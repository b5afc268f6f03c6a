package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.sink.ChunkFilters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-hdf5 acquire}: a live acquisition from Apache Kafka into HDF5, exactly once. Each
 * message is one array block in {@code .npy} format ({@code NpyMessages}: the dataset in the
 * {@code hdf5.dataset} header), appended to its dataset; rows become visible to readers at each
 * checkpoint, a killed run resumes from its last checkpoint with exactly the committed rows, and a
 * run that stops (after {@code --stop-after-idle}) keeps its final savepoint so that the same
 * command continues the acquisition later.
 */
@Command(name = "acquire", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Acquires array blocks from Apache Kafka into resizable, chunked, compressed HDF5 datasets, exactly "
                + "once. Each message value is one block in .npy format (np.save to bytes); its dataset is named by the "
                + "message header hdf5.dataset (default --dataset), its file by hdf5.file (default --output).", "",
                "Rows become visible to readers (h5py reopening the file) at each checkpoint. Checkpoints are kept in "
                        + "OUT.h5.checkpoints/: if the run is killed, running the same command again resumes from the "
                        + "last checkpoint, with nothing lost or doubled. A run that stops when the topic has been idle "
                        + "(--stop-after-idle) or by Ctrl-C keeps its final savepoint there: the same command continues "
                        + "the acquisition after the rows it wrote."},
        footer = {"", "Examples:",
                "  acquire --bootstrap-servers localhost:9092 --topic ephys --output run.h5 --stop-after-idle 30s",
                "  acquire --bootstrap-servers localhost:9092 --topic frames --output scan.h5 --codec lz4 \\",
                "          --dtype uint16 --rows-per-file 1000 --bad-messages set-aside", "",
                "Exit codes: 0 stopped (idle), 2 usage error (nothing written), 1 failure (re-run to resume)."})
public final class AcquireCommand implements Callable<Integer> {

    /** What a bad message does. */
    public enum BadMessages {
        fail, set_aside;
    }

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, split = ",", paramLabel = "TOPIC[,...]", description = "Topics to read.")
    List<String> topics;

    @Option(names = "--output", required = true, paramLabel = "OUT.h5", description = "The HDF5 file to write.")
    Path output;

    @Option(names = "--dataset", defaultValue = "/data", paramLabel = "PATH",
            description = "Dataset of messages without an hdf5.dataset header (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--codec", paramLabel = "CODEC",
            description = "As convert's --codec: gzip[:LEVEL], lzf, lz4, zstd[:LEVEL], bitshuffle[:lz4|zstd[:LEVEL]], blosc..., "
                    + "none. Default: gzip:4, with --shuffle.")
    String codec;

    @Option(names = "--shuffle", negatable = true, description = "Byte shuffle before compressing (default: on with a codec).")
    Boolean shuffle;

    @Option(names = "--chunk-bytes", defaultValue = "10mb", paramLabel = "SIZE",
            description = "About how large the chunks of new datasets are, in whole rows (e.g. 1mb, 64kb; default "
                    + "${DEFAULT-VALUE}). Readers see rows a whole chunk at a time: smaller chunks show a slow stream sooner.")
    String chunkBytes;

    @Option(names = "--dtype", paramLabel = "D",
            description = "Element type of --dataset (numpy notation, e.g. int16, <u2): messages of another type are bad. "
                    + "Required with --rows-per-file.")
    String dtype;

    @Option(names = "--rows-per-file", paramLabel = "N",
            description = "Roll --dataset over data files of N rows each, OUT_000001.h5, ..., with OUT.h5 the master file "
                    + "(a virtual dataset over them); then only --dataset is written, and messages naming another dataset or "
                    + "file are bad. The chunk rows are chosen to divide N.")
    Long rowsPerFile;

    @Option(names = "--format", paramLabel = "default|latest",
            description = "The format of a new output, as convert's --format: latest (superblock 3) lets h5py readers "
                    + "watch rows arrive with h5py.File(OUT, 'r', swmr=True) and dataset.refresh(); other libhdf5 readers "
                    + "open it once acquire stops. An existing output keeps its format.")
    String format;

    @Option(names = "--no-direct-io", description = SinkJobs.NO_DIRECT_IO_HELP)
    boolean noDirectIo;

    @Option(names = "--bad-messages", defaultValue = "fail", paramLabel = "fail|set-aside",
            converter = BadMessagesConverter.class,
            description = "A message that is not a .npy array, has an unknown hdf5.* header or does not match its dataset: "
                    + "fail the run, naming topic, partition and offset (default), or set it aside: counted, listed on "
                    + "stderr and in the hdf5.badMessages metric, and skipped.")
    BadMessages badMessages;

    @Option(names = "--from", defaultValue = "earliest", paramLabel = "earliest|latest",
            description = "Where a new acquisition starts in each partition (default: ${DEFAULT-VALUE}); a resumed one "
                    + "continues where it stopped.")
    String from;

    @Option(names = "--group-id", paramLabel = "ID",
            description = "Kafka consumer group, for the committed offsets that monitoring tools show as lag (default: "
                    + "flink-hdf5-acquire-<output file name>). Resuming uses the checkpoints, not these offsets.")
    String groupId;

    @Option(names = "--stop-after-idle", paramLabel = "DURATION",
            description = "Stop once no message has arrived for DURATION and every message is written, e.g. 30s "
                    + "(default: run until Ctrl-C, which stops the same way, committing every row read).")
    String stopAfterIdle;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Flink parallelism: Kafka readers and HDF5 writers, 1 to 128 (default: the number of cores).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "Checkpoint interval (default ${DEFAULT-VALUE}): how often rows become visible in the output.")
    String checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints are kept (default OUT.h5.checkpoints beside the output).")
    Path checkpointDir;

    @CommandLine.Mixin ProgressOptions printing = new ProgressOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AcquireJob.Result result = AcquireJob.run(this, spec.commandLine().getErr(), !printing.noProgress);
        spec.commandLine().getOut().println(result.summaryLine());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The output, absolute. */
    Path outputPath() {
        return output.toAbsolutePath().normalize();
    }

    /** The default dataset, normalized. */
    String datasetPath() {
        String d;
        try {
            d = Hdf5Paths.normalize(dataset);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dataset '" + dataset + "': " + e.getMessage());
        }
        if (d.equals("/")) throw new UsageException("--dataset / is the root group; name a dataset, e.g. /data");
        return d;
    }

    /** The filters of new datasets. */
    ChunkFilters filters() {
        return NewDatasetOptions.filters(codec, shuffle, null);
    }

    /** {@code --chunk-bytes} in bytes. */
    long chunkBytesValue() {
        long bytes;
        try {
            bytes = org.apache.flink.configuration.MemorySize.parse(chunkBytes).getBytes();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--chunk-bytes '" + chunkBytes + "' is not a size such as 1mb or 64kb");
        }
        if (bytes < 1024 || bytes > (1L << 30)) throw new UsageException("--chunk-bytes " + chunkBytes + " is not 1kb to 1gb");
        return bytes;
    }

    /** {@code --dtype}, or null. */
    DataType dataType() {
        if (dtype == null) return null;
        try {
            return DataType.parse(dtype).type();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dtype '" + dtype + "': " + e.getMessage());
        }
    }

    /** Rows per data file, or 0 when not rolling. */
    long rowsPerFileOrZero() {
        if (rowsPerFile == null) return 0;
        if (rowsPerFile < 1) throw new UsageException("--rows-per-file " + rowsPerFile + " is not a positive number of rows");
        if (dtype == null) {
            throw new UsageException("--rows-per-file needs --dtype: every dataset of a rolled recording is declared before its "
                    + "first message");
        }
        return rowsPerFile;
    }

    /** {@code --stop-after-idle} as a duration, or null. */
    Duration idleLimit() {
        return stopAfterIdle == null ? null : ConvertCommand.duration("--stop-after-idle", stopAfterIdle, Duration.ofMillis(100));
    }

    /** Whether a new acquisition starts at the earliest offsets (else the latest). */
    boolean fromEarliest() {
        return switch (from.toLowerCase(Locale.ROOT)) {
            case "earliest" -> true;
            case "latest" -> false;
            default -> throw new UsageException("--from '" + from + "' is not earliest or latest");
        };
    }

    /** The consumer group. */
    String groupIdOrDefault() {
        return groupId != null ? groupId : "flink-hdf5-acquire-" + outputPath().getFileName();
    }

    /** The parallelism to run with. */
    int parallelismOrDefault() {
        return ConvertCommand.parallelismOrDefault(parallelism);
    }

    /**
     * The options that shape the output, in one line: a resumed run must have the same (servers,
     * parallelism, interval, bad-message handling and progress may differ).
     */
    String canonicalOptions() {
        return String.join(" ", "topics=" + topics, "dataset=" + datasetPath(), "codec=" + codec, "shuffle=" + shuffle,
                "dtype=" + (dtype == null ? null : dataType()), "rowsPerFile=" + rowsPerFile, "chunkBytes=" + chunkBytesValue())
                + FileFormat.canonical(format);
    }

    /** {@code fail} or {@code set-aside}, as users type them. */
    static final class BadMessagesConverter implements CommandLine.ITypeConverter<BadMessages> {
        @Override
        public BadMessages convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "fail" -> BadMessages.fail;
                case "set-aside", "set_aside" -> BadMessages.set_aside;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not fail or set-aside");
            };
        }
    }
}
