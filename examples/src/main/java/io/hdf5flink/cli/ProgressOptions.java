package io.hdf5flink.cli;

import picocli.CommandLine.Option;

/**
 * The options every job command shares: what it prints while it runs. {@code --verbose} is read
 * by {@link Main} before parsing too, to set up logging before Flink's classes load.
 */
final class ProgressOptions {
    @Option(names = "--no-progress", description = "No progress on stderr.")
    boolean noProgress;

    @Option(names = "--verbose", description = "Flink's log, and stack traces with errors.")
    boolean verbose;
}
