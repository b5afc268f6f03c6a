package io.hdf5flink.source.reader;

import io.hdf5flink.source.input.ArrayInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.annotation.Internal;

/**
 * Rows of an array stored verbatim in a file, read through a memory-mapped window that moves
 * along the file: files larger than 2 GiB (the most one mapping can cover) or than memory work,
 * since only the window is mapped and the kernel pages it in and out. Small blocks share a window
 * rather than cost a mapping each. Restoring needs no skipping: the window is mapped where the
 * checkpointed row starts.
 *
 * <p>A window is unmapped as soon as the next one is mapped, not when the collector gets to it:
 * the pages of a mapping count in the process's resident memory until it is unmapped, so with a
 * large heap (rarely collected) a conversion's resident memory would grow with its input.
 */
@Internal
final class MappedRows implements RowSource {
    /** The least a window covers. */
    static final int MIN_WINDOW = 64 << 20;
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private final ArrayInput input;
    private final long rowBytes;
    private final FileChannel channel;
    private final long fileSize;
    private MappedByteBuffer window;
    private long windowStart;

    MappedRows(ArrayInput input, long rowBytes) throws IOException {
        this.input = input;
        this.rowBytes = rowBytes;
        this.channel = FileChannel.open(Path.of(input.location().path()), StandardOpenOption.READ);
        this.fileSize = channel.size();
    }

    @Override
    public void read(long firstRow, byte[] rows) throws IOException {
        long start = input.dataOffset() + firstRow * rowBytes;
        long end = start + rows.length;
        if (end > fileSize) {
            throw new EOFException(input + ": rows up to byte " + end + " lie past the file's end at " + fileSize
                    + "; did the file shrink after the job was built?");
        }
        if (window == null || start < windowStart || end > windowStart + window.capacity()) {
            unmap();
            window = channel.map(FileChannel.MapMode.READ_ONLY, start,
                    Math.min(Math.max(MIN_WINDOW, rows.length), fileSize - start));
            windowStart = start;
        }
        window.get((int) (start - windowStart), rows);
        if (input.bigEndian()) input.type().swapByteOrder(rows);
    }

    @Override
    public void close() throws IOException {
        unmap();
        channel.close();
    }

    /** Unmaps the window now; nothing else holds it, and it is never read again. */
    private void unmap() {
        if (window == null) return;
        UNSAFE.invokeCleaner(window);
        window = null;
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
