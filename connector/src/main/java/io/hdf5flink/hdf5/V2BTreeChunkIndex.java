package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.V2BTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chunk index of a {@code libver='latest'} dataset with several unlimited axes, kept as the
 * version 2 B-tree libhdf5 made (specification III.A.2, records of type 10, or 11 for filtered
 * chunks). Its nodes do not name their header, so the tree is copy-on-write whole: a commit
 * writes a new tree (header and nodes) to free space, its nodes packed from the left in the
 * records' order (the chunks' scaled offsets, as libhdf5 orders them), and publishes the new
 * header's address in the layout message with the shape and token, in the one write of the
 * header chunk that holds them. A node equal byte for byte to one of the tree written before is
 * reused, not written: chunks added after the last ones in that order (rows appended along the
 * first axis) rewrite one path of nodes; chunks added elsewhere (along another axis) rewrite the
 * nodes from there on. The first commit to a tree libhdf5 wrote writes the whole tree once
 * (libhdf5 does not pack its nodes so); a tree this engine wrote is reused after a reopen as it
 * is within one. Replaced nodes are released after the grace period of {@link FileStorage#release}.
 * The records are held in memory, about 30 to 60 bytes a chunk.
 */
final class V2BTreeChunkIndex implements ChunkIndex {
    private static final int UNFILTERED = 10;
    private static final int FILTERED = 11;
    private static final int HEADER_SIZE = 38;

    private final FileStorage storage;
    private final ErrorContext where;
    private final long[] chunkDims;
    private final boolean filtered;
    private final int unfilteredSize;
    private final int recordSize;
    private final int nodeSize;
    private final int splitPercent;
    private final int mergePercent;
    private final TreeMap<long[], Entry> chunks = new TreeMap<>(Arrays::compare);
    /** The nodes of the current tree by content, and the header the next tree replaces. */
    private Map<ByteBuffer, Long> nodes = new HashMap<>();
    private final List<long[]> replaced = new ArrayList<>();
    private final List<long[]> superseded = new ArrayList<>();
    private long headerAddress;
    private boolean dirty;
    private long nodeWrites;
    /** Whether the header at {@code headerAddress} was written here (one read is among {@code replaced}). */
    private boolean wroteHeader;

    /**
     * @param headerAddress the tree's header, or undefined for a dataset no chunk was written to
     * @param layoutParameters the layout message's parameters of the index: node size (4 bytes),
     *     split and merge percentages, for a new tree
     * @param chunkBytes the bytes of an uncompressed chunk, which fix the size field of a
     *     filtered chunk's record in a new tree as libhdf5 fixes it
     */
    V2BTreeChunkIndex(FileStorage storage, ErrorContext where, long headerAddress, byte[] layoutParameters, long[] chunkDims,
            boolean filtered, int chunkBytes) throws IOException {
        this.storage = storage;
        this.where = where;
        this.chunkDims = chunkDims.clone();
        this.filtered = filtered;
        this.unfilteredSize = chunkBytes;
        this.headerAddress = headerAddress;
        int type = filtered ? FILTERED : UNFILTERED;
        if (headerAddress == Bytes.UNDEFINED_ADDRESS) {
            ByteBuffer p = ByteBuffer.wrap(layoutParameters).order(ByteOrder.LITTLE_ENDIAN);
            this.nodeSize = p.getInt();
            this.splitPercent = p.get() & 0xFF;
            this.mergePercent = p.get() & 0xFF;
            int sizeLength = Math.min(8, 1 + (63 - Long.numberOfLeadingZeros(chunkBytes) + 8) / 8);
            this.recordSize = 8 + (filtered ? sizeLength + 4 : 0) + 8 * chunkDims.length;
            if (nodeSize < 64 || nodeSize > (1 << 20) || recordSize > nodeSize / 2) {
                throw where.error("its layout message gives its version 2 B-tree nodes of " + nodeSize + " bytes");
            }
            return;
        }
        V2BTree.Tree tree = V2BTree.readTree(storage, headerAddress, type, where.object());
        this.nodeSize = tree.nodeSize();
        this.recordSize = tree.recordSize();
        this.splitPercent = tree.splitPercent();
        this.mergePercent = tree.mergePercent();
        int sizeLength = recordSize - 8 - 4 - 8 * chunkDims.length;
        if (filtered ? sizeLength < 1 || sizeLength > 8 : recordSize != 8 + 8 * chunkDims.length) {
            throw where.error("its version 2 B-tree holds records of " + recordSize + " bytes, not a chunk's of rank " + chunkDims.length);
        }
        for (ByteBuffer r : tree.records()) {
            long address = r.getLong(0);
            int size = filtered ? (int) Bytes.unsigned(r.position(8), sizeLength) : unfilteredSize;
            int mask = filtered ? r.getInt(8 + sizeLength) : 0;
            int scaledAt = filtered ? 8 + sizeLength + 4 : 8;
            long[] scaled = new long[chunkDims.length];
            for (int d = 0; d < scaled.length; d++) scaled[d] = r.getLong(scaledAt + 8 * d);
            chunks.put(scaled, new Entry(address, size, mask));
        }
        // Nodes a packed tree written before (by this engine) shares with the next one are reused.
        nodes = new HashMap<>(tree.nodes());
        replaced.add(new long[] {headerAddress, HEADER_SIZE});
    }

    private long[] scaled(long[] chunkOffset) {
        long[] s = new long[chunkDims.length];
        for (int d = 0; d < s.length; d++) s[d] = chunkOffset[d] / chunkDims[d];
        return s;
    }

    @Override
    public Entry get(long[] chunkOffset) {
        return chunks.get(scaled(chunkOffset));
    }

    @Override
    public void put(long[] chunkOffset, long address, int size, int filterMask) {
        int sizeLength = recordSize - 8 - 4 - 8 * chunkDims.length;
        if (filtered && sizeLength < 8 && size >>> (8 * sizeLength) != 0) {
            throw where.error("a chunk of " + size + " bytes does not fit the " + sizeLength + "-byte size field of its version 2 B-tree");
        }
        chunks.put(scaled(chunkOffset), new Entry(address, size, filterMask));
        dirty = true;
    }

    /** Writes the new tree (the nodes not reused, and a new header); returns the header's address. */
    @Override
    public long writeDirty() throws IOException {
        if (!dirty) return headerAddress;
        List<byte[]> records = new ArrayList<>(chunks.size());
        int sizeLength = recordSize - 8 - 4 - 8 * chunkDims.length;
        for (Map.Entry<long[], Entry> c : chunks.entrySet()) {
            ByteBuffer r = Bytes.allocate(recordSize);
            r.putLong(c.getValue().address());
            if (filtered) {
                for (int i = 0; i < sizeLength; i++) r.put((byte) (c.getValue().size() >>> (8 * i)));
                r.putInt(c.getValue().filterMask());
            }
            for (long s : c.getKey()) r.putLong(s);
            records.add(r.array());
        }
        V2BTree.Packed tree = V2BTree.writePacked(filtered ? FILTERED : UNFILTERED, recordSize, nodeSize, splitPercent, mergePercent,
                records, nodes, storage::allocateNode);
        if (tree == null) throw where.error("its " + chunks.size() + " chunks need a version 2 B-tree deeper than libhdf5 reads");
        for (Map.Entry<Long, byte[]> b : tree.blocks().entrySet()) storage.write(b.getKey(), b.getValue());
        nodeWrites += tree.blocks().size();
        java.util.Set<Long> kept = new java.util.HashSet<>(tree.nodes().values());
        for (long a : nodes.values()) if (!kept.contains(a)) superseded.add(new long[] {a, nodeSize});
        superseded.addAll(replaced);
        replaced.clear();
        if (wroteHeader) superseded.add(new long[] {headerAddress, HEADER_SIZE});
        nodes = tree.nodes();
        headerAddress = tree.headerAddress();
        wroteHeader = true;
        dirty = false;
        return headerAddress;
    }

    @Override
    public void afterCommit() {
        for (long[] s : superseded) storage.release(s[0], (int) s[1]);
        superseded.clear();
    }

    @Override
    public void forEach(ChunkVisitor visitor) throws IOException {
        for (Map.Entry<long[], Entry> c : chunks.entrySet()) {
            long[] offset = new long[chunkDims.length];
            for (int d = 0; d < offset.length; d++) offset[d] = c.getKey()[d] * chunkDims[d];
            visitor.chunk(offset, c.getValue());
        }
    }

    @Override
    public long nodeWrites() { return nodeWrites; }

    @Override
    public int depth() { return chunks.isEmpty() ? 0 : 1; }
}
