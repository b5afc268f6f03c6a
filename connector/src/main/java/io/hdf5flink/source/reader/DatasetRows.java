package io.hdf5flink.source.reader;

import io.hdf5flink.hdf5.Hdf5DatasetReader;
import io.hdf5flink.source.input.ArrayInput;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.annotation.Internal;

/**
 * Rows of a dataset in an HDF5 file that is not stored verbatim (chunked, compact, or contiguous
 * and never written), read by the engine's {@link Hdf5DatasetReader}: only the chunks a block
 * covers are read and decoded. The reader parses the file's structure once, when it opens, and
 * reads in any order, so a source reader keeps it for every split of the same dataset.
 */
@Internal
final class DatasetRows implements RowSource {
    private final ArrayInput input;
    private final Hdf5DatasetReader reader;
    private final long rowBytes;

    DatasetRows(ArrayInput input, long rowBytes) throws IOException {
        this.input = input;
        this.rowBytes = rowBytes;
        this.reader = Hdf5DatasetReader.open(Path.of(input.location().path()), input.location().member());
        long bytes = reader.type().size();
        for (int d = 1; d < reader.shape().length; d++) bytes *= reader.shape()[d];
        if (reader.type() != input.type() || reader.bigEndian() != input.bigEndian() || bytes != rowBytes) {
            reader.close();
            throw new IOException(input + ": the dataset is now " + reader.type() + (reader.bigEndian() ? " big-endian" : "")
                    + " of shape " + java.util.Arrays.toString(reader.shape()) + ", not what it was when the job was built;"
                    + " was the file replaced?");
        }
    }

    @Override
    public void read(long firstRow, byte[] rows) throws IOException {
        long count = rows.length / rowBytes;
        long available = reader.shape()[0];
        if (firstRow + count > available) {
            throw new IOException(input + ": rows up to " + (firstRow + count) + " lie past the dataset's " + available
                    + " rows; did it shrink after the job was built?");
        }
        reader.read(firstRow, count, rows);
        if (input.bigEndian()) input.type().swapByteOrder(rows);
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
