package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DataType;
import java.util.Arrays;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The automatic chunk shape for a dataset that grows along axis 0 (F3). Like neuroconv, it aims
 * at chunks of about {@code targetBytes} (10 MB by default), never at h5py's tiny guesses: whole
 * rows when a row fits the target, as many rows as fit, rounded down to a multiple of 1024 when
 * there are more than 1024; when a single row is larger than the target, the trailing axes are
 * halved, largest first, until one chunk row fits.
 */
@PublicEvolving
public final class ChunkShapeRule {
    /** The default target, as neuroconv's: 10 MB. */
    public static final long DEFAULT_TARGET_BYTES = 10_000_000;

    private ChunkShapeRule() {}

    /**
     * @param trailing the sizes of axes 1.. (empty for a 1-D dataset)
     * @return the chunk shape, of rank {@code trailing.length + 1}
     */
    public static long[] chunksFor(DataType type, long[] trailing, long targetBytes) {
        long[] chunk = new long[trailing.length + 1];
        long rowBytes = type.size();
        for (int d = 0; d < trailing.length; d++) {
            chunk[d + 1] = Math.max(1, trailing[d]);
            rowBytes *= chunk[d + 1];
        }
        while (rowBytes > targetBytes) {
            int largest = 1;
            for (int d = 2; d < chunk.length; d++) if (chunk[d] > chunk[largest]) largest = d;
            if (chunk[largest] == 1) break;
            long halved = (chunk[largest] + 1) / 2;
            rowBytes = rowBytes / chunk[largest] * halved;
            chunk[largest] = halved;
        }
        long rows = Math.max(1, targetBytes / rowBytes);
        if (rows > 1024) rows -= rows % 1024;
        chunk[0] = rows;
        return chunk;
    }

    /** A description for logs: shape and approximate size. */
    public static String describe(DataType type, long[] chunk) {
        long bytes = type.size();
        for (long c : chunk) bytes *= c;
        return Arrays.toString(chunk) + " (" + String.format("%.1f", bytes / 1e6) + " MB)";
    }
}
