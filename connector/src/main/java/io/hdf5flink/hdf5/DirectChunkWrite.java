package io.hdf5flink.hdf5;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a chunk's whole pages with direct I/O ({@code O_DIRECT}), past the kernel's page cache,
 * and only its two partial end pages through the page cache.
 *
 * <p>Why: copying into the page cache is the dearest part of writing uncompressed data. On the
 * project's 2-core machine (Linux 6.18, ext4 on a virtual disk) buffered writes of 10 GiB cost
 * 9.6-42.6 s of kernel CPU (1 GB/s at best, and the two writers of one file take turns on its
 * lock), where direct writes of the same 10 GiB took 6.1-6.5 s with 1.3 s of CPU, leaving the
 * cores to the filters. The data is no less durable: the writer still forces the file at the end
 * of each epoch, which also flushes the disk's cache.
 *
 * <p>Why the ends go through the page cache: a direct write covers whole pages, and a chunk's
 * first and last page are shared with its neighbours (another chunk, another writer's segment or
 * the committer's metadata), which write them through the page cache. A page written directly is
 * therefore always one that lies wholly inside one chunk, so no page is ever written both ways at
 * once; the kernel writes back and drops any cached copy of a page before writing it directly.
 *
 * <p>Where the file system refuses direct I/O (tmpfs before Linux 6.6, some network file
 * systems, other platforms), or a direct write fails, every chunk goes through the page cache
 * as before (the failed range is written again that way; a real fault, a full disk, then fails
 * there with the file and offset named). A client that wants the page cache gives its {@link
 * SegmentWriter} no buffer (the sink's {@code directIo(false)}); {@code
 * -Dhdf5flink.directio.disabled=true} turns direct I/O off for a whole JVM.
 */
final class DirectChunkWrite implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectChunkWrite.class);

    static final String DISABLE_PROPERTY = "hdf5flink.directio.disabled";
    /**
     * Direct writes are aligned to this: the page size, which is also the block size of common
     * local file systems (the JDK checks the file system's own, and a write it refuses falls back).
     */
    static final int PAGE = 4096;
    /** Chunks with fewer whole pages than this many bytes go through the page cache: not worth two more calls. */
    static final int MIN_DIRECT_BYTES = 64 * 1024;
    /**
     * Larger chunks are written in pieces of this size (a multiple of the page), so a writer's
     * off-heap buffer stays this small whatever the chunk shape; the JDK's own buffer for a
     * buffered write had been as large as the whole chunk.
     */
    static final int MAX_PIECE = 8 << 20;

    private final Path root;
    private final Path file;
    private final int alignment;
    private final AlignedBuffer buffer;
    private FileChannel direct;
    private boolean unavailable = Boolean.getBoolean(DISABLE_PROPERTY);
    private long directBytes;

    /**
     * For {@code file}, which lies below {@code root} (see {@link NoFollowOpen}), through the
     * writer thread's {@code buffer}.
     */
    DirectChunkWrite(Path root, Path file, AlignedBuffer buffer) {
        this(root, file, buffer, PAGE);
    }

    /** With another alignment: a test's way to have the JDK refuse a direct write. */
    DirectChunkWrite(Path root, Path file, AlignedBuffer buffer, int alignment) {
        this.root = root;
        this.file = file;
        this.buffer = buffer;
        this.alignment = alignment;
    }

    /** Writes {@code length} bytes of {@code data} at {@code address}; {@code buffered} is open on the file for the rest. */
    void write(FileChannel buffered, byte[] data, int length, long address) throws IOException {
        long pagesStart = (address + alignment - 1) / alignment * alignment;
        long pagesEnd = (address + length) / alignment * alignment;
        if (pagesEnd - pagesStart < MIN_DIRECT_BYTES || !open()) {
            throughPageCache(buffered, data, 0, length, address);
            return;
        }
        int head = (int) (pagesStart - address);
        int pages = (int) (pagesEnd - pagesStart);
        throughPageCache(buffered, data, 0, head, address);
        try {
            for (int done = 0; done < pages; done += MAX_PIECE) {
                int piece = Math.min(pages - done, MAX_PIECE);
                PositionalWrite.writeFully(direct, buffer.get(piece).put(data, head + done, piece).flip(), pagesStart + done, file);
            }
            directBytes += pages;
        } catch (IOException e) {
            disable("direct I/O failed: " + e.getMessage());
            close();
            throughPageCache(buffered, data, head, pages, pagesStart);
        }
        throughPageCache(buffered, data, head + pages, length - head - pages, pagesEnd);
    }

    private void throughPageCache(FileChannel buffered, byte[] data, int from, int length, long at) throws IOException {
        if (length > 0) PositionalWrite.writeFully(buffered, ByteBuffer.wrap(data, from, length), at, file);
    }

    /** How many bytes went past the page cache so far. */
    long directBytes() {
        return directBytes;
    }

    private boolean open() {
        if (direct != null) return true;
        if (unavailable) return false;
        try {
            direct = NoFollowOpen.channel(root, file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            disable("the file system refuses direct I/O (" + e.getMessage() + ")");
            return false;
        }
    }

    private void disable(String why) {
        LOG.info("{}: {}; chunks go through the page cache", file, why);
        unavailable = true;
    }

    @Override
    public void close() throws IOException {
        FileChannel c = direct;
        direct = null;
        if (c != null) c.close();
    }
}
