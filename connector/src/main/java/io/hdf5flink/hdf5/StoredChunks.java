package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A dataset's chunks as stored in the file: filtered through the dataset's pipeline, written past
 * the end of file and entered in the copy-on-write {@link ChunkIndex}; read back decoded, or as
 * the fill value where no chunk is stored.
 */
final class StoredChunks {
    private final FileStorage storage;
    private final ErrorContext where;
    private final ChunkIndex index;
    private final FilterPipeline pipeline;
    private final int chunkBytes;
    private final byte[] fillElement;
    private byte[] fillChunk;

    StoredChunks(FileStorage storage, ErrorContext where, ChunkIndex index, FilterPipeline pipeline, int chunkBytes,
            byte[] fillElement) {
        this.storage = storage;
        this.where = where;
        this.index = index;
        this.pipeline = pipeline;
        this.chunkBytes = chunkBytes;
        this.fillElement = fillElement;
    }

    /** Filters one whole chunk. Thread-safe. */
    EncodedChunk encode(byte[] raw) {
        try {
            return pipeline.encode(raw, raw.length);
        } catch (IOException e) {
            throw where.error("filtering a chunk failed: " + e.getMessage(), e);
        }
    }

    /** Writes a filtered chunk past the end of file and enters it in the index, replacing any chunk there. */
    void store(long[] chunkOffset, EncodedChunk chunk) {
        try {
            long address = storage.allocate(chunk.length());
            storage.write(address, chunk.data(), 0, chunk.length());
            index.put(chunkOffset, address, chunk.length(), chunk.filterMask());
        } catch (IOException e) {
            throw where.failed("writing the chunk at " + Arrays.toString(chunkOffset), e);
        }
    }

    /**
     * Enters a filtered chunk that another writer already wrote into this file's shared space
     * (see {@link SpaceLedger}), replacing any chunk there.
     */
    void adopt(long[] chunkOffset, long address, int length, int filterMask) {
        try {
            index.put(chunkOffset, address, length, filterMask);
            storage.referenced(address + length);
        } catch (IOException e) {
            throw where.failed("indexing the chunk at " + Arrays.toString(chunkOffset), e);
        }
    }

    /** Whether the index holds a chunk at {@code chunkOffset}. */
    boolean isStored(long[] chunkOffset) {
        try {
            return index.get(chunkOffset) != null;
        } catch (IOException e) {
            throw where.failed("reading the chunk index at " + Arrays.toString(chunkOffset), e);
        }
    }

    /** A chunk as stored, decoded, or filled with the fill value when none is stored. */
    byte[] read(long[] chunkOffset) {
        try {
            ChunkIndex.Entry e = index.get(chunkOffset);
            if (e == null) {
                if (fillChunk == null) fillChunk = filled(chunkBytes);
                return fillChunk.clone();
            }
            ByteBuffer b = storage.read(e.address(), e.size(), "chunk " + Arrays.toString(chunkOffset) + " of " + where.object());
            byte[] stored;
            if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0) {
                stored = b.array(); // the read's own buffer: no second copy of the chunk
            } else {
                stored = new byte[e.size()];
                b.get(stored);
            }
            byte[] raw = pipeline.decode(stored, e.size(), e.filterMask(), chunkBytes);
            if (raw.length != chunkBytes) {
                throw where.error("chunk at " + Arrays.toString(chunkOffset) + " decodes to " + raw.length
                        + " bytes, expected " + chunkBytes);
            }
            return raw;
        } catch (IOException ex) {
            throw where.failed("reading the chunk at " + Arrays.toString(chunkOffset), ex);
        }
    }

    /** {@code bytes} bytes of repeated fill value (a whole number of elements). */
    byte[] filled(long bytes) {
        byte[] b = new byte[(int) bytes];
        fill(b, fillElement);
        return b;
    }

    /**
     * Fills {@code into} (a whole number of elements) with {@code element} repeated, doubling what
     * is filled with each copy: a 2 MiB chunk of a 2-byte fill value is 21 copies, not a million
     * (which a writer paid at its start, interpreted, before the JIT got to the loop).
     */
    static void fill(byte[] into, byte[] element) {
        if (into.length == 0) return;
        System.arraycopy(element, 0, into, 0, element.length);
        for (int filled = element.length; filled < into.length; filled *= 2) {
            System.arraycopy(into, 0, into, filled, Math.min(filled, into.length - filled));
        }
    }

    /**
     * How many chunks are stored, plus those of {@code open} that are not stored yet; walks the
     * whole index.
     */
    long count(Iterable<long[]> open) {
        long[] n = {0};
        try {
            index.forEach((o, e) -> n[0]++);
            for (long[] offset : open) if (index.get(offset) == null) n[0]++;
        } catch (IOException e) {
            throw where.failed("reading the chunk index", e);
        }
        return n[0];
    }
}
