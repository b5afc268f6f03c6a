package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Profile;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.source.message.ArrayMessage;
import io.hdf5flink.source.message.ArrayMessageKafkaDeserializer;
import io.hdf5flink.source.message.ParseArrayMessages;
import io.hdf5flink.source.message.RejectedMessage;
import java.io.Closeable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Runs {@code acquire} as a Flink streaming job: a {@code KafkaSource} of undecoded
 * {@link ArrayMessage}s, {@link ParseArrayMessages} keyed by destination (bad messages fail the job
 * or go to a side output that is counted and listed on stderr), {@link PrepareBlocks} (progress
 * counts) and the sink into the output's directory, checkpointed every interval into the
 * checkpoint directory and retained, so that running the same command after a kill resumes.
 *
 * <p>With {@code --stop-after-idle}, the run stops with a savepoint once the topics' end offsets
 * have not moved for that long and the group's committed offsets have reached them ({@link ConsumerLag}):
 * with {@code drain}, the writers flush their partial chunks and the savepoint commits every row.
 * The savepoint is kept in the checkpoint directory as the point the next run of the same
 * command resumes from, offsets and file state together, so that a later acquisition into the
 * same output continues exactly after the rows written (Kafka's committed offsets alone could lag
 * the file by a failed commit).
 */
final class AcquireJob {
    /** Set by Ctrl-C: stop as when idle. */
    private static final java.util.concurrent.atomic.AtomicBoolean INTERRUPTED = new java.util.concurrent.atomic.AtomicBoolean();
    /** Messages set aside in this run (embedded Flink only). */
    static final AtomicLong REJECTED = new AtomicLong();
    /** How many set-aside messages are listed on stderr; the rest are counted. */
    private static final int LISTED = 20;
    private static final long POLL_MS = 500;

    private AcquireJob() {}

    /** What a stopped run prints. */
    record Result(String summaryLine) {}

    static Result run(AcquireCommand o, PrintWriter err, boolean showProgress) throws Exception {
        Path output = o.outputPath();
        String dataset = o.datasetPath();
        ChunkFilters filters = o.filters();
        DataType type = o.dataType();
        long rowsPerFile = o.rowsPerFileOrZero();
        Duration interval = ConvertCommand.checkpointInterval(o.checkpointInterval);
        Duration idle = o.idleLimit();
        boolean earliest = o.fromEarliest();
        int parallelism = o.parallelismOrDefault();
        Profile profile = FileFormat.profile(o.format); // a wrong --format is refused before anything is written
        if (Files.isDirectory(output)) throw new UsageException("--output " + output + " is a directory");
        CheckpointDirectory checkpoints = new CheckpointDirectory(o.checkpointDir != null
                ? o.checkpointDir.toAbsolutePath().normalize() : output.resolveSibling(output.getFileName() + ".checkpoints"), "acquire");
        checkpoints.requireUsable();
        String canonical = o.canonicalOptions();
        Properties previous = checkpoints.readPlan();
        CheckpointDirectory.Completed resumeFrom = checkpoints.latestCompleted().orElse(null);
        boolean samePlan = previous != null && canonical.equals(previous.getProperty("options"));
        if (resumeFrom != null && !samePlan) {
            throw new UsageException(checkpoints.path() + " holds the checkpoints of an acquisition"
                    + (previous == null ? "" : " with other options (" + previous.getProperty("options") + ")")
                    + ": run that command again to continue it, or delete " + checkpoints.path() + " to start over");
        }
        boolean rolled = rowsPerFile > 0;
        if (resumeFrom == null) {
            // Killed before its first checkpoint, this command left outputs with nothing committed.
            if (samePlan && !rolled && Files.exists(output) && ExistingOutput.isEmpty(output)) Files.delete(output);
            if (samePlan && rolled) RolledOutput.deleteUncommitted(output);
            if (Files.exists(output) || (rolled && RolledOutput.exists(output))) {
                throw new UsageException(output + " exists and " + checkpoints.path() + " holds no acquisition to continue: choose"
                        + " another --output (acquire continues only its own acquisitions)");
            }
        }
        try (ConsumerLag lag = new ConsumerLag(o.bootstrapServers, o.topics, o.groupIdOrDefault())) {
            try {
                lag.partitions();
            } catch (Exception e) {
                throw new UsageException("cannot read topics " + o.topics + " from " + o.bootstrapServers + ": "
                        + Failures.message(e));
            }
            Result result;
            try (Closeable runLock = checkpoints.lockForRun()) {
                Properties plan = new Properties();
                plan.setProperty("options", canonical);
                if (resumeFrom == null) {
                    // As in convert: nothing of runs killed before any checkpoint completed can be committed.
                    checkpoints.abandonItsJobs(output.getParent());
                    checkpoints.clearCheckpoints();
                }
                checkpoints.writePlan(plan);
                err.println(String.format(Locale.ROOT, "acquire %s from %s -> %s (default dataset %s), %s, parallelism %d%s%s",
                        String.join(",", o.topics), o.bootstrapServers, output, dataset, filters, parallelism,
                        rolled ? String.format(Locale.ROOT, ", rolled every %,d rows into %s, ...", rowsPerFile,
                                RolledFiles.dataFile(output.getFileName().toString(), 0)) : "",
                        resumeFrom != null ? ", continuing from checkpoint " + resumeFrom.id() : ""));
                err.flush();
                result = runLocked(o, checkpoints, resumeFrom, lag, err, showProgress, output, dataset, filters, type, rowsPerFile,
                        interval, idle, earliest, parallelism, profile);
            }
            return result;
        }
    }

