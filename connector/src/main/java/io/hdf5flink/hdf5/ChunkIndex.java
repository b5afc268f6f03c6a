package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Set;

/**
 * A chunked dataset's chunk index: a version 1 B-tree of type 1 (specification III.A.1), kept
 * copy-on-write. A node the last commit can reach is never modified; the first change to it in
 * a transaction moves it to a fresh slot (and frees the old slot for reuse after the commit), so
 * the whole new tree is built beside the old one and a commit publishes it by rewriting the one
 * root address in the dataset's layout message.
 *
 * <p>Keys are chunk offsets in elements, compared lexicographically (rank + 1 values, the last
 * being 0), as libhdf5 compares them; a leaf's last key is "one past" its last chunk. A node
 * holds at most 2K children; one that overflows splits, keeping the left node full when the
 * new chunk went to the end, so append-only indexes are dense. Only the nodes a transaction
 * touches are in memory (plus the rightmost path, where appends go); more than
 * {@link #MAX_DIRTY_NODES} are written out early to uncommitted slots, which stay safe to
 * rewrite in place until the commit.
 *
 * <p>The cost of one insertion is one root-to-leaf path: log base 2K of the chunk count nodes.
 */
final class ChunkIndex {
    static final int MAX_DIRTY_NODES = 4096;

    /** Where a chunk is stored and how. */
    record Entry(long address, int size, int filterMask) {}

    private static final class Node {
        long address;
        int level;
        int n;
        long[][] key;
        int[] size;
        int[] mask;
        long[] child;
        Node[] cached;
        boolean dirty;
        /** Read from a node libhdf5 linked to its siblings: its old slot is never reused. */
        boolean linked;

        Node(int level, int capacity) {
            this.level = level;
            key = new long[capacity + 2][];
            size = new int[capacity + 2];
            mask = new int[capacity + 2];
            child = new long[capacity + 1];
            cached = new Node[capacity + 1];
        }
    }

    private final FileStorage storage;
    private final String dataset;
    private final int keyLength;
    private final int elementSize;
    private final int k;
    private final int keySize;
    private final int nodeSize;
    private Node root;
    private final Set<Long> uncommitted = new HashSet<>();
    /** Committed slots this transaction moved nodes out of: released once it commits. */
    private final List<Long> superseded = new ArrayList<>();
    private int dirtyNodes;
    private long nodeWrites;

    /**
     * @param rootAddress the committed root, or the undefined address for an empty index
     * @param k the tree's K (the superblock's indexed-storage K; 2K children per node)
     */
    ChunkIndex(FileStorage storage, String dataset, int rank, int elementSize, int k, long rootAddress)
            throws IOException {
        this.storage = storage;
        this.dataset = dataset;
        this.keyLength = rank + 1;
        this.elementSize = elementSize;
        this.k = k;
        this.keySize = 8 + 8 * keyLength;
        this.nodeSize = BTreeNode.size(k, keySize);
        this.root = rootAddress == Bytes.UNDEFINED_ADDRESS ? null : load(rootAddress);
    }

    /** How many nodes were written so far: the cost measure of the index, for tests. */
    long nodeWrites() { return nodeWrites; }

    int depth() { return root == null ? 0 : root.level + 1; }

