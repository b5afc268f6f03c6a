package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.ExtensibleArray;
import io.hdf5flink.hdf5.format.V2BTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunks a version 4 layout's index lists (inside the dataset's shape), for a version 1
 * B-tree to list them instead when the engine first changes the dataset ({@link DatasetHeader}).
 * The indexes of datasets that can grow are read here: the extensible array (one unlimited axis)
 * and the version 2 B-tree (several); those of fixed-size datasets (fixed array, single chunk,
 * implicit) through jhdf, as the read path of HDF5 inputs reads them.
 */
final class Version4Chunks {
    /** A version 2 B-tree's record of an unfiltered chunk (address, scaled offsets), and of a filtered one (address, size, mask, ...). */
    private static final int CHUNK_RECORD = 10;
    private static final int FILTERED_CHUNK_RECORD = 11;

    private Version4Chunks() {}

    /**
     * @param unfiltered the size of an unfiltered chunk, which indexes of unfiltered datasets do
     *     not store
     */
    static List<Hdf5DatasetReader.StoredChunk> list(FileStorage storage, ErrorContext where, DataLayoutMessage layout, long[] dims,
            long[] maxDims, boolean filtered, int unfiltered) throws IOException {
        // libhdf5 creates the index with the first chunk: a dataset never written has none.
        if (layout.indexAddress() == Bytes.UNDEFINED_ADDRESS) return List.of();
        long[] chunk = layout.chunkDims();
        List<Hdf5DatasetReader.StoredChunk> out = new ArrayList<>();
        switch (layout.version4IndexType()) {
            case DataLayoutMessage.EXTENSIBLE_ARRAY -> {
                ExtensibleArray array = ExtensibleArray.open(storage, layout.indexAddress(), where.object());
                if (array.clientId() != (filtered ? 1 : 0)) {
                    throw where.error("its extensible array holds " + (array.clientId() == 1 ? "filtered" : "unfiltered")
                            + " chunks, but the dataset is " + (filtered ? "" : "not ") + "filtered");
                }
                if (filtered ? array.elementSize() < 13 || array.elementSize() > 20 : array.elementSize() != 8) {
                    throw where.error("its extensible array holds elements of " + array.elementSize() + " bytes, not a chunk's");
                }
                int[] order = arrayOrder(maxDims, where);
                array.forEach((index, e) -> {
                    long[] offset = arrayOffset(index, order, maxDims, chunk);
                    add(out, dims, offset, e.getLong(0), filtered ? (int) Bytes.unsigned(e.position(8), array.elementSize() - 12) : unfiltered,
                            filtered ? e.getInt(array.elementSize() - 4) : 0, where);
                });
            }
            case DataLayoutMessage.VERSION_2_BTREE -> {
                int rank = chunk.length;
                for (ByteBuffer r : V2BTree.records(storage, layout.indexAddress(), filtered ? FILTERED_CHUNK_RECORD : CHUNK_RECORD,
                        where.object())) {
                    int sizeLength = r.remaining() - 8 - 4 - 8 * rank;
                    if (filtered ? sizeLength < 1 || sizeLength > 8 : r.remaining() != 8 + 8 * rank) {
                        throw where.error("its version 2 B-tree holds records of " + r.remaining() + " bytes, not a chunk's of rank " + rank);
                    }
                    int scaledAt = filtered ? 8 + sizeLength + 4 : 8;
                    long[] offset = new long[rank];
                    for (int d = 0; d < rank; d++) offset[d] = r.getLong(scaledAt + 8 * d) * chunk[d];
                    add(out, dims, offset, r.getLong(0), filtered ? (int) Bytes.unsigned(r.position(8), sizeLength) : unfiltered,
                            filtered ? r.getInt(8 + sizeLength) : 0, where);
                }
            }
            default -> {
                try (Hdf5DatasetReader reader = Hdf5DatasetReader.open(where.file(), where.object())) {
                    return reader.storedChunks();
                } catch (IllegalArgumentException e) {
                    throw where.error("its chunks, located by " + layout.version4Index() + ", cannot be read: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /**
     * The order in which an extensible array numbers chunks: row-major over the chunk grid of the
     * maximum shape, with the unlimited axis moved first (libhdf5 "swizzles" it there).
     */
    static int[] arrayOrder(long[] maxDims, ErrorContext where) {
        int unlimited = -1;
        for (int d = 0; d < maxDims.length; d++) {
            if (maxDims[d] == DatasetSpec.UNLIMITED) {
                if (unlimited >= 0) throw where.error("it has an extensible array chunk index and several unlimited axes");
                unlimited = d;
            }
        }
        if (unlimited < 0) throw where.error("it has an extensible array chunk index and no unlimited axis");
        int[] order = new int[maxDims.length];
        order[0] = unlimited;
        for (int d = 0, i = 1; d < maxDims.length; d++) if (d != unlimited) order[i++] = d;
        return order;
    }

    /** The offset (element coordinates) of the chunk an extensible array numbers {@code index}. */
    private static long[] arrayOffset(long index, int[] order, long[] maxDims, long[] chunk) {
        long[] offset = new long[maxDims.length];
        for (int i = order.length - 1; i >= 1; i--) {
            int d = order[i];
            long chunks = (maxDims[d] + chunk[d] - 1) / chunk[d];
            offset[d] = index % chunks * chunk[d];
            index /= chunks;
        }
        offset[order[0]] = index * chunk[order[0]];
        return offset;
    }

    private static void add(List<Hdf5DatasetReader.StoredChunk> out, long[] dims, long[] offset, long address, int size, int mask,
            ErrorContext where) {
        for (int d = 0; d < dims.length; d++) if (offset[d] >= dims[d]) return; // beyond the shape: never visible
        if (address < 0 || size <= 0) throw where.error("its chunk index lists a chunk at " + address + " of " + size + " bytes");
        out.add(new Hdf5DatasetReader.StoredChunk(offset, address, size, mask));
    }
}
