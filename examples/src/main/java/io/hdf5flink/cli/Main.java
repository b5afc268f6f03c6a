package io.hdf5flink.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The main job: {@code flink-hdf5 demo}, {@code convert}, {@code acquire} and {@code sql}, on an embedded Flink when
 * started with {@code java -jar}, or on a cluster with {@code flink run}.
 *
 * <p>Exit codes: 0 success; 2 the command cannot run as given (unknown or malformed options, a
 * missing or malformed input, an output that exists, an append that does not fit), found before
 * anything is written; 1 failure while running. Errors are one line on stderr; {@code --verbose}
 * adds the stack trace and Flink's log.
 */
@Command(name = "flink-hdf5", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, ConvertCommand.class, AcquireCommand.class, SqlCommand.class, CommandLine.HelpCommand.class},
        description = {"Streams numeric arrays into resizable, chunked, compressed HDF5 datasets with Apache Flink, "
                + "exactly once.", "",
                "Runs on an embedded Flink with `java -jar`, or on a cluster with `flink run`."},
        footer = {"", "Exit codes: 0 success, 2 usage error (nothing written), 1 failure.",
                "Run `flink-hdf5 COMMAND --help` for a command's options."})
public final class Main implements Runnable {
    /** Exit code of a failure while running. */
    public static final int FAILED = 1;
    /** Exit code of a command that cannot run as given; nothing was written. */
    public static final int USAGE = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: demo, convert, acquire or sql");
    }

    public static void main(String[] args) {
        // Before a codec extracts its native library: GKL's and snappy's then go into the process's
        // own directory, which a later run deletes if this one is killed. (The JDK's temporary
        // files keep the directory named at JVM start: it reads the property once.)
        System.setProperty("java.io.tmpdir", ScratchDirectory.ofThisProcess().toString());
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; returns the exit code (what {@link #main} exits with). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        configureLogging(verbose);
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine where = e.getCommandLine();
            String command = where.getCommandSpec().qualifiedName();
            // picocli reports missing required options before unknown ones; the unknown one is the mistake.
            String message = where.getUnmatchedArguments().isEmpty() || e instanceof CommandLine.UnmatchedArgumentException
                    ? e.getMessage() : "Unknown option or argument: " + String.join(" ", where.getUnmatchedArguments());
            err.println(command + ": " + oneLine(message) + " (see '" + command + " --help')");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String command = commandLine.getCommandSpec().qualifiedName();
            if (verbose) e.printStackTrace(err);
            if (e instanceof UsageException) {
                err.println(command + ": " + oneLine(e.getMessage()));
                return USAGE;
            }
            err.println(command + ": " + oneLine(Failures.message(e)));
            return FAILED;
        });
        return cli.execute(args);
    }

    private static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Flink logs through SLF4J; the jar binds it to slf4j-simple, quiet unless {@code --verbose}, so
     * that the command's own output (progress, summary, one-line errors) is what users see.
     * Takes effect only if nothing has logged yet in this JVM.
     */
    private static void configureLogging(boolean verbose) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "off");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"flink-hdf5 " + (v == null ? "(development build)" : v) + " on Flink 2.3"};
        }
    }
}
