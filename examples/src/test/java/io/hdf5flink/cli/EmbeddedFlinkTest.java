package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded cluster's network memory: small where the job is small (it is allocated and zeroed
 * at every start), and still enough for the exchanges the commands' jobs have, run here on a real
 * local cluster.
 */
class EmbeddedFlinkTest {
    @Test
    void networkMemoryIsTheFloorForSmallJobsAndFlinksLocalDefaultForLargeOnes() {
        for (int p = 1; p <= 4; p++) assertEquals(MemorySize.parse("8m"), EmbeddedFlink.networkMemory(p), "parallelism " + p);
        // 3 * (8 * 24 + 8 * 9) = 792 buffers of 32 KB.
        assertEquals(new MemorySize(792L * 32 * 1024), EmbeddedFlink.networkMemory(8));
        assertEquals(MemorySize.parse("64m"), EmbeddedFlink.networkMemory(14));
        assertEquals(MemorySize.parse("64m"), EmbeddedFlink.networkMemory(128));
    }

    /**
     * Three all-to-all exchanges in a streaming job (the most a command's job has, with a third as
     * headroom) get their buffers at the parallelism given: Flink fails a task whose required
     * buffers it cannot give ("Insufficient number of network buffers") instead of waiting.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void threeAllToAllExchangesRunInTheNetworkMemoryGiven(int parallelism) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.STREAMING);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        assertEquals(true, EmbeddedFlink.configure(env));
        EmbeddedFlink.sizeNetworkMemoryToTheJob(env);
        long n = 10_000;
        List<Long> out = new ArrayList<>();
        try (CloseableIterator<Long> it = env.fromSequence(1, n)
                .keyBy(v -> v % 97).map(v -> v + 1)
                .keyBy(v -> v % 89).map(v -> v - 1)
                .rebalance().map(v -> v)
                .executeAndCollect("three exchanges at parallelism " + parallelism)) {
            it.forEachRemaining(out::add);
        }
        assertEquals(n, out.size());
        assertEquals(n * (n + 1) / 2, out.stream().mapToLong(Long::longValue).sum());
    }
}
