package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A version 2 B-tree (specification III.A.2), read-only: the header ({@code BTHD}), internal
 * nodes ({@code BTIN}) and leaves ({@code BTLF}), each checksummed. The sizes of an internal
 * node's child-pointer fields are not stored: they follow from the node size, the record size
 * and the depth the way libhdf5 derives them, which is done here. A dense group indexes its link
 * names in one (record type 5: a name's hash and its heap ID).
 */
public final class V2BTree {
    private static final int HEADER_SIZE = 38;
    /** Signature, version and type before the records; the checksum after them. */
    private static final int NODE_PREFIX = 6;
    private static final int MAX_DEPTH = 16;

    private final BlockReader reader;
    private final String where;
    private final int type;
    private final int nodeSize;
    private final int recordSize;
    private final int depth;
    private final long rootAddress;
    private final int rootRecords;
    private final long totalRecords;
    /** Per depth: the most records a node holds, and the byte size of a child's total-records field. */
    private final int[] maxRecords;
    private final int[] totalFieldSize;
    private final int countFieldSize;
    private final List<ByteBuffer> records = new ArrayList<>();
    private final Set<Long> seen = new HashSet<>();
    /** Every node read, by its bytes. */
    private final Map<ByteBuffer, Long> nodeImages = new java.util.HashMap<>();

    private V2BTree(BlockReader reader, String where, ByteBuffer h) {
        this.reader = reader;
        this.where = where;
        if (!"BTHD".equals(Bytes.signature(h))) throw new Hdf5FormatException(where + ": no v2 B-tree header");
        int version = Bytes.u8(h);
        if (version != 0) throw new Hdf5FormatException(where + ": v2 B-tree version " + version + " is unknown");
        type = Bytes.u8(h);
        nodeSize = h.getInt();
        recordSize = Bytes.u16(h);
        depth = Bytes.u16(h);
        if (nodeSize < 64 || nodeSize > (1 << 20) || recordSize == 0 || recordSize > nodeSize / 2 || depth > MAX_DEPTH) {
            throw new Hdf5FormatException(where + ": a v2 B-tree with nodes of " + nodeSize + " bytes, records of " + recordSize
                    + " and depth " + depth + " is not valid");
        }
        maxRecords = new int[depth + 1];
        totalFieldSize = new int[depth + 1];
        long[] cumulative = new long[depth + 1];
        maxRecords[0] = (nodeSize - NODE_PREFIX - 4) / recordSize;
        cumulative[0] = maxRecords[0];
        countFieldSize = encodedSize(maxRecords[0]);
        for (int d = 1; d <= depth; d++) {
            int pointer = 8 + countFieldSize + (d > 1 ? totalFieldSize[d - 1] : 0);
            maxRecords[d] = (nodeSize - (NODE_PREFIX + 4 + pointer)) / (recordSize + pointer);
            if (maxRecords[d] <= 0) throw new Hdf5FormatException(where + ": v2 B-tree nodes of " + nodeSize + " bytes hold no record at depth " + d);
            cumulative[d] = (maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d];
            totalFieldSize[d] = encodedSize(cumulative[d]);
        }
        h.getShort(); // split and merge percentages
        rootAddress = h.getLong();
        rootRecords = Bytes.u16(h);
        totalRecords = h.getLong();
    }

    /**
     * A tree as read: its parameters, every record (in no particular order) and every node, by its
     * bytes, at its address (what {@link #writePacked} takes as the tree written before).
     */
    public record Tree(int nodeSize, int recordSize, int splitPercent, int mergePercent, List<ByteBuffer> records, Map<ByteBuffer, Long> nodes) {
        public java.util.Collection<Long> nodeAddresses() { return nodes.values(); }
    }

    /** Reads the whole tree at {@code address}, whose records must be of {@code expectedType}. */
    public static Tree readTree(BlockReader reader, long address, int expectedType, String where) throws IOException {
        ByteBuffer h = reader.read(address, HEADER_SIZE, "v2 B-tree header of " + where);
        Lookup3.verify(h, HEADER_SIZE, where + ": v2 B-tree header at " + address);
        V2BTree tree = new V2BTree(reader, where, h);
        if (tree.type != expectedType) {
            throw new Hdf5FormatException(where + ": the v2 B-tree at " + address + " holds records of type " + tree.type + ", not " + expectedType);
        }
        if (tree.rootAddress != Bytes.UNDEFINED_ADDRESS && tree.rootRecords > 0) tree.read(tree.rootAddress, tree.rootRecords, tree.depth);
        if (tree.records.size() != tree.totalRecords) {
            throw new Hdf5FormatException(where + ": the v2 B-tree at " + address + " holds " + tree.records.size() + " records, its header says "
                    + tree.totalRecords);
        }
        return new Tree(tree.nodeSize, tree.recordSize, h.get(16) & 0xFF, h.get(17) & 0xFF, tree.records, tree.nodeImages);
    }

    /**
     * Every record of the tree at {@code address}, whose records must be of {@code expectedType},
     * as buffers of the record size (in no particular order).
     */
    public static List<ByteBuffer> records(BlockReader reader, long address, int expectedType, String where) throws IOException {
        return readTree(reader, address, expectedType, where).records();
    }

    private void read(long address, int count, int level) throws IOException {
        if (!seen.add(address)) throw new Hdf5FormatException(where + ": v2 B-tree node at " + address + " is reached twice: a corrupt tree");
        if (count > maxRecords[level]) {
            throw new Hdf5FormatException(where + ": a v2 B-tree node at " + address + " claims " + count + " records, at most "
                    + maxRecords[level] + " fit");
        }
        ByteBuffer b = reader.read(address, nodeSize, "v2 B-tree node of " + where);
        byte[] image = new byte[nodeSize];
        b.get(0, image);
        nodeImages.put(ByteBuffer.wrap(image), address);
        String signature = Bytes.signature(b);
        if (!(level == 0 ? "BTLF" : "BTIN").equals(signature) || (b.get(5) & 0xFF) != type) {
            throw new Hdf5FormatException(where + ": no v2 B-tree " + (level == 0 ? "leaf" : "internal node") + " of type " + type + " at " + address);
        }
        int pointer = level == 0 ? 0 : 8 + countFieldSize + (level > 1 ? totalFieldSize[level - 1] : 0);
        int used = NODE_PREFIX + count * recordSize + (level == 0 ? 0 : (count + 1) * pointer);
        Lookup3.verify(b, used + 4, where + ": v2 B-tree node at " + address);
        for (int i = 0; i < count; i++) records.add(b.slice(NODE_PREFIX + i * recordSize, recordSize).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        if (records.size() > totalRecords) throw new Hdf5FormatException(where + ": the v2 B-tree holds more records than its header says");
        if (level == 0) return;
        b.position(NODE_PREFIX + count * recordSize);
        for (int i = 0; i <= count; i++) {
            long child = b.getLong();
            int childCount = (int) Bytes.unsigned(b, countFieldSize);
            if (level > 1) Bytes.unsigned(b, totalFieldSize[level - 1]);
            read(child, childCount, level - 1);
        }
    }

    /** libhdf5's node size and split and merge percentages for a group's link indexes (H5Gdense.c). */
    private static final int LINK_NODE_SIZE = 512;
    private static final int LINK_SPLIT_PERCENT = 100;
    private static final int LINK_MERGE_PERCENT = 40;

    /**
     * Encodes a new group link index of {@code type} (5, by name hash; 6, by creation order)
     * holding {@code records} (already in the tree's order, each {@code recordSize} bytes) with
     * libhdf5's parameters for one: 512-byte nodes, split at 100 %, merge at 40 %. Its nodes are
     * packed from the left as {@link #writePacked} packs a chunk index; libhdf5 reads any valid
     * shape and rebalances as it inserts.
     *
     * @param allocate hands out file space for a block of the given size, returning its address
     * @return null when the records need a tree deeper than a reader accepts
     */
    public static Packed writeLinkIndex(int type, int recordSize, List<byte[]> records, java.util.function.IntToLongFunction allocate) {
        return writePacked(type, recordSize, LINK_NODE_SIZE, LINK_SPLIT_PERCENT, LINK_MERGE_PERCENT, records, Map.of(), allocate);
    }

    /** A tree's node size: per depth, the records a node holds and a subtree holds, and the field sizes libhdf5 derives from them. */
    private record Shape(int nodeSize, int[] maxRecords, int[] totalFieldSize, int countFieldSize) {
        /** The arrays filled for every depth a reader accepts (a depth whose nodes hold no record ends them). */
        static Shape of(int nodeSize, int recordSize) {
            int[] maxRecords = new int[MAX_DEPTH + 1];
            long[] cumulative = new long[MAX_DEPTH + 1];
            int[] totalFieldSize = new int[MAX_DEPTH + 1];
            maxRecords[0] = (nodeSize - NODE_PREFIX - 4) / recordSize;
            cumulative[0] = maxRecords[0];
            int countFieldSize = encodedSize(maxRecords[0]);
            for (int d = 1; d <= MAX_DEPTH; d++) {
                int pointer = 8 + countFieldSize + (d > 1 ? totalFieldSize[d - 1] : 0);
                maxRecords[d] = (nodeSize - (NODE_PREFIX + 4 + pointer)) / (recordSize + pointer);
                if (maxRecords[d] < 1) break;
                cumulative[d] = Math.min(Long.MAX_VALUE / 4, (maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d]);
                totalFieldSize[d] = encodedSize(cumulative[d]);
            }
            return new Shape(nodeSize, maxRecords, totalFieldSize, countFieldSize);
        }
    }

    /**
     * A tree written by {@link #writePacked}: its header's address, the blocks written (the header
     * and the nodes not reused), and every node of the tree by content, to pass to the next call.
     */
    public record Packed(long headerAddress, Map<Long, byte[]> blocks, Map<ByteBuffer, Long> nodes) {}

    /**
     * Encodes a tree of {@code type} holding {@code records} (in the tree's order) with the given
     * parameters, its nodes packed from the left: every node full but the last one or two of each
     * level, so that records added at the end change only the rightmost nodes. A node whose bytes
     * equal one of {@code previous} (the nodes of the tree written before) is not written again
     * but reused at its address: appending to a tree written this way writes one path of nodes and
     * a new header.
     *
     * @return null when the records need a tree deeper than a reader accepts
     */
    public static Packed writePacked(int type, int recordSize, int nodeSize, int splitPercent, int mergePercent, List<byte[]> records,
            Map<ByteBuffer, Long> previous, java.util.function.IntToLongFunction allocate) {
        Shape shape = Shape.of(nodeSize, recordSize);
        Map<Long, byte[]> blocks = new LinkedHashMap<>();
        Map<ByteBuffer, Long> nodes = new java.util.HashMap<>();
        long headerAddress = allocate.applyAsLong(HEADER_SIZE);
        blocks.put(headerAddress, null); // the header first; encoded below
        // One level at a time: its nodes (address, records in the node, records under it) and the keys between them.
        List<long[]> level = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        int depth = 0;
        if (!records.isEmpty()) {
            List<List<byte[]>> groups = pack(records, shape.maxRecords[0], keys);
            for (List<byte[]> g : groups) {
                long address = node(shape, type, 0, g, List.of(), previous, nodes, blocks, allocate);
                level.add(new long[] {address, g.size(), g.size()});
            }
            while (level.size() > 1) {
                if (++depth > MAX_DEPTH || shape.maxRecords[depth] < 1) return null;
                List<byte[]> upperKeys = new ArrayList<>();
                List<long[]> upper = new ArrayList<>();
                int max = shape.maxRecords[depth];
                int from = 0;
                int[] sizes = childCounts(level.size(), max);
                for (int i = 0; i < sizes.length; i++) {
                    List<long[]> children = level.subList(from, from + sizes[i]);
                    List<byte[]> nodeKeys = keys.subList(from, from + sizes[i] - 1);
                    long total = nodeKeys.size();
                    for (long[] c : children) total += c[2];
                    long address = node(shape, type, depth, nodeKeys, children, previous, nodes, blocks, allocate);
                    upper.add(new long[] {address, nodeKeys.size(), total});
                    from += sizes[i];
                    if (i < sizes.length - 1) upperKeys.add(keys.get(from - 1));
                }
                level = upper;
                keys = upperKeys;
            }
        }
        ByteBuffer h = Bytes.allocate(HEADER_SIZE);
        h.put("BTHD".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) type);
        h.putInt(nodeSize).putShort((short) recordSize).putShort((short) depth);
        h.put((byte) splitPercent).put((byte) mergePercent);
        h.putLong(records.isEmpty() ? Bytes.UNDEFINED_ADDRESS : level.get(0)[0]).putShort((short) (records.isEmpty() ? 0 : level.get(0)[1]))
                .putLong(records.size());
        h.putInt(Lookup3.checksum(h.array(), 0, HEADER_SIZE - 4));
        blocks.put(headerAddress, h.array());
        return new Packed(headerAddress, blocks, nodes);
    }

    /** Splits records into leaves of at most {@code max}, full from the left, one record between each two going to {@code keys}. */
    private static List<List<byte[]>> pack(List<byte[]> records, int max, List<byte[]> keys) {
        List<List<byte[]>> groups = new ArrayList<>();
        int i = 0;
        int n = records.size();
        while (i < n) {
            int take = Math.min(max, n - i);
            // Never leave a single record: it would become a key with an empty leaf after it.
            if (n - i - take == 1) take--;
            groups.add(records.subList(i, i + take));
            i += take;
            if (i < n) keys.add(records.get(i++));
        }
        return groups;
    }

    /** How many children each internal node over {@code count} children takes (at most {@code max} + 1, at least 2), full from the left. */
    private static int[] childCounts(int count, int max) {
        List<Integer> sizes = new ArrayList<>();
        int left = count;
        while (left > 0) {
            int take = Math.min(max + 1, left);
            if (left - take == 1) take--; // the last node needs two children
            sizes.add(take);
            left -= take;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Encodes one node; reuses the address of an identical node of the previous tree, else writes it. */
    private static long node(Shape shape, int type, int level, List<byte[]> records, List<long[]> children, Map<ByteBuffer, Long> previous,
            Map<ByteBuffer, Long> nodes, Map<Long, byte[]> blocks, java.util.function.IntToLongFunction allocate) {
        ByteBuffer b = Bytes.allocate(shape.nodeSize);
        b.put((level == 0 ? "BTLF" : "BTIN").getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) type);
        for (byte[] r : records) b.put(r);
        for (long[] c : children) {
            b.putLong(c[0]);
            putUnsigned(b, c[1], shape.countFieldSize);
            if (level > 1) putUnsigned(b, c[2], shape.totalFieldSize[level - 1]);
        }
        b.putInt(Lookup3.checksum(b.array(), 0, b.position()));
        ByteBuffer key = ByteBuffer.wrap(b.array());
        Long address = previous.get(key);
        if (address == null) {
            address = allocate.applyAsLong(shape.nodeSize);
            blocks.put(address, b.array());
        }
        nodes.put(key, address);
        return address;
    }

    private static void putUnsigned(ByteBuffer b, long value, int size) {
        for (int i = 0; i < size; i++) b.put((byte) (value >>> (8 * i)));
    }

    /** libhdf5's size of a field that counts up to {@code max}: one byte per started 8 bits, at least one. */
    private static int encodedSize(long max) {
        return (63 - Long.numberOfLeadingZeros(Math.max(1, max))) / 8 + 1;
    }
}
