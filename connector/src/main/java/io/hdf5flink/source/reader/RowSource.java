package io.hdf5flink.source.reader;

import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.ArrayInput;
import java.io.Closeable;
import java.io.IOException;
import org.apache.flink.annotation.Internal;

/**
 * The rows of one input array, read into little-endian bytes: memory-mapped when the input lies
 * verbatim in its file, read chunk by chunk from an HDF5 dataset, decoded from the stream's start
 * otherwise. A reader opens one for the input of the split it works on and keeps it for the next
 * split when that reads the same seekable input.
 */
@Internal
interface RowSource extends Closeable {

    /**
     * Fills {@code rows} with the rows from {@code firstRow} on, little-endian. Calls to a
     * stream's rows must not go back: each starts at or after the end of the previous; seekable
     * inputs ({@link ArrayInput#seekable()}) are read in any order.
     *
     * @throws IOException naming the input when it is shorter than the rows or cannot be decoded
     */
    void read(long firstRow, byte[] rows) throws IOException;

    static RowSource open(ArrayInput input, long rowBytes) throws IOException {
        if (input.mapped()) return new MappedRows(input, rowBytes);
        return input.location().archive() == Archive.HDF5 ? new DatasetRows(input, rowBytes) : new StreamedRows(input, rowBytes);
    }
}
