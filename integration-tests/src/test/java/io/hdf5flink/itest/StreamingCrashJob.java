package io.hdf5flink.itest;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Profile;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.Hdf5Sink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimitedSourceReader;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The child process of {@code StreamingCrashInteropTest}: a streaming job on an embedded Flink
 * (local environment, MiniCluster) that writes a deterministic stream of rows into two datasets of
 * {@value #FILE}, checkpointing every few hundred milliseconds into {@code BASE/checkpoints}, and
 * resuming from the newest completed checkpoint there when one exists. Killed with SIGKILL and
 * started again with the same arguments, it must end with exactly the rows an uninterrupted run
 * writes.
 *
 * <pre>java -cp TEST_CLASSPATH io.hdf5flink.itest.StreamingCrashJob BASE ROWS PARALLELISM ROWS_PER_SECOND [CHECKPOINT_MS, 0 for none]</pre>
 *
 * <p>The stream: blocks of rows {@code [blockStart(k), blockStart(k + 1))} for k = 0, 1, ...
 * (block sizes cycle through {@link #BLOCK_ROWS}, a few hundred rows that never line up with a
 * chunk), cut at {@code ROWS}; row i, column c holds {@link #value}(i, c), never the fill value.
 * Two rate-limited FLIP-27 sources (flink-core's {@link NumberSequenceSource}, whose splits
 * checkpoint their position, read through flink-core's {@link RateLimitedSourceReader}) emit the
 * block numbers:
 * <ul>
 *   <li>one at parallelism 1, whose blocks are appended to {@value #APPENDED} (int16, 64 channels,
 *       chunks of {@value #APPEND_CHUNK_ROWS} rows, gzip): the iterative-write case, one ordered
 *       stream of appends;</li>
 *   <li>one at the job's parallelism (each subtask a range of block numbers), whose blocks are
 *       written one column at a time, as (rows, 1) blocks at explicit offsets, into
 *       {@value #COLUMNS} (declared at its full shape, ROWS x {@value #COLUMN_COUNT}, chunks
 *       {@value #COLUMN_CHUNK_ROWS} x {@value #COLUMN_CHUNK_COLUMNS}, shuffle + gzip, fill
 *       {@value #FILL}): every chunk is assembled from dozens of pieces routed to its writer.</li>
 * </ul>
 * Both go through one {@link Hdf5Sink} at the job's parallelism (the appended stream first in the
 * union, as the sink tests do). Partial chunks of both datasets are always open in the writers'
 * checkpointed state. The sources are bounded, so the job ends after ROWS rows and the sink
 * commits the rest (partial chunks completed with the fill value) at the final checkpoint; the
 * job still runs in STREAMING mode with periodic checkpoints, as an unbounded one would.
 *
 * <p>It prints {@code START ...} (saying whether it resumes), {@code JOB <id>} once the job is
 * submitted, and {@code DONE} at the end. Exit codes: 0 the job finished; 1 the job failed; 3 the output exists
 * but no completed checkpoint does, which happens when a run is killed after its job finished
 * (Flink discards the checkpoints of a finished job): starting afresh would append everything a
 * second time, so the child refuses and the test judges the output as complete.
 */
public final class StreamingCrashJob {
    public static final String FILE = "stream.h5";
    public static final String APPENDED = "/appended";
    public static final String COLUMNS = "/columns";
    public static final int CHANNELS = 64;
    public static final int COLUMN_COUNT = 16;
    public static final int APPEND_CHUNK_ROWS = 2048;
    public static final int COLUMN_CHUNK_ROWS = 4096;
    public static final int COLUMN_CHUNK_COLUMNS = 4;
    public static final short FILL = Short.MIN_VALUE;
    /** Rows per block, cycled: none divides or is divided by a chunk's rows. */
    public static final int[] BLOCK_ROWS = {300, 173, 411, 257, 389, 97};
    public static final int EXIT_OUTPUT_WITHOUT_CHECKPOINT = 3;

    private static final int CYCLE_ROWS;
    private static final int[] CYCLE_PREFIX = new int[BLOCK_ROWS.length + 1];
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    static {
        for (int i = 0; i < BLOCK_ROWS.length; i++) CYCLE_PREFIX[i + 1] = CYCLE_PREFIX[i] + BLOCK_ROWS[i];
        CYCLE_ROWS = CYCLE_PREFIX[BLOCK_ROWS.length];
    }

    private StreamingCrashJob() {}

    /**
     * The value of row {@code row}, column {@code column}: in [-32767, 32767] (never the fill value
     * -32768), different from row to row so that a lost or doubled row shifts every later row.
     * The test computes the same with numpy: {@code (i * 2654435761 + c * 40503 + (i >> 7) * 977) % 65535 - 32767}.
     */
    public static short value(long row, int column) {
        return (short) ((row * 2654435761L + column * 40503L + (row >> 7) * 977L) % 65535L - 32767L);
    }

    /** The first row of block {@code k}. */
    public static long blockStart(long k) {
        return (k / BLOCK_ROWS.length) * CYCLE_ROWS + CYCLE_PREFIX[(int) (k % BLOCK_ROWS.length)];
    }

    /** How many blocks make up {@code rows} rows (the last one cut short). */
    public static long blocks(long rows) {
        long k = rows / CYCLE_ROWS * BLOCK_ROWS.length;
        while (blockStart(k) < rows) k++;
        return k;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: StreamingCrashJob BASE ROWS PARALLELISM ROWS_PER_SECOND [CHECKPOINT_MS [PROFILE]]");
            System.exit(2);
        }
        Path base = Path.of(args[0]).toAbsolutePath();
        long rows = Long.parseLong(args[1]);
        int parallelism = Integer.parseInt(args[2]);
        double rowsPerSecond = Double.parseDouble(args[3]);
        long checkpointMillis = args.length > 4 ? Long.parseLong(args[4]) : 200;
        Profile profile = args.length > 5 ? Profile.valueOf(args[5]) : Profile.DEFAULT;
        Path checkpoints = base.resolve("checkpoints");
        Path out = base.resolve(FILE);

        Optional<Path> resume = newestCompleted(checkpoints);
        // The sink's writers create the output with their first chunk: a run killed before its
        // first checkpoint leaves it without any object, which is no finished run.
        if (resume.isEmpty() && Files.exists(out) && !isEmpty(out)) {
            System.out.println("OUTPUT WITHOUT CHECKPOINT: " + out + " exists and " + checkpoints
                    + " holds no completed checkpoint; a run finished before (Flink discards a finished job's checkpoints)");
            System.out.flush();
            System.exit(EXIT_OUTPUT_WITHOUT_CHECKPOINT);
        }
        System.out.println("START " + rows + " rows, parallelism " + parallelism + ", " + rowsPerSecond + " rows/s, "
                + resume.map(p -> "resuming from checkpoint " + base.relativize(p)).orElse("fresh"));
        System.out.flush();

        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        // CHECKPOINT_MS 0: no checkpoints (a run to be killed before any checkpoint names its writers' files).
        if (checkpointMillis > 0) conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointMillis));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        // kill -9 ends the JVM without a cancellation; retained checkpoints are what a resumed run restores.
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 3);
        // A failure ends the run (exit 1): only kills and resumes are under test here, not failovers.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        resume.ifPresent(p -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toUri().toString()));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        long blocks = blocks(rows);
        double blocksPerSecond = rowsPerSecond * BLOCK_ROWS.length / CYCLE_ROWS;
        DataStream<ArrayBlock> appended = env.fromSource(new RateLimitedSequence(blocks, blocksPerSecond),
                        WatermarkStrategy.noWatermarks(), "appended blocks").setParallelism(1).uid("appended-source")
                .flatMap(new AppendedRows(rows)).returns(ArrayBlockTypeInfo.INSTANCE).setParallelism(1).uid("appended-rows");
        DataStream<ArrayBlock> columns = env.fromSource(new RateLimitedSequence(blocks, blocksPerSecond),
                        WatermarkStrategy.noWatermarks(), "column blocks").uid("column-source")
                .flatMap(new ColumnPieces(rows)).returns(ArrayBlockTypeInfo.INSTANCE).uid("column-pieces");
        appended.union(columns)
                .sinkTo(Hdf5Sink.builder(base).defaultFile(FILE)
                        .declareAppended(APPENDED, appendedSpec())
                        .declare(COLUMNS, columnsSpec(rows))
                        .profile(profile)
                        .build())
                .name("hdf5").uid("hdf5-sink");
        JobClient job = env.executeAsync("streaming crash job");
        // The job's id names its checkpoint directory and, for writers without restored state, their staging files.
        System.out.println("JOB " + job.getJobID());
        System.out.flush();
        job.getJobExecutionResult().get();
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    public static DatasetSpec appendedSpec() {
        return DatasetSpec.builder(DataType.INT16, 0, CHANNELS).maxShape(DatasetSpec.UNLIMITED, CHANNELS)
                .chunks(APPEND_CHUNK_ROWS, CHANNELS).deflate(4).fillValue(FILL).build();
    }

    public static DatasetSpec columnsSpec(long rows) {
        return DatasetSpec.builder(DataType.INT16, rows, COLUMN_COUNT).chunks(COLUMN_CHUNK_ROWS, COLUMN_CHUNK_COLUMNS)
                .shuffle().deflate(4).fillValue(FILL).build();
    }

    /** Rows [from, to) of columns [0, columns), little-endian int16 in C order. */
    static byte[] rowsOf(long from, long to, int firstColumn, int columns) {
        ByteBuffer b = ByteBuffer.allocate((int) (to - from) * columns * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = from; r < to; r++) for (int c = firstColumn; c < firstColumn + columns; c++) b.putShort(value(r, c));
        return b.array();
    }

    /** Block k as one appended block of all channels. */
    static final class AppendedRows implements FlatMapFunction<Long, ArrayBlock> {
        private static final long serialVersionUID = 1L;
        private final long rows;

        AppendedRows(long rows) {
            this.rows = rows;
        }

        @Override
        public void flatMap(Long k, Collector<ArrayBlock> out) {
            long from = blockStart(k);
            long to = Math.min(rows, blockStart(k + 1));
            out.collect(ArrayBlock.append(APPENDED, DataType.INT16, new long[] {to - from, CHANNELS}, rowsOf(from, to, 0, CHANNELS)));
        }
    }

    /** Block k as {@value #COLUMN_COUNT} blocks of one column each, at explicit offsets. */
    static final class ColumnPieces implements FlatMapFunction<Long, ArrayBlock> {
        private static final long serialVersionUID = 1L;
        private final long rows;

        ColumnPieces(long rows) {
            this.rows = rows;
        }

        @Override
        public void flatMap(Long k, Collector<ArrayBlock> out) {
            long from = blockStart(k);
            long to = Math.min(rows, blockStart(k + 1));
            for (int c = 0; c < COLUMN_COUNT; c++) {
                out.collect(ArrayBlock.at(COLUMNS, DataType.INT16, new long[] {from, c}, new long[] {to - from, 1},
                        rowsOf(from, to, c, 1)));
            }
        }
    }

    /**
     * Block numbers [0, blocks) at a bounded rate: flink-core's {@link NumberSequenceSource} (one
     * split per subtask, each checkpointing the next number) read through a
     * {@link RateLimitedSourceReader} at {@code perSecond} numbers per second over all subtasks.
     */
    static final class RateLimitedSequence extends NumberSequenceSource {
        private static final long serialVersionUID = 1L;
        private final double perSecond;

        RateLimitedSequence(long blocks, double perSecond) {
            super(0, blocks - 1);
            this.perSecond = perSecond;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SourceReader<Long, NumberSequenceSplit> createReader(SourceReaderContext context) {
            return new RateLimitedSourceReader<>(super.createReader(context),
                    RateLimiterStrategy.perSecond(perSecond).createRateLimiter(context.currentParallelism()));
        }
    }

    /**
     * The newest checkpoint under {@code directory} ({@code <job id>/chk-N}) whose {@code _metadata}
     * exists and is not empty (Flink writes it last, when the checkpoint completes).
     */
    public static Optional<Path> newestCompleted(Path directory) {
        if (!Files.isDirectory(directory)) return Optional.empty();
        Path best = null;
        long bestId = -1;
        try (Stream<Path> jobs = Files.list(directory)) {
            for (Path job : (Iterable<Path>) jobs::iterator) {
                if (!Files.isDirectory(job)) continue;
                try (Stream<Path> chks = Files.list(job)) {
                    for (Path chk : (Iterable<Path>) chks::iterator) {
                        Matcher m = CHECKPOINT.matcher(chk.getFileName().toString());
                        Path metadata = chk.resolve("_metadata");
                        if (!m.matches() || !Files.isRegularFile(metadata) || Files.size(metadata) == 0) continue;
                        long id = Long.parseLong(m.group(1));
                        if (id > bestId) {
                            bestId = id;
                            best = chk;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + directory + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(best);
    }

    private static boolean isEmpty(Path file) {
        try (io.hdf5flink.hdf5.Hdf5File f = io.hdf5flink.hdf5.Hdf5File.openReadOnly(file)) {
            return f.root().memberNames().isEmpty();
        }
    }
}
