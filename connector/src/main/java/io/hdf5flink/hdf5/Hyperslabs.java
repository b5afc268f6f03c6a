package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies hyperslabs into and out of a dataset's chunks, one overlapped chunk at a time. A write
 * that covers a chunk whole stores it at once; one that covers it partly assembles it in an
 * {@link OpenChunks open chunk}. A read takes open chunks first, then stored ones, and writes
 * the fill value straight into the box where no chunk is stored. Coordinates are checked by the
 * caller.
 */
final class Hyperslabs {
    private final long[] chunkDims;
    private final int elementSize;
    /** Bytes of each number in an element: the unit a big-endian buffer is swapped in. */
    private final int componentSize;
    private final int chunkBytes;
    private final OpenChunks openChunks;
    private final StoredChunks stored;
    /** Filters and stores a complete chunk. */
    private final OpenChunks.Sink store;

    Hyperslabs(long[] chunkDims, DataType type, int chunkBytes, OpenChunks openChunks, StoredChunks stored,
            OpenChunks.Sink store) {
        this.chunkDims = chunkDims;
        this.elementSize = type.size();
        this.componentSize = type.componentSize();
        this.chunkBytes = chunkBytes;
        this.openChunks = openChunks;
        this.stored = stored;
        this.store = store;
    }

    /** Writes {@code data} (C order, either byte order) as the box at {@code offset} of shape {@code extent}. */
    void write(long[] offset, long[] extent, ByteBuffer data) {
        ByteBuffer src = littleEndian(data);
        int rank = offset.length;
        ChunkGrid.forEachOverlap(offset, extent, chunkDims, (chunkOrigin, lo, box) -> {
            long[] srcOrigin = new long[rank];
            long[] dstOrigin = new long[rank];
            boolean whole = true;
            for (int d = 0; d < rank; d++) {
                srcOrigin[d] = lo[d] - offset[d];
                dstOrigin[d] = lo[d] - chunkOrigin[d];
                whole &= box[d] == chunkDims[d];
            }
            byte[] chunk = whole ? new byte[chunkBytes] : openChunks.open(chunkOrigin, stored::read);
            BoxCopy.copy(src, extent, srcOrigin, chunk, chunkDims, dstOrigin, box, elementSize);
            if (whole) {
                openChunks.discard(chunkOrigin);
                store.store(chunkOrigin, chunk);
            }
        });
        openChunks.spillOverBudget(store);
    }

    /** Reads the box at {@code offset} of shape {@code extent} into {@code out} (little-endian, C order). */
    void read(long[] offset, long[] extent, ByteBuffer out) {
        int rank = offset.length;
        ChunkGrid.forEachOverlap(offset, extent, chunkDims, (chunkOrigin, lo, box) -> {
            long[] srcOrigin = new long[rank];
            long[] dstOrigin = new long[rank];
            for (int d = 0; d < rank; d++) {
                srcOrigin[d] = lo[d] - chunkOrigin[d];
                dstOrigin[d] = lo[d] - offset[d];
            }
            byte[] open = openChunks.get(chunkOrigin);
            if (open == null && !stored.isStored(chunkOrigin)) {
                // Nothing stored: the fill value goes straight into the box, so that a read costs
                // what it returns, not a chunk of the size the layout declares.
                long boxBytes = elementSize;
                for (long e : box) boxBytes *= e;
                BoxCopy.copy(stored.filled(boxBytes), box, new long[rank], out, extent, dstOrigin, box, elementSize);
                return;
            }
            byte[] chunk = open != null ? open : stored.read(chunkOrigin);
            BoxCopy.copy(chunk, chunkDims, srcOrigin, out, extent, dstOrigin, box, elementSize);
        });
    }

    /**
     * {@code data} from its position as a little-endian buffer: a view, or a copy with the bytes of
     * every number swapped (both parts of a complex element, each on its own).
     */
    private ByteBuffer littleEndian(ByteBuffer data) {
        ByteBuffer src = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (data.order() == ByteOrder.LITTLE_ENDIAN || componentSize == 1) return src;
        byte[] swapped = new byte[data.remaining()];
        int at = data.position();
        for (int i = 0; i < swapped.length; i += componentSize) {
            for (int j = 0; j < componentSize; j++) swapped[i + j] = data.get(at + i + componentSize - 1 - j);
        }
        return ByteBuffer.wrap(swapped).order(ByteOrder.LITTLE_ENDIAN);
    }
}
