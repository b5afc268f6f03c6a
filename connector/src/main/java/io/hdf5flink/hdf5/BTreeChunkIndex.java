package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.Bytes;
import java.io.IOException;
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
final class BTreeChunkIndex implements ChunkIndex {
    static final int MAX_DIRTY_NODES = 4096;

    private final FileStorage storage;
    private final String dataset;
    private final ErrorContext where;
    private final int keyLength;
    private final int elementSize;
    private final int k;
    private final int keySize;
    private final int nodeSize;
    private ChunkIndexNode root;
    private final Set<Long> uncommitted = new HashSet<>();
    /** Committed slots this transaction moved nodes out of: released once it commits. */
    private final List<Long> superseded = new ArrayList<>();
    private int dirtyNodes;
    private long nodeWrites;

    /**
     * @param rootAddress the committed root, or the undefined address for an empty index
     * @param k the tree's K (the superblock's indexed-storage K; 2K children per node)
     */
    BTreeChunkIndex(FileStorage storage, String dataset, int rank, int elementSize, int k, long rootAddress)
            throws IOException {
        this.storage = storage;
        this.dataset = dataset;
        this.where = ErrorContext.of(storage.path()).object(dataset);
        this.keyLength = rank + 1;
        this.elementSize = elementSize;
        this.k = k;
        this.keySize = 8 + 8 * keyLength;
        this.nodeSize = BTreeNode.size(k, keySize);
        this.root = rootAddress == Bytes.UNDEFINED_ADDRESS ? null : load(rootAddress);
    }

    /** How many nodes were written so far: the cost measure of the index, for tests. */
    @Override
    public long nodeWrites() { return nodeWrites; }

    @Override
    public int depth() { return root == null ? 0 : root.level + 1; }

    private long[] keyOf(long[] chunkOffset) {
        long[] key = Arrays.copyOf(chunkOffset, keyLength);
        key[keyLength - 1] = 0;
        return key;
    }

    private long[] onePast(long[] key) {
        long[] r = key.clone();
        r[keyLength - 1] = elementSize;
        return r;
    }

    /** The chunk at {@code chunkOffset} (element coordinates), or null when none is stored. */
    @Override
    public Entry get(long[] chunkOffset) throws IOException {
        long[] x = keyOf(chunkOffset);
        ChunkIndexNode node = root;
        if (node == null) return null;
        while (node.level > 0) {
            node = child(node, node.childFor(x));
        }
        int pos = node.find(x);
        return pos >= 0 ? new Entry(node.child[pos], node.size[pos], node.mask[pos]) : null;
    }

    /** Inserts or replaces the chunk at {@code chunkOffset}. */
    @Override
    public void put(long[] chunkOffset, long address, int size, int filterMask) throws IOException {
        long[] x = keyOf(chunkOffset);
        if (root == null) {
            root = new ChunkIndexNode(0, 2 * k);
            touch(root, true);
        }
        ChunkIndexNode sibling = insert(root, x, address, size, filterMask);
        if (sibling != null) {
            ChunkIndexNode newRoot = new ChunkIndexNode(root.level + 1, 2 * k);
            touch(newRoot, true);
            newRoot.n = 2;
            newRoot.setChild(0, root);
            newRoot.setChild(1, sibling);
            newRoot.key[2] = sibling.key[sibling.n];
            root = newRoot;
        }
        if (dirtyNodes > MAX_DIRTY_NODES) {
            writeDirty();
        }
    }

    /** Writes every changed node and returns the root address to publish (or undefined). */
    @Override
    public long writeDirty() throws IOException {
        if (root == null) return Bytes.UNDEFINED_ADDRESS;
        write(root);
        trim(root);
        dirtyNodes = 0;
        return root.address;
    }

    /** After the commit that published {@link #writeDirty()}'s root: all nodes are committed. */
    @Override
    public void afterCommit() {
        uncommitted.clear();
        for (long a : superseded) storage.release(a, nodeSize);
        superseded.clear();
    }

    /** Visits every stored chunk in key order. */
    @Override
    public void forEach(ChunkVisitor visitor) throws IOException {
        if (root != null) visit(root, visitor, new HashSet<>());
    }


