package io.hdf5flink.table;

import io.hdf5flink.hdf5.DataType;
import java.io.Serializable;
import org.apache.flink.annotation.Internal;

/**
 * A dataset a scan reads, as the factory found it when the table was planned: its element type,
 * byte order and shape. The scan reads the rows it had then, and a reader that finds it changed
 * fails rather than read something else.
 *
 * @param chunkRows rows per chunk, or 0 when the dataset is not chunked
 */
@Internal
record StoredDataset(String path, DataType type, boolean bigEndian, long[] shape, long chunkRows) implements Serializable {
    long rowElements() {
        long n = 1;
        for (int d = 1; d < shape.length; d++) n *= shape[d];
        return n;
    }
}