    private static Result runLocked(AcquireCommand o, CheckpointDirectory checkpoints, CheckpointDirectory.Completed resumeFrom,
            ConsumerLag lag, PrintWriter err, boolean showProgress, Path output, String dataset, ChunkFilters filters, DataType type,
            long rowsPerFile, Duration interval, Duration idle, boolean earliest, int parallelism, Profile profile) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        SinkJobs.configureCheckpoints(conf);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.path().toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Every record type has its own serializer: never Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (resumeFrom != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resumeFrom.directory().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        boolean embedded = EmbeddedFlink.configure(env);

        KafkaSource<ArrayMessage> source = KafkaSource.<ArrayMessage>builder()
                .setBootstrapServers(o.bootstrapServers)
                .setTopics(o.topics)
                .setGroupId(o.groupIdOrDefault())
                .setStartingOffsets(earliest ? OffsetsInitializer.earliest() : OffsetsInitializer.latest())
                .setDeserializer(new ArrayMessageKafkaDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                // Array blocks are large messages (a 10 ms block of 384 channels is 230 KB, a frame
                // 512 KB): fetch many per request, not Kafka's default of 1 MB per partition.
                .setProperty("max.partition.fetch.bytes", String.valueOf(16 << 20))
                .setProperty("fetch.max.bytes", String.valueOf(64 << 20))
                .setProperty("receive.buffer.bytes", String.valueOf(4 << 20))
                // Partitions added to a topic while acquiring are read too.
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
        ParseArrayMessages parse = new ParseArrayMessages(dataset).appendOnly();
        if (o.badMessages == AcquireCommand.BadMessages.set_aside) parse.setAside();
        if (type != null) parse.declare(null, dataset, type, null);
        // A continued acquisition: its datasets keep their row types (a rolled one's is --dtype's,
        // the row shape checked by the sink against its data files).
        if (rowsPerFile == 0) ExistingOutput.datasets(output).forEach((path, row) -> parse.declare(null, path, row.type(), row.rowShape()));
        if (rowsPerFile > 0) parse.onlyDeclared();
        SingleOutputStreamOperator<ArrayBlock> blocks = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "kafka " + String.join(",", o.topics))
                .map(new TrackPositions()).returns(ArrayMessage.class).name("track positions")
                .keyBy(ParseArrayMessages.byDestination(dataset))
                .process(parse, ArrayBlockTypeInfo.INSTANCE).name("decode .npy messages");
        blocks.getSideOutput(ParseArrayMessages.REJECTED).flatMap(new ListRejected()).name("list set-aside messages").printToErr()
                .name("stderr");
        DataStream<ArrayBlock> counted = blocks.flatMap(new PrepareBlocks()).returns(ArrayBlockTypeInfo.INSTANCE).name("count");
        long chunkBytes = o.chunkBytesValue();
        Hdf5Sink.Builder sink = Hdf5Sink.builder(output.getParent()).defaultFile(output.getFileName().toString())
                .defaultCompression(filters).targetChunkBytes(chunkBytes).profile(profile).directIo(!o.noDirectIo);
        if (rowsPerFile > 0) {
            // The row shape comes from the first message; the chunk rows are chosen then, to divide the rows per file.
            DatasetSpec spec = filters.applyTo(DatasetSpec.builder(type, 0).maxShape(DatasetSpec.UNLIMITED)
                    .chunks(ChunkShapeRule.chunksFor(type, new long[0], chunkBytes))).build();
            sink.declare(new DatasetDeclaration(null, dataset, spec, true).rowShapeFromFirstBlock(0).rollEvery(rowsPerFile));
        }
        counted.sinkTo(sink.build()).name("write " + output.getFileName());

        Progress.reset();
        REJECTED.set(0);
        INTERRUPTED.set(false);
        stopOnCtrlC(err);
        ConsumerLag.READ.clear();
        long started = System.nanoTime();
        JobClient job = env.executeAsync("flink-hdf5 acquire " + output.getFileName());
        Ended ended;
        try (Progress ignored = embedded && showProgress ? Progress.start(err, Progress.BYTES::get, Progress.ROWS::get,
                () -> extra(lag)) : null) {
            ended = waitForIdleOrEnd(job, lag, idle, checkpoints, started, embedded);
        } catch (Exception e) {
            throw new RuntimeException(Failures.message(e) + " (checkpoints are kept in " + checkpoints.path()
                    + ": run the same command again to resume)", e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // The rate while messages came: from the job's submission to the last row handed to the writers.
        double writing = Math.max(1e-3, (ended.lastRowsAt() - started) / 1e9);
        long bytes = Progress.BYTES.get() - Progress.RESTORED.get();
        List<String> shapes = new ArrayList<>();
        if (rowsPerFile > 0 && RolledOutput.exists(output)) {
            shapes.add(String.format(Locale.ROOT, "%s %,d rows in %d data files", dataset, RolledOutput.rows(output, dataset, rowsPerFile),
                    RolledOutput.dataFiles(output).size()));
        } else {
            try {
                ExistingOutput.datasets(output).forEach((path, row) -> shapes.add(path + " " + OutputSummary.tuple(row.shape())));
            } catch (RuntimeException unreadable) {
                // Everything is committed: a file jhdf cannot list (one that h5py added to) must not fail the run.
                shapes.add("datasets not listed (" + Failures.message(unreadable) + ")");
            }
        }
        // Under flink run the job counts on the cluster (its metrics), not here.
        String counts = embedded ? String.format(Locale.ROOT, "acquired %,d rows (%.1f MB raw) in %.1f s (read at %.1f MB/s)%s",
                Progress.ROWS.get(), bytes / 1e6, seconds, bytes / 1e6 / writing,
                REJECTED.get() > 0 ? ", " + REJECTED.get() + " bad messages set aside" : "")
                : String.format(Locale.ROOT, "acquired on the cluster in %.1f s", seconds);
        String line = String.format(Locale.ROOT, "%s; %s holds %s (%.1f MB)%s. Run the same command to continue this acquisition.",
                counts, output,
                shapes.isEmpty() ? "no dataset yet" : String.join(", ", shapes), Files.exists(output) ? Files.size(output) / 1e6 : 0.0,
                ended.how());
        return new Result(line);
    }

    /** Lag and set-aside count, after the progress numbers. */
    private static String extra(ConsumerLag lag) {
        ConsumerLag.Snapshot s = lag.snapshot();
        String l = s == null ? ", lag ?" : String.format(Locale.ROOT, ", lag %,d messages", s.lag());
        return l + (REJECTED.get() > 0 ? ", " + REJECTED.get() + " set aside" : "");
    }

    /** How a run ended, for the summary, and when the writers were last handed rows ({@link System#nanoTime}). */
    private record Ended(String how, long lastRowsAt) {}

    /**
     * Waits for the job; with an idle limit, stops it with a drained savepoint once for that long
     * the topics' end offsets have not moved and no row reached the writers (the group's committed
     * offsets are not waited for: Flink commits them to Kafka after checkpoints, best effort, and
     * they were seen to trail by seconds), and keeps that savepoint as the point the next run
     * resumes from. The drain commits every row read. Under {@code flink run} this process counts
     * no rows, so there the committed offsets must also have reached the end.
     */
    private static Ended waitForIdleOrEnd(JobClient job, ConsumerLag lag, Duration idle, CheckpointDirectory checkpoints,
            long started, boolean embedded) throws Exception {
        CompletableFuture<?> result = job.getJobExecutionResult();
        long lastEnd = -1;
        long idleSince = System.nanoTime();
        long bytes = 0;
        long lastRowsAt = started;
        while (true) {
            try {
                result.get(POLL_MS, TimeUnit.MILLISECONDS);
                return new Ended("", lastRowsAt);
            } catch (TimeoutException running) {
                // still acquiring
            }
            if (Progress.BYTES.get() != bytes) {
                bytes = Progress.BYTES.get();
                lastRowsAt = System.nanoTime();
                idleSince = lastRowsAt;
            }
            if (INTERRUPTED.get()) return stop(job, result, checkpoints, "; stopped by Ctrl-C (SIGINT)", lastRowsAt);
            if (idle == null) continue;
            ConsumerLag.Snapshot s = lag.snapshot();
            if (s == null || s.endOffsets() != lastEnd || (!embedded && s.lag() > 0)) {
                if (s == null || s.endOffsets() != lastEnd) idleSince = System.nanoTime();
                if (s != null) lastEnd = s.endOffsets();
                continue;
            }
            if (System.nanoTime() - idleSince < idle.toNanos()) continue;
            return stop(job, result, checkpoints,
                    String.format(Locale.ROOT, "; stopped after %s without messages", Progress.duration(idle.toMillis() / 1e3)), lastRowsAt);
        }
    }

    /**
     * Stops the job with a drained savepoint (every row read is committed) and keeps the savepoint
     * as the point the same command continues from.
     */
    private static Ended stop(JobClient job, CompletableFuture<?> result, CheckpointDirectory checkpoints, String how, long lastRowsAt)
            throws Exception {
        Path savepoints = checkpoints.path().resolve("savepoints");
        String savepoint = job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
        result.get();
        checkpoints.keepAsResumePoint(Path.of(java.net.URI.create(savepoint)), job.getJobID().toString());
        return new Ended(how, lastRowsAt);
    }

    /**
     * Ctrl-C (SIGINT) asks the run to stop as when idle: a drained savepoint commits every row read
     * and the same command continues later. A second Ctrl-C ends the process at once, as a kill
     * does (the next run resumes from the last checkpoint). SIGTERM and SIGKILL are left to the JVM.
     */
    private static void stopOnCtrlC(PrintWriter err) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
                if (INTERRUPTED.getAndSet(true)) Runtime.getRuntime().halt(130);
                err.println("acquire: stopping: committing every row read (Ctrl-C again to quit at once; the next run then resumes"
                        + " from the last checkpoint)");
                err.flush();
            });
        } catch (IllegalArgumentException noSuchSignal) {
            // No SIGINT here (not a POSIX system): Ctrl-C ends the process; the next run resumes.
        }
    }

    /** Records the position after each message read, for the lag progress shows ({@link ConsumerLag#READ}). */
    private static final class TrackPositions implements MapFunction<ArrayMessage, ArrayMessage> {
        private static final long serialVersionUID = 1L;

        @Override
        public ArrayMessage map(ArrayMessage m) {
            ConsumerLag.READ.merge(m.topic + "/" + m.partition, m.offset + 1, Math::max);
            return m;
        }
    }

    /** Counts a set-aside message and says which it was (the first {@link #LISTED}). */
    private static final class ListRejected implements FlatMapFunction<RejectedMessage, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(RejectedMessage m, Collector<String> out) {
            long n = REJECTED.incrementAndGet();
            if (n <= LISTED) out.collect("acquire: " + m);
            else if (n == LISTED + 1) out.collect("acquire: more bad messages set aside; counting them");
        }
    }
}
