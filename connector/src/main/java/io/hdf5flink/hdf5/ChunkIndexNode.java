package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.Bytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One node of a {@link ChunkIndex} in memory: a version 1 B-tree node of type 1 whose keys are
 * chunk offsets with the chunk's stored size and filter mask, and whose children are chunk
 * addresses (in leaves) or child nodes (cached once loaded, or new). {@code n} entries use
 * {@code n + 1} keys; the arrays have room for one entry more than 2K, the overflow that makes a
 * node split.
 */
final class ChunkIndexNode {
    long address;
    final int level;
    int n;
    final long[][] key;
    final int[] size;
    final int[] mask;
    final long[] child;
    final ChunkIndexNode[] cached;
    boolean dirty;
    /** Read from a node libhdf5 linked to its siblings: its old slot is never reused. */
    boolean linked;

    ChunkIndexNode(int level, int capacity) {
        this.level = level;
        key = new long[capacity + 2][];
        size = new int[capacity + 2];
        mask = new int[capacity + 2];
        child = new long[capacity + 1];
        cached = new ChunkIndexNode[capacity + 1];
    }

    /** A node as read from the file, with keys of {@code keyLength} values. */
    static ChunkIndexNode decode(BTreeNode raw, long address, int capacity, int keyLength) {
        ChunkIndexNode node = new ChunkIndexNode(raw.level, capacity);
        node.address = address;
        node.linked = raw.linkedToSiblings;
        node.n = raw.entries;
        for (int i = 0; i <= raw.entries; i++) {
            ByteBuffer b = ByteBuffer.wrap(raw.keys[i]).order(ByteOrder.LITTLE_ENDIAN);
            node.size[i] = b.getInt();
            node.mask[i] = b.getInt();
            long[] key = new long[keyLength];
            for (int d = 0; d < keyLength; d++) key[d] = b.getLong();
            node.key[i] = key;
        }
        System.arraycopy(raw.children, 0, node.child, 0, raw.entries);
        return node;
    }

    /** This node as stored, with keys of {@code keySize} bytes (children's addresses must be current). */
    BTreeNode encode(int keySize) {
        byte[][] keys = new byte[n + 1][];
        for (int i = 0; i <= n; i++) {
            ByteBuffer b = Bytes.allocate(keySize);
            b.putInt(size[i]);
            b.putInt(mask[i]);
            for (long v : key[i]) b.putLong(v);
            keys[i] = b.array();
        }
        return new BTreeNode(BTreeNode.CHUNK_NODES, level, n, keys, child);
    }

    /** Keys compare as libhdf5 compares them: lexicographically, as unsigned values. */
    static int compare(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Long.compareUnsigned(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    /** The child whose key range holds {@code x}: the last i with key[i] <= x, at least 0. */
    int childFor(long[] x) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (compare(key[mid], x) <= 0) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /** Position of {@code x} in a leaf, or -(insertion point) - 1. */
    int find(long[] x) {
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(key[mid], x);
            if (c < 0) lo = mid + 1; else if (c > 0) hi = mid - 1; else return mid;
        }
        return -lo - 1;
    }

    /** Sets the chunk of leaf entry {@code i}. */
    void setChunk(int i, long address, int chunkSize, int filterMask) {
        child[i] = address;
        size[i] = chunkSize;
        mask[i] = filterMask;
    }

    /** Opens a gap at position {@code pos} (keys, children and their per-entry fields). */
    void shift(int pos) {
        System.arraycopy(key, pos, key, pos + 1, n + 1 - pos);
        System.arraycopy(size, pos, size, pos + 1, n + 1 - pos);
        System.arraycopy(mask, pos, mask, pos + 1, n + 1 - pos);
        System.arraycopy(child, pos, child, pos + 1, n - pos);
        System.arraycopy(cached, pos, cached, pos + 1, n - pos);
    }

    /** Makes {@code c} child {@code i}, its first key this node's key {@code i}. */
    void setChild(int i, ChunkIndexNode c) {
        child[i] = c.address;
        cached[i] = c;
        key[i] = c.key[0];
        size[i] = c.size[0];
        mask[i] = c.mask[0];
    }

    /** Moves the entries from {@code leftCount} on into {@code right}, an empty node of the same level. */
    void moveTail(int leftCount, ChunkIndexNode right) {
        right.n = n - leftCount;
        System.arraycopy(key, leftCount, right.key, 0, right.n + 1);
        System.arraycopy(size, leftCount, right.size, 0, right.n + 1);
        System.arraycopy(mask, leftCount, right.mask, 0, right.n + 1);
        System.arraycopy(child, leftCount, right.child, 0, right.n);
        System.arraycopy(cached, leftCount, right.cached, 0, right.n);
        Arrays.fill(cached, leftCount, cached.length, null);
        n = leftCount;
    }
}