    private long[] keyOf(long[] chunkOffset) {
        long[] key = Arrays.copyOf(chunkOffset, keyLength);
        key[keyLength - 1] = 0;
        return key;
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Long.compareUnsigned(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private long[] onePast(long[] key) {
        long[] r = key.clone();
        r[keyLength - 1] = elementSize;
        return r;
    }

    /** The chunk at {@code chunkOffset} (element coordinates), or null when none is stored. */
    Entry get(long[] chunkOffset) throws IOException {
        long[] x = keyOf(chunkOffset);
        Node node = root;
        if (node == null) return null;
        while (node.level > 0) {
            node = child(node, childFor(node, x));
        }
        int pos = find(node, x);
        return pos >= 0 ? new Entry(node.child[pos], node.size[pos], node.mask[pos]) : null;
    }

    /** Inserts or replaces the chunk at {@code chunkOffset}. */
    void put(long[] chunkOffset, long address, int size, int filterMask) throws IOException {
        long[] x = keyOf(chunkOffset);
        if (root == null) {
            root = new Node(0, 2 * k);
            touch(root, true);
        }
        Node sibling = insert(root, x, address, size, filterMask);
        if (sibling != null) {
            Node newRoot = new Node(root.level + 1, 2 * k);
            touch(newRoot, true);
            newRoot.n = 2;
            setChild(newRoot, 0, root);
            setChild(newRoot, 1, sibling);
            newRoot.key[2] = sibling.key[sibling.n];
            root = newRoot;
        }
        if (dirtyNodes > MAX_DIRTY_NODES) {
            writeDirty();
        }
    }

    /** Writes every changed node and returns the root address to publish (or undefined). */
    long writeDirty() throws IOException {
        if (root == null) return Bytes.UNDEFINED_ADDRESS;
        write(root);
        trim(root);
        dirtyNodes = 0;
        return root.address;
    }

    /** After the commit that published {@link #writeDirty()}'s root: all nodes are committed. */
    void afterCommit() {
        uncommitted.clear();
        for (long a : superseded) storage.release(a, nodeSize);
        superseded.clear();
    }

    /** Visits every stored chunk in key order. */
    void forEach(ChunkVisitor visitor) throws IOException {
        if (root != null) visit(root, visitor, new HashSet<>());
    }

    /** Receives one chunk of {@link #forEach}. */
    interface ChunkVisitor {
        void chunk(long[] offset, Entry entry) throws IOException;
    }

    /**
     * Visits a subtree. Every node has an address of its own (new nodes get fresh slots), so a
     * node reached twice means a corrupt tree whose shared subtrees would cost an exponential walk.
     */
    private void visit(Node node, ChunkVisitor v, Set<Long> seen) throws IOException {
        if (!seen.add(node.address)) {
            throw new Hdf5Exception(storage.path() + ": dataset " + dataset + ": chunk B-tree node at " + node.address
                    + " is reached twice: a corrupt index");
        }
        for (int i = 0; i < node.n; i++) {
            if (node.level == 0) {
                v.chunk(Arrays.copyOf(node.key[i], keyLength - 1), new Entry(node.child[i], node.size[i], node.mask[i]));
            } else {
                boolean wasCached = node.cached[i] != null;
                visit(child(node, i), v, seen);
                if (!wasCached && !node.cached[i].dirty) node.cached[i] = null;
            }
        }
    }

    private Node insert(Node node, long[] x, long address, int size, int mask) throws IOException {
        touch(node, false);
        if (node.level == 0) {
            int pos = find(node, x);
            if (pos >= 0) {
                node.child[pos] = address;
                node.size[pos] = size;
                node.mask[pos] = mask;
                return null;
            }
            pos = -pos - 1;
            boolean atEnd = pos == node.n;
            long[] right = node.n == 0 ? onePast(x) : node.key[node.n];
            shift(node, pos);
            node.key[pos] = x;
            node.size[pos] = size;
            node.mask[pos] = mask;
            node.child[pos] = address;
            node.cached[pos] = null;
            node.n++;
            node.key[node.n] = atEnd ? maxKey(right, onePast(x)) : right;
            return node.n > 2 * k ? split(node, atEnd) : null;
        }
        int i = childFor(node, x);
        Node c = child(node, i);
        Node sibling = insert(c, x, address, size, mask);
        setChild(node, i, c);
        if (i == node.n - 1) node.key[node.n] = c.key[c.n];
        if (sibling == null) return null;
        boolean atEnd = i == node.n - 1;
        shift(node, i + 1);
        node.n++;
        setChild(node, i + 1, sibling);
        if (i + 1 == node.n - 1) node.key[node.n] = sibling.key[sibling.n];
        return node.n > 2 * k ? split(node, atEnd) : null;
    }

    private long[] maxKey(long[] a, long[] b) {
        return compare(a, b) >= 0 ? a : b;
    }

    /** Opens a gap at position {@code pos} (keys, children and their per-entry fields). */
    private static void shift(Node node, int pos) {
        int n = node.n;
        System.arraycopy(node.key, pos, node.key, pos + 1, n + 1 - pos);
        System.arraycopy(node.size, pos, node.size, pos + 1, n + 1 - pos);
        System.arraycopy(node.mask, pos, node.mask, pos + 1, n + 1 - pos);
        System.arraycopy(node.child, pos, node.child, pos + 1, n - pos);
        System.arraycopy(node.cached, pos, node.cached, pos + 1, n - pos);
    }

    private void setChild(Node parent, int i, Node c) {
        parent.child[i] = c.address;
        parent.cached[i] = c;
        parent.key[i] = c.key[0];
        parent.size[i] = c.size[0];
        parent.mask[i] = c.mask[0];
    }

    /** Splits an overfull node; returns the new right sibling. */
    private Node split(Node node, boolean appendOnly) {
        int leftCount = appendOnly ? 2 * k : node.n / 2;
        Node right = new Node(node.level, 2 * k);
        touch(right, true);
        right.n = node.n - leftCount;
        System.arraycopy(node.key, leftCount, right.key, 0, right.n + 1);
        System.arraycopy(node.size, leftCount, right.size, 0, right.n + 1);
        System.arraycopy(node.mask, leftCount, right.mask, 0, right.n + 1);
        System.arraycopy(node.child, leftCount, right.child, 0, right.n);
        System.arraycopy(node.cached, leftCount, right.cached, 0, right.n);
        Arrays.fill(node.cached, leftCount, node.cached.length, null);
        node.n = leftCount;
        return right;
    }

    /** Marks a node changed, moving it to a new slot if the committed tree can still reach it. */
    private void touch(Node node, boolean fresh) {
        if (!node.dirty) {
            node.dirty = true;
            dirtyNodes++;
        }
        if (fresh || !uncommitted.contains(node.address)) {
            if (!fresh && !node.linked) superseded.add(node.address);
            node.linked = false;
            node.address = storage.allocateNode(nodeSize);
            uncommitted.add(node.address);
        }
    }

    /** The child whose key range holds {@code x}: the last i with key[i] <= x, at least 0. */
    private int childFor(Node node, long[] x) {
        int lo = 0;
        int hi = node.n - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (compare(node.key[mid], x) <= 0) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /** Position of {@code x} in a leaf, or -(insertion point) - 1. */
    private static int find(Node node, long[] x) {
        int lo = 0;
        int hi = node.n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(node.key[mid], x);
            if (c < 0) lo = mid + 1; else if (c > 0) hi = mid - 1; else return mid;
        }
        return -lo - 1;
    }

    private Node child(Node node, int i) throws IOException {
        if (node.cached[i] == null) {
            Node c = load(node.child[i]);
            if (c.level != node.level - 1) {
                throw new Hdf5Exception(storage.path() + ": dataset " + dataset + ": chunk B-tree node at " + node.child[i]
                        + " has level " + c.level + ", its parent expects " + (node.level - 1));
            }
            node.cached[i] = c;
        }
        return node.cached[i];
    }

    private Node load(long address) throws IOException {
        BTreeNode raw = BTreeNode.read(storage, address, BTreeNode.CHUNK_NODES, keySize, 2 * k, "dataset " + dataset);
        Node node = new Node(raw.level, 2 * k);
        node.address = address;
        node.linked = raw.linkedToSiblings;
        node.n = raw.entries;
        for (int i = 0; i <= raw.entries; i++) {
            ByteBuffer b = ByteBuffer.wrap(raw.keys[i]).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            node.size[i] = b.getInt();
            node.mask[i] = b.getInt();
            long[] key = new long[keyLength];
            for (int d = 0; d < keyLength; d++) key[d] = b.getLong();
            node.key[i] = key;
        }
        System.arraycopy(raw.children, 0, node.child, 0, raw.entries);
        return node;
    }

    private void write(Node node) throws IOException {
        if (!node.dirty) return;
        for (int i = 0; i < node.n; i++) {
            if (node.level > 0 && node.cached[i] != null) {
                write(node.cached[i]);
                node.child[i] = node.cached[i].address;
            }
        }
        byte[][] keys = new byte[node.n + 1][];
        for (int i = 0; i <= node.n; i++) {
            ByteBuffer b = Bytes.allocate(keySize);
            b.putInt(node.size[i]);
            b.putInt(node.mask[i]);
            for (long v : node.key[i]) b.putLong(v);
            keys[i] = b.array();
        }
        BTreeNode raw = new BTreeNode(BTreeNode.CHUNK_NODES, node.level, node.n, keys, node.child);
        storage.write(node.address, raw.encode(k, keySize));
        nodeWrites++;
        node.dirty = false;
    }

    /** Drops cached subtrees except the rightmost path, where the next appends will go. */
    private void trim(Node node) {
        if (node.level == 0) return;
        for (int i = 0; i < node.n - 1; i++) node.cached[i] = null;
        Node last = node.cached[node.n - 1];
        if (last != null) trim(last);
    }
}
