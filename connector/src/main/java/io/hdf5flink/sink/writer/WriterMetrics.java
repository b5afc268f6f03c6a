package io.hdf5flink.sink.writer;

import io.hdf5flink.record.ArrayBlock;
import java.util.function.LongSupplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The writer's metrics (F15), in the group {@code hdf5}: rows and raw bytes in, chunks staged,
 * raw and compressed bytes of staged chunks, their compression ratio, chunks spilled, and the
 * bytes buffered in open and in-flight chunks.
 */
@Internal
final class WriterMetrics {
    private final Counter rowsIn;
    private final Counter rawBytesIn;
    private final Counter chunksStaged;
    private final Counter chunkRawBytes;
    private final Counter compressedBytesOut;
    private final Counter chunksSpilled;

    WriterMetrics(MetricGroup parent, LongSupplier bufferedBytes) {
        MetricGroup g = parent.addGroup("hdf5");
        rowsIn = g.counter("rowsIn");
        rawBytesIn = g.counter("rawBytesIn");
        chunksStaged = g.counter("chunksStaged");
        chunkRawBytes = g.counter("chunkRawBytes");
        compressedBytesOut = g.counter("compressedBytesOut");
        chunksSpilled = g.counter("chunksSpilled");
        g.gauge("bufferedBytes", bufferedBytes::getAsLong);
        g.gauge("compressionRatio", () -> compressedBytesOut.getCount() == 0 ? 0.0
                : (double) chunkRawBytes.getCount() / compressedBytesOut.getCount());
    }

    void blockIn(ArrayBlock b) {
        rowsIn.inc(b.shape()[0]);
        rawBytesIn.inc(b.data().length);
    }

    void chunkStaged(int rawBytes, int compressedBytes) {
        chunksStaged.inc();
        chunkRawBytes.inc(rawBytes);
        compressedBytesOut.inc(compressedBytes);
    }

    void chunksSpilled(int count) {
        chunksSpilled.inc(count);
    }
}
