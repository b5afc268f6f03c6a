package io.hdf5flink.cli;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;

/** What every command that runs an {@code Hdf5Sink} job (convert, sql) sets up the same way. */
final class SinkJobs {
    private SinkJobs() {}

    /** The help of {@code --no-direct-io}, for every command that writes through the sink. */
    static final String NO_DIRECT_IO_HELP = "Write chunks through the page cache, not past it with direct I/O (the "
            + "default where the file system allows): for output read again at once on this machine that fits in "
            + "memory, which then comes from memory instead of disk.";

    /** Checkpoint storage and failure tolerance for jobs whose writers hold open chunks in their state. */
    static void configureCheckpoints(Configuration conf) {
        // The writers' state holds the chunks being assembled: more than in-memory checkpoints take.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        // A checkpoint that fails because a task failed must not fail the job first: the task's
        // own error is what the one-line report should say (and a slow checkpoint is no reason to
        // stop a long job).
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 3);
        // The writers' state can be hundreds of MB (every chunk waiting for many column files).
        // Flink 2.3.0 restores uncompressed operator state through CompressibleFSDataInputStream,
        // which overrides only read(): one system call per byte, 240 s to resume 250 MB.
        // Compressed, it is read through the decompressor's buffer.
        conf.set(ExecutionOptions.SNAPSHOT_COMPRESSION, true);
    }
}
