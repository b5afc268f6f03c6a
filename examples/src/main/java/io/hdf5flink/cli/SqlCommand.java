package io.hdf5flink.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-hdf5 sql}: runs a SQL script (DDL, {@code INSERT}, {@code SELECT}) on the embedded
 * Flink, with the {@code hdf5} table connector, checkpoints, progress and one-line errors.
 */
@Command(name = "sql", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Runs a SQL script on the embedded Flink: CREATE TABLE ... WITH ('connector' = 'hdf5', ...), "
                + "INSERT INTO ... (each runs to its end before the next statement, checkpointed, exactly once), SELECT "
                + "(its rows printed as a table). Statements end with ';'. SET 'key' = 'value' statements before the "
                + "first other statement configure Flink, e.g. SET 'execution.runtime-mode' = 'batch'.",
                "", "A failed statement ends the script (exit 1) with one line naming it; rows committed before stay."})
public final class SqlCommand implements Callable<Integer> {
    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'");

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The SQL script.")
    Path file;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Default parallelism (default: the number of cores).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "1s", paramLabel = "DURATION",
            description = "How often streaming INSERTs commit (default: ${DEFAULT-VALUE}).")
    String checkpointInterval;

    @CommandLine.Mixin ProgressOptions printing = new ProgressOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String script;
        try {
            script = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("--file " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("--file " + file + ": " + e.getMessage());
        }
        List<SqlScript.Statement> statements = SqlScript.split(script);
        if (statements.isEmpty()) throw new UsageException("--file " + file + " holds no statement");
        if (parallelism != null && parallelism < 1) throw new UsageException("--parallelism must be at least 1");
        Duration interval = ConvertCommand.checkpointInterval(checkpointInterval);

        Configuration conf = configuration(interval);
        int first = 0;
        for (; first < statements.size(); first++) {
            Matcher set = SET.matcher(statements.get(first).code());
            if (!set.matches()) break;
            conf.setString(set.group(1), set.group(2).replace("''", "'"));
        }
        // Checkpoints go where a leading SET 'execution.checkpointing.dir' says (a shared directory
        // for a cluster of several machines), else to a temporary directory deleted at the end.
        Path checkpoints = null;
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            checkpoints = Files.createTempDirectory("flink-hdf5-sql-checkpoints");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        }
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            // Embedded, a failure ends the statement, and the script.
            boolean embedded = EmbeddedFlink.configure(env);
            boolean batch = conf.get(ExecutionOptions.RUNTIME_MODE) == org.apache.flink.api.common.RuntimeExecutionMode.BATCH;
            EnvironmentSettings settings = (batch ? EnvironmentSettings.newInstance().inBatchMode()
                    : EnvironmentSettings.newInstance().inStreamingMode()).withConfiguration(conf).build();
            StreamTableEnvironment tables = StreamTableEnvironment.create(env, settings);
            for (int i = first; i < statements.size(); i++) {
                SqlScript.Statement s = statements.get(i);
                try {
                    run(tables, s, embedded, out, err);
                } catch (Exception e) {
                    throw new StatementFailure("statement " + (i + 1) + " (line " + s.line() + ", " + s.summary() + "): "
                            + Failures.message(e), e);
                }
            }
        } finally {
            if (checkpoints != null) DirectoryTrees.delete(checkpoints);
        }
        return 0;
    }

    private void run(StreamTableEnvironment tables, SqlScript.Statement s, boolean embedded, PrintWriter out, PrintWriter err)
            throws Exception {
        Matcher set = SET.matcher(s.code());
        if (set.matches()) {
            // Later SETs change table options; the runtime mode and the cluster are fixed by then.
            if (set.group(1).equals(ExecutionOptions.RUNTIME_MODE.key())) {
                throw new UsageException("SET '" + set.group(1) + "' must come before every other statement");
            }
            tables.getConfig().getConfiguration().setString(set.group(1), set.group(2).replace("''", "'"));
            return;
        }
        TableProgressReporter.reset();
        long started = System.nanoTime();
        TableResult result = tables.executeSql(s.text());
        if (result.getJobClient().isEmpty()) {
            // DDL, SET, SHOW, EXPLAIN: SHOW and EXPLAIN have something to print.
            if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) printTable(result, out);
            return;
        }
        if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT && !isInsert(s)) {
            printTable(result, out);
            return;
        }
        try (Progress ignored = embedded && !printing.noProgress
                ? Progress.start(err, TableProgressReporter::bytes, TableProgressReporter::rows) : null) {
            result.await();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long rows = TableProgressReporter.rows();
        // The time includes planning and starting the job (seconds for the planner's first query).
        // Rows are counted on the embedded cluster only (under flink run: the job's metrics).
        if (embedded) err.printf(Locale.ROOT, "sql: %s: %,d rows in %s%n", s.summary(), rows, Progress.duration(seconds));
        else err.printf(Locale.ROOT, "sql: %s: finished in %s%n", s.summary(), Progress.duration(seconds));
        err.flush();
    }

    private static boolean isInsert(SqlScript.Statement s) {
        String t = s.code().toUpperCase(Locale.ROOT);
        return t.startsWith("INSERT") || t.startsWith("EXECUTE");
    }

    private static void printTable(TableResult result, PrintWriter out) throws Exception {
        ResultTable.print(result.getResolvedSchema().getColumnNames(), result.collect(), out);
    }

    private Configuration configuration(Duration interval) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM,
                parallelism != null ? parallelism : Runtime.getRuntime().availableProcessors());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        SinkJobs.configureCheckpoints(conf);
        // Chained operators hand rows on without copying them (a copy per row and operator was a
        // fifth of an INSERT's CPU). The table runtime's operators and this connector's keep no
        // reference to a row they have passed on.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.setString("metrics.reporter.progress.factory.class", TableProgressReporter.Factory.class.getName());
        return conf;
    }

    /** A statement failed: the message names it; the cause says why. */
    static final class StatementFailure extends Exception {
        StatementFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
