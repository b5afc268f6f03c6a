package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's metrics (group {@code hdf5} of the writer and committer operators) after a job on a
 * MiniCluster, read through Flink's {@link InMemoryReporter} registered in the cluster's
 * configuration: they exist on every subtask and add up to what the job wrote.
 */
class SinkMetricsTest {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir Path dir;

    private static final int BLOCKS = 50;
    private static final int ROWS_PER_BLOCK = 100;
    private static final int COLUMNS = 8;
    private static final int CHANNEL_ROWS = 1000;
    private static final int CHANNELS = 16;

    /** The values of every metric named {@code hdf5.<name>} of the job, one per subtask. */
    private static List<Metric> metrics(JobID job, String name) {
        List<Metric> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> e : REPORTER.getMetricsByGroup().entrySet()) {
            MetricGroup g = e.getKey();
            String[] scope = g.getScopeComponents();
            if (scope.length == 0 || !scope[scope.length - 1].equals("hdf5")) continue;
            if (!job.toString().equals(g.getAllVariables().get(ScopeFormat.SCOPE_JOB_ID))) continue;
            seen.addAll(e.getValue().keySet());
            Metric m = e.getValue().get(name);
            if (m != null) out.add(m);
        }
        assertFalse(out.isEmpty(), "no metric hdf5." + name + " among " + seen);
        return out;
    }

    private static long sum(JobID job, String counter) {
        long total = 0;
        for (Metric m : metrics(job, counter)) total += ((Counter) m).getCount();
        return total;
    }

    private static List<Number> gauges(JobID job, String gauge) {
        List<Number> values = new ArrayList<>();
        for (Metric m : metrics(job, gauge)) values.add((Number) ((Gauge<?>) m).getValue());
        return values;
    }

    @Test
    void metricsAddUpToWhatTheJobWrote() throws Exception {
        StreamExecutionEnvironment env = SinkTestJobs.environment(2, 50);
        Hdf5Sink sink = Hdf5Sink.builder(dir).defaultFile("metrics.h5")
                .targetChunkBytes(4096) // rows of 8 int32: chunks of 128 rows
                .declare("/channels", DatasetSpec.builder(DataType.INT32, CHANNEL_ROWS, CHANNELS).chunks(100, CHANNELS)
                        .shuffle().deflate(4).build())
                .bufferBudgetBytes(20_000) // ten open chunks of 6400 bytes do not fit: some spill
                .compressionThreads(1)
                .build();
        env.fromSource(new NumberSequenceSource(0, BLOCKS + CHANNELS - 1), WatermarkStrategy.noWatermarks(), "blocks")
                .setParallelism(1)
                .map(i -> i < BLOCKS ? SinkTestJobs.rows("/rows", i * ROWS_PER_BLOCK, ROWS_PER_BLOCK, COLUMNS, true)
                        : SinkTestJobs.column("/channels", (int) (i - BLOCKS), CHANNEL_ROWS))
                .returns(TypeInformation.of(ArrayBlock.class)).setParallelism(1)
                .sinkTo(sink);
        JobExecutionResult result = env.execute("metrics");
        JobID job = result.getJobID();

        long appendedRows = (long) BLOCKS * ROWS_PER_BLOCK;
        long rowChunks = (appendedRows + 127) / 128;
        long channelChunks = CHANNEL_ROWS / 100;
        assertEquals(appendedRows + (long) CHANNELS * CHANNEL_ROWS, sum(job, "rowsIn"));
        assertEquals(appendedRows * COLUMNS * 4 + (long) CHANNELS * CHANNEL_ROWS * 4, sum(job, "rawBytesIn"));
        assertEquals(rowChunks + channelChunks, sum(job, "chunksStaged"));
        assertEquals(rowChunks * 128 * COLUMNS * 4 + channelChunks * 100 * CHANNELS * 4, sum(job, "chunkRawBytes"));
        long compressed = sum(job, "compressedBytesOut");
        assertTrue(compressed > 0 && compressed < sum(job, "chunkRawBytes"), "compressed " + compressed);
        assertTrue(sum(job, "chunksSpilled") > 0, "the budget made chunks spill");
        assertEquals(2, metrics(job, "compressionRatio").size(), "one gauge per writer subtask");
        double best = 0;
        for (Number ratio : gauges(job, "compressionRatio")) {
            double r = ratio.doubleValue();
            assertTrue(r == 0 || r > 1, "a ratio is 0 (nothing staged) or above 1 on this compressible data: " + r);
            best = Math.max(best, r);
        }
        assertTrue(best > 1.5, "shuffle + gzip compress the test matrix well: " + best);
        for (Number buffered : gauges(job, "bufferedBytes")) assertEquals(0L, buffered.longValue(), "nothing buffered after the job");

        assertEquals(rowChunks + channelChunks, sum(job, "chunksCommitted"), "every staged chunk committed once");
        assertEquals(compressed, sum(job, "compressedBytesCommitted"));
        long commits = sum(job, "commits");
        assertTrue(commits >= 1, "commits " + commits);
        for (Number ms : gauges(job, "lastCommitDurationMs")) assertTrue(ms.longValue() >= 0 && ms.longValue() < 60_000, "duration " + ms);

        assertEquals(appendedRows + "," + COLUMNS, SinkTestJobs.h5py(dir.resolve("metrics.h5"), "/rows").split(":")[0]);
    }
}
