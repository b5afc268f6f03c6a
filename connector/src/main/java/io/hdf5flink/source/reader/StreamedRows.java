package io.hdf5flink.source.reader;

import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.InputOpener;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.annotation.Internal;

/**
 * Rows of an array that cannot be memory-mapped (compressed, or a compressed archive member),
 * decoded sequentially from the start of the file or member. A split restored from a checkpoint
 * therefore decodes and discards everything before its next row again: restore costs up to one
 * re-read of the input, bounded by the split.
 */
@Internal
final class StreamedRows implements RowSource {
    private final ArrayInput input;
    private final long rowBytes;
    private final InputStream in;
    private long position;

    StreamedRows(ArrayInput input, long rowBytes) throws IOException {
        this.input = input;
        this.rowBytes = rowBytes;
        try {
            this.in = InputOpener.open(input.location());
        } catch (IOException | RuntimeException e) {
            throw new IOException(input + ": cannot open: " + e.getMessage(), e);
        }
    }

    @Override
    public void read(long firstRow, byte[] rows) throws IOException {
        long start = input.dataOffset() + firstRow * rowBytes;
        if (start < position) throw new IllegalStateException(input + ": rows read out of order");
        try {
            in.skipNBytes(start - position);
            int read = in.readNBytes(rows, 0, rows.length);
            if (read < rows.length) throw new EOFException("the data ends early");
        } catch (IOException | RuntimeException e) {
            // Decoders report corrupt input as runtime exceptions too.
            throw new IOException(input + ": cannot read rows from " + firstRow + ": " + e.getMessage(), e);
        }
        position = start + rows.length;
        if (input.bigEndian()) input.type().swapByteOrder(rows);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
