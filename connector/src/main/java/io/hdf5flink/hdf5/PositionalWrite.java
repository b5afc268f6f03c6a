package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Writes a buffer whole at a position of a file. A failure names the file, the offset and the size:
 * the JDK's own message for a full disk is "No space left on device", which names nothing.
 */
public final class PositionalWrite {
    private PositionalWrite() {}

    /** Writes all of {@code b} at {@code position} of {@code channel}, which is open on {@code file}. */
    public static void writeFully(FileChannel channel, ByteBuffer b, long position, Path file) throws IOException {
        int size = b.remaining();
        long at = position;
        try {
            while (b.hasRemaining()) at += channel.write(b, at);
        } catch (IOException e) {
            throw new IOException("writing " + size + " bytes at offset " + position + " of " + file + " failed: "
                    + e.getMessage(), e);
        }
    }
}