    /**
     * Visits a subtree. Every node has an address of its own (new nodes get fresh slots), so a
     * node reached twice means a corrupt tree whose shared subtrees would cost an exponential walk.
     */
    private void visit(ChunkIndexNode node, ChunkVisitor v, Set<Long> seen) throws IOException {
        if (!seen.add(node.address)) {
            throw where.error("chunk B-tree node at " + node.address + " is reached twice: a corrupt index");
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

    private ChunkIndexNode insert(ChunkIndexNode node, long[] x, long address, int size, int mask) throws IOException {
        touch(node, false);
        if (node.level == 0) {
            int pos = node.find(x);
            if (pos >= 0) {
                node.setChunk(pos, address, size, mask);
                return null;
            }
            pos = -pos - 1;
            boolean atEnd = pos == node.n;
            long[] right = node.n == 0 ? onePast(x) : node.key[node.n];
            node.shift(pos);
            node.key[pos] = x;
            node.setChunk(pos, address, size, mask);
            node.cached[pos] = null;
            node.n++;
            node.key[node.n] = atEnd ? maxKey(right, onePast(x)) : right;
            return node.n > 2 * k ? split(node, atEnd) : null;
        }
        int i = node.childFor(x);
        ChunkIndexNode c = child(node, i);
        ChunkIndexNode sibling = insert(c, x, address, size, mask);
        node.setChild(i, c);
        if (i == node.n - 1) node.key[node.n] = c.key[c.n];
        if (sibling == null) return null;
        boolean atEnd = i == node.n - 1;
        node.shift(i + 1);
        node.n++;
        node.setChild(i + 1, sibling);
        if (i + 1 == node.n - 1) node.key[node.n] = sibling.key[sibling.n];
        return node.n > 2 * k ? split(node, atEnd) : null;
    }

    private long[] maxKey(long[] a, long[] b) {
        return ChunkIndexNode.compare(a, b) >= 0 ? a : b;
    }

    /** Splits an overfull node; returns the new right sibling. */
    private ChunkIndexNode split(ChunkIndexNode node, boolean appendOnly) {
        int leftCount = appendOnly ? 2 * k : node.n / 2;
        ChunkIndexNode right = new ChunkIndexNode(node.level, 2 * k);
        touch(right, true);
        node.moveTail(leftCount, right);
        return right;
    }

    /** Marks a node changed, moving it to a new slot if the committed tree can still reach it. */
    private void touch(ChunkIndexNode node, boolean fresh) {
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

    private ChunkIndexNode child(ChunkIndexNode node, int i) throws IOException {
        if (node.cached[i] == null) {
            ChunkIndexNode c = load(node.child[i]);
            if (c.level != node.level - 1) {
                throw where.error("chunk B-tree node at " + node.child[i] + " has level " + c.level
                        + ", its parent expects " + (node.level - 1));
            }
            node.cached[i] = c;
        }
        return node.cached[i];
    }

    private ChunkIndexNode load(long address) throws IOException {
        BTreeNode raw = BTreeNode.read(storage, address, BTreeNode.CHUNK_NODES, keySize, 2 * k, "dataset " + dataset);
        return ChunkIndexNode.decode(raw, address, 2 * k, keyLength);
    }

    private void write(ChunkIndexNode node) throws IOException {
        if (!node.dirty) return;
        for (int i = 0; i < node.n; i++) {
            if (node.level > 0 && node.cached[i] != null) {
                write(node.cached[i]);
                node.child[i] = node.cached[i].address;
            }
        }
        storage.write(node.address, node.encode(keySize).encode(k, keySize));
        nodeWrites++;
        node.dirty = false;
    }

    /** Drops cached subtrees except the rightmost path, where the next appends will go. */
    private void trim(ChunkIndexNode node) {
        if (node.level == 0) return;
        for (int i = 0; i < node.n - 1; i++) node.cached[i] = null;
        ChunkIndexNode last = node.cached[node.n - 1];
        if (last != null) trim(last);
    }
}
