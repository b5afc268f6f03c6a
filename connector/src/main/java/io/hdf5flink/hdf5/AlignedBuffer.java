package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;

/**
 * One writer thread's memory for direct writes ({@link DirectChunkWrite}), shared by all its
 * {@link SegmentWriter}s: off-heap, page-aligned as direct I/O needs, and grown to the largest
 * piece written through it (a chunk, or {@link DirectChunkWrite#MAX_PIECE} of a larger one), so a
 * writer of many datasets or files holds one piece's worth, not one per file. (The JDK's own
 * aligned temporary buffers would do, but in Java 17 their cache fails on reuse: it frees an
 * aligned slice, which cannot be freed.) One thread at a time.
 */
public final class AlignedBuffer {
    private ByteBuffer buffer;

    /** The buffer, cleared, with room for at least {@code bytes}; its start is aligned to a page. */
    ByteBuffer get(int bytes) {
        if (buffer == null || buffer.capacity() < bytes) {
            int page = DirectChunkWrite.PAGE;
            int pages = (bytes + page - 1) / page * page; // an aligned slice ends on a page boundary too
            buffer = ByteBuffer.allocateDirect(pages + page - 1).alignedSlice(page);
        }
        return buffer.clear();
    }

    /** How many bytes it holds now (0 before the first direct write). */
    int capacity() {
        return buffer == null ? 0 : buffer.capacity();
    }
}
