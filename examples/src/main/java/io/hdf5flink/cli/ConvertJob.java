package io.hdf5flink.cli;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.RolledMaster;
import java.io.Closeable;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs a {@link ConvertPlan} as a Flink job: the source, {@link PrepareBlocks} (progress count,
 * append shift), the sink into the output's directory. Checkpoints go to the plan's checkpoint
 * directory and are retained when the job does not finish, so that the same command resumes; a
 * job that finishes deletes them.
 */
final class ConvertJob {
    private ConvertJob() {}

    /** What a finished run prints. */
    record Result(OutputSummary output, long rows, long rawBytes, double seconds, String summaryLine) {}

    static Result run(ConvertPlan plan, PrintWriter err, boolean showProgress) throws Exception {
        Result result;
        try (Closeable runLock = plan.checkpoints.lockForRun()) {
            try {
                plan.recheckOutput();
            } catch (UsageException e) {
                plan.checkpoints.delete(); // what lockForRun made: this run wrote nothing else
                throw e;
            }
            result = runLocked(plan, err, showProgress);
        }
        // Last: until the checkpoints are gone, a kill leaves a run that resumes (to nothing left to do).
        plan.checkpoints.delete();
        return result;
    }

    private static Result runLocked(ConvertPlan plan, PrintWriter err, boolean showProgress) throws Exception {
        err.println(String.format(Locale.ROOT, "convert %s -> %s:%s, chunks %s (%s), %s, parallelism %d%s%s",
                plan.inputDescription, plan.output, plan.dataset, OutputSummary.tuple(plan.spec.chunks()), plan.chunkChoice,
                plan.codecName(), plan.parallelism, plan.appending ? ", appending after row " + plan.baseRows : "",
                plan.resumeFrom != null ? ", resuming from checkpoint " + plan.resumeFrom.id() : "")
                + (plan.rolled() ? String.format(Locale.ROOT, ", rolled every %,d rows into %s, ... (master: %s)", plan.rowsPerFile,
                        RolledFiles.dataFile(plan.output.getFileName().toString(), 0),
                        plan.master == RolledMaster.VIRTUAL_DATASET ? "virtual dataset" : "external links") : ""));
        for (String warning : plan.warnings) err.println("warning: " + warning);
        err.flush();
        if (plan.resumeFrom == null) {
            // Runs killed before any checkpoint completed: nothing of theirs can ever be committed,
            // so the space their writers claimed goes back before their job ids are forgotten.
            plan.checkpoints.abandonItsJobs(plan.output.getParent());
            plan.checkpoints.clearCheckpoints();
        }
        plan.checkpoints.writePlan(plan.planFile);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration(plan));
        // Embedded, a failure ends the run, and running the command again resumes from the last checkpoint.
        boolean embedded = EmbeddedFlink.configure(env);
        if (embedded) EmbeddedFlink.sizeNetworkMemoryToTheJob(env);
        DataStream<ArrayBlock> blocks = env.fromSource(plan.source, WatermarkStrategy.noWatermarks(), "read input")
                .flatMap(new PrepareBlocks(plan.baseRows))
                .returns(ArrayBlockTypeInfo.INSTANCE)
                .name(plan.baseRows == 0 ? "count" : "count, shift by " + plan.baseRows + " rows");
        DatasetDeclaration declaration = new DatasetDeclaration(null, plan.dataset, plan.spec, false, true);
        if (plan.rolled()) declaration = declaration.rollEvery(plan.rowsPerFile, plan.master);
        blocks.sinkTo(Hdf5Sink.builder(plan.output.getParent())
                        .defaultFile(plan.output.getFileName().toString())
                        .declare(declaration)
                        .chunkAlignedInput(plan.chunkAligned)
                        .profile(plan.profile)
                        .directIo(plan.directIo)
                        .build())
                .name("write " + plan.output.getFileName());

