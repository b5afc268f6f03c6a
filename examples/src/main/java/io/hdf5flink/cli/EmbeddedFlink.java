package io.hdf5flink.cli;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ResourceManagerOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded Flink that {@code java -jar} runs every command's job on (under {@code flink run}
 * the cluster's settings apply and none of this does): one process that starts a cluster for its
 * job and exits when the job is done.
 */
final class EmbeddedFlink {
    private EmbeddedFlink() {}

    /**
     * Configures {@code env} when it is the embedded cluster; returns whether it is.
     * <ul>
     *   <li>No restarts: the cluster is this process, so a failure ends the run (exit 1), and the
     *       same command run again resumes from the last checkpoint.
     *   <li>No delay before the slots are requested: the resource manager otherwise waits 50 ms for
     *       more requirements to batch, about a tenth of a second of a two-chunk conversion.
     *   <li>Flink's scratch files (its working directory, blob storage, the web upload directory)
     *       in the process's {@link ScratchDirectory}, deleted when it exits: Flink deletes them
     *       when the cluster closes, which the command does not wait for, so every run left a
     *       {@code minicluster_*} directory in {@code /tmp}.
     * </ul>
     */
    static boolean configure(StreamExecutionEnvironment env) {
        if (!(env instanceof LocalStreamEnvironment)) return false;
        Configuration embedded = new Configuration();
        embedded.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        embedded.set(ResourceManagerOptions.REQUIREMENTS_CHECK_DELAY, Duration.ZERO);
        String dir = ScratchDirectory.ofThisProcess().toString();
        embedded.set(CoreOptions.TMP_DIRS, dir);
        embedded.set(WebOptions.TMP_DIR, dir);
        env.configure(embedded);
        return true;
    }

    /**
     * Gives the embedded cluster of {@code env} (configured by {@link #configure}) the network
     * memory its job needs ({@link #networkMemory}) instead of Flink's 64 MB for every local
     * cluster: the task manager allocates and zeroes all of it when it starts, which took 0.18 s of
     * a two-chunk conversion's 1.9 s on 2 cores. Used by {@code convert} only. With it,
     * {@code acquire} started slowly in AcquireInteropTest's class runs: its stop on Ctrl-C after
     * 6 s once found tasks not yet running ("Not all required tasks are currently running") and
     * once 0 rows read, and the kill test's six kills 3-6 s after each start all found no output
     * yet (with 64 MB, every run passes and the kills find growing prefixes). Run alone, the
     * Ctrl-C test passed with it. Why it starts slowly is not isolated; a command that runs for
     * minutes or days gains nothing from 0.18 s at its start, so {@code acquire}, {@code demo} and
     * {@code sql} keep Flink's 64 MB.
     */
    static void sizeNetworkMemoryToTheJob(StreamExecutionEnvironment env) {
        Configuration network = new Configuration();
        MemorySize size = networkMemory(Math.max(env.getParallelism(), Runtime.getRuntime().availableProcessors()));
        network.set(TaskManagerOptions.NETWORK_MEMORY_MIN, size);
        network.set(TaskManagerOptions.NETWORK_MEMORY_MAX, size);
        env.configure(network);
    }

    /** Flink's network memory for a local cluster, the most it gives one when none is set. */
    private static final MemorySize LOCAL_DEFAULT_NETWORK = MemorySize.parse("64m");

    /**
     * The network memory of an embedded cluster running jobs of up to {@code parallelism} subtasks
     * per operator: three all-to-all exchanges at Flink's full buffer target, at least 8 MB and at
     * most Flink's own local default. Flink's target per exchange is {@code 2p + 8} buffers for each
     * of the {@code p} input gates (two per channel and eight floating) and {@code p + 1} for each of
     * the {@code p} result partitions; what it requires before a task fails is less ({@code
     * EmbeddedFlinkTest}'s three exchanges and a collect also ran in a third of this, at parallelism
     * 4 and 8, and failed only in 256 KB). The commands' jobs have one or two
     * exchanges (writers to committers; a re-keying in some), so the third is headroom.
     * Parallelism 4 and below get the 8 MB floor (256 buffers of 32 KB); from 14 on, Flink's 64 MB
     * as before.
     */
    static MemorySize networkMemory(int parallelism) {
        long p = Math.max(1, parallelism);
        long buffers = 3 * (p * (2 * p + 8) + p * (p + 1));
        long bytes = buffers * 32 * 1024;
        long floor = MemorySize.parse("8m").getBytes();
        return new MemorySize(Math.min(LOCAL_DEFAULT_NETWORK.getBytes(), Math.max(floor, bytes)));
    }
}
