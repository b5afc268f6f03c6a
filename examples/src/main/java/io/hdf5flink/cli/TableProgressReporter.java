package io.hdf5flink.cli;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter of the embedded Flink that keeps the counters of the hdf5 table sink
 * ({@code hdf5.tableRowsIn}, {@code hdf5.tableBytesOut}) so that {@code sql} can show progress:
 * the embedded cluster runs in this JVM, and its reporters see the live counters. Counters of
 * finished tasks are kept, so the last frame shows every row.
 */
public final class TableProgressReporter implements MetricReporter {
    private static final Map<String, Counter> ROWS = new ConcurrentHashMap<>();
    private static final Map<String, Counter> BYTES = new ConcurrentHashMap<>();

    /** Forgets the counters of earlier jobs; call before a job starts. */
    static void reset() {
        ROWS.clear();
        BYTES.clear();
    }

    static long rows() {
        return ROWS.values().stream().mapToLong(Counter::getCount).sum();
    }

    static long bytes() {
        return BYTES.values().stream().mapToLong(Counter::getCount).sum();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!(metric instanceof Counter counter)) return;
        if (name.equals("tableRowsIn")) ROWS.put(group.getMetricIdentifier(name), counter);
        if (name.equals("tableBytesOut")) BYTES.put(group.getMetricIdentifier(name), counter);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}

    /** Found by Flink through {@code META-INF/services}; named in {@code metrics.reporter.*.factory.class}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new TableProgressReporter();
        }
    }
}