        Progress.reset();
        long started = System.nanoTime();
        try {
            JobClient job = env.executeAsync("flink-hdf5 convert " + plan.output.getFileName());
            try (Progress ignored = embedded && showProgress ? Progress.start(err, plan.inputBytes(), plan.rowBytes()) : null) {
                job.getJobExecutionResult().get();
            }
        } catch (Exception e) {
            throw new RuntimeException(Failures.message(e) + " (checkpoints are kept in " + plan.checkpoints.path()
                    + ": run the same command again to resume)", e);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        checkEveryRowShows(plan);
        long thisRun = embedded ? plan.inputBytes() - Progress.RESTORED.get() : plan.inputBytes();
        if (!plan.rolled()) recordInput(plan); // a rolled recording is never appended to: nothing to guard
        OutputSummary out = plan.rolled() ? RolledOutput.summary(plan.output, plan.dataset, plan.inputRows())
                : OutputSummary.read(plan.output, plan.dataset);
        plan.checkpoints.deleteStagingFilesOfItsJobs(plan.output.getParent());
        String line = String.format(Locale.ROOT,
                "converted %,d rows: raw %.1f MB, file %.1f MB, ratio %.2f, %.1f MB/s (%.1f s), chunks %s, codec %s -> %s:%s %s",
                plan.inputRows(), plan.inputBytes() / 1e6, out.fileBytes() / 1e6, out.ratio(), thisRun / 1e6 / seconds,
                seconds, OutputSummary.tuple(out.chunks()), OutputSummary.filterNames(out.filters()), plan.output,
                plan.dataset, OutputSummary.tuple(out.shape()));
        return new Result(out, plan.inputRows(), plan.inputBytes(), seconds, line);
    }

    /**
     * The dataset shows only its prefix of complete rows; once the job has ended that must be
     * every row. Anything less is a defect of the sink, reported rather than a short file passed
     * off as converted.
     */
    private static void checkEveryRowShows(ConvertPlan plan) {
        long expected = plan.baseRows + plan.inputRows();
        long shown;
        if (plan.rolled()) {
            shown = RolledOutput.rows(plan.output, plan.dataset, plan.rowsPerFile);
            long master = plan.master == RolledMaster.VIRTUAL_DATASET ? RolledOutput.masterRows(plan.output, plan.dataset) : shown;
            if (master != shown) {
                throw new IllegalStateException(plan.output + ":" + plan.dataset + " (the master) shows " + master + " rows after the job,"
                        + " its data files hold " + shown + " (checkpoints are kept in " + plan.checkpoints.path() + ")");
            }
        } else {
            shown = OutputSummary.read(plan.output, plan.dataset).shape()[0];
        }
        if (shown != expected) {
            throw new IllegalStateException(plan.output + ":" + plan.dataset + " shows " + shown + " rows after the job, "
                    + expected + " were expected: the rows from " + shown + " on are not all committed (checkpoints are kept in "
                    + plan.checkpoints.path() + ")");
        }
    }

    /**
     * Records in the dataset which input it now holds, before the checkpoints go: a run killed
     * after this and before their deletion resumes to nothing new and records it again; the same
     * {@code --append} run again afterwards is refused instead of doubling the rows.
     */
    private static void recordInput(ConvertPlan plan) {
        try (Hdf5File file = Hdf5File.openForAppend(plan.output)) {
            AppendClaim.release(file.dataset(plan.dataset), plan.checkpoints.path());
            file.dataset(plan.dataset).setAttribute(plan.inputAttribute, AttributeValue.of("rows " + plan.baseRows + " to "
                    + (plan.baseRows + plan.inputRows()) + " from " + plan.inputDescription + ", written by flink-hdf5 convert"));
            // In the same commit: a run killed before it sets them again when resumed.
            plan.groupAttributes.forEach((group, attributes) -> attributes.forEach(file.group(group)::setAttribute));
            file.commit();
        }
    }

    /** The checkpoint interval once the whole input is read. */
    private static final Duration AFTER_INPUT = Duration.ofMillis(100);

    private static Configuration configuration(ConvertPlan plan) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, plan.parallelism);
        // The source reports its reading as backlog: checkpoints come at the chosen interval while
        // the input is read and every AFTER_INPUT once all of it is, so that the final checkpoint,
        // which Flink triggers at the end of the data but a task still closing may decline, is
        // retried at once rather than a whole interval later.
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL_DURING_BACKLOG, plan.checkpointInterval);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL,
                plan.checkpointInterval.compareTo(AFTER_INPUT) < 0 ? plan.checkpointInterval : AFTER_INPUT);
        SinkJobs.configureCheckpoints(conf);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, plan.checkpoints.path().toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (plan.resumeFrom != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, plan.resumeFrom.directory().toUri().toString());
        return conf;
    }
}
