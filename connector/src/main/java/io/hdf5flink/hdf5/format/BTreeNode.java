package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A version 1 B-tree node, "TREE" (specification III.A.1): node type (0 group, 1 chunk), level
 * (0 = leaf), entries used, sibling addresses, then keys and child addresses interleaved, with
 * one more key than children. Keys are kept as raw bytes; their meaning belongs to the tree
 * type. Nodes are allocated at full size (2K entries), as libhdf5 expects.
 *
 * <p>This engine writes sibling addresses as undefined: its trees are copy-on-write, and libhdf5
 * (1.10 and later) finds and iterates entries by descending from the root, never through
 * siblings.
 */
public final class BTreeNode {
    public static final int GROUP_NODES = 0;
    public static final int CHUNK_NODES = 1;
    public static final int PREFIX_SIZE = 24;
    private static final byte[] SIGNATURE = {'T', 'R', 'E', 'E'};

    final int nodeType;
    public final int level;
    public final int entries;
    public final byte[][] keys;
    public final long[] children;
    /**
     * Whether either sibling address is defined: libhdf5 wrote the node and its neighbours may
     * point at its slot, so the slot must never be reused for anything else.
     */
    public final boolean linkedToSiblings;

    public BTreeNode(int nodeType, int level, int entries, byte[][] keys, long[] children) {
        this(nodeType, level, entries, keys, children, false);
    }

    private BTreeNode(int nodeType, int level, int entries, byte[][] keys, long[] children, boolean linked) {
        this.nodeType = nodeType;
        this.level = level;
        this.entries = entries;
        this.keys = keys;
        this.children = children;
        this.linkedToSiblings = linked;
    }

    public static int size(int k, int keySize) {
        return PREFIX_SIZE + (2 * k + 1) * keySize + 2 * k * 8;
    }

    /** Encodes a full-size node for a tree with the given K and key size. */
    public byte[] encode(int k, int keySize) {
        if (entries > 2 * k) throw new IllegalArgumentException(entries + " entries exceed 2K = " + 2 * k);
        ByteBuffer b = Bytes.allocate(size(k, keySize));
        b.put(SIGNATURE);
        b.put((byte) nodeType);
        b.put((byte) level);
        b.putShort((short) entries);
        b.putLong(Bytes.UNDEFINED_ADDRESS);
        b.putLong(Bytes.UNDEFINED_ADDRESS);
        for (int i = 0; i < entries; i++) {
            b.put(keys[i], 0, keySize);
            b.putLong(children[i]);
        }
        if (entries > 0 || keys.length > 0) b.put(keys[entries], 0, keySize);
        return b.array();
    }

    /**
     * Reads a node.
     *
     * @param maxEntries 2K for this tree: a node claiming more is corrupt
     * @param what the dataset or group whose tree this is, for errors
     */
    public static BTreeNode read(BlockReader r, long address, int expectedType, int keySize, int maxEntries,
            String what) throws IOException {
        ByteBuffer b = r.read(address, PREFIX_SIZE, "B-tree node of " + what);
        for (byte s : SIGNATURE) {
            if (b.get() != s) throw new Hdf5FormatException(what + ": no B-tree signature at " + address);
        }
        int type = Bytes.u8(b);
        if (type != expectedType) {
            throw new Hdf5FormatException(what + ": B-tree node at " + address + " has type " + type + ", expected " + expectedType);
        }
        int level = Bytes.u8(b);
        int entries = Bytes.u16(b);
        boolean linked = b.getLong() != Bytes.UNDEFINED_ADDRESS | b.getLong() != Bytes.UNDEFINED_ADDRESS;
        if (entries > maxEntries) {
            throw new Hdf5FormatException(what + ": B-tree node at " + address + " claims " + entries
                    + " entries, more than 2K = " + maxEntries);
        }
        ByteBuffer body = r.read(address + PREFIX_SIZE, entries * (keySize + 8) + keySize, "B-tree node of " + what);
        byte[][] keys = new byte[entries + 1][];
        long[] children = new long[entries];
        for (int i = 0; i < entries; i++) {
            keys[i] = new byte[keySize];
            body.get(keys[i]);
            children[i] = body.getLong();
        }
        keys[entries] = new byte[keySize];
        body.get(keys[entries]);
        return new BTreeNode(type, level, entries, keys, children, linked);
    }
}
