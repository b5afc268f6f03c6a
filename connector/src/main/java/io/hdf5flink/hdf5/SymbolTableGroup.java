package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.FractalHeap;
import io.hdf5flink.hdf5.format.LinkMessage;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.format.LocalHeap;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import io.hdf5flink.hdf5.format.SymbolTableNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The links of one "old-style" group: a version 1 B-tree of type 0 whose leaves are symbol
 * table nodes, and a local heap holding the names. This is how h5py's default format stores
 * groups, so groups this engine creates and groups h5py created are handled alike.
 *
 * <p>Adding a link keeps the file valid at every instant: the new object and a copy of the heap
 * segment with the new name are written past the end of file, then every symbol table node and
 * non-root B-tree node is written anew, then the heap header is repointed (one write), and last
 * the B-tree root, whose address the group's header and its parent's cache hold, is rewritten in
 * place (one write within one page). Until that last write the old tree is what readers see.
 * The cost is linear in the group's size, which suits groups of up to thousands of members.
 * A non-ASCII name is not added here: the group is converted to link messages first, as libhdf5
 * converts it ({@link #needsLinkMessage}).
 */
final class SymbolTableGroup implements GroupLinks {
    /** Link names sort as libhdf5 sorts them: strcmp on their UTF-8 bytes. */
    static final Comparator<String> NAME_ORDER = (a, b) ->
            Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final FileStorage storage;
    private final String path;
    private final long bTreeAddress;
    private final long heapAddress;
    private final int leafK;
    private final int internalK;
    private LocalHeap heap;
    private byte[] heapData;
    private final TreeMap<String, SymbolTableEntry> links = new TreeMap<>(NAME_ORDER);

    private SymbolTableGroup(FileStorage storage, String path, long bTreeAddress, long heapAddress, int leafK, int internalK) {
        this.storage = storage;
        this.path = path;
        this.bTreeAddress = bTreeAddress;
        this.heapAddress = heapAddress;
        this.leafK = leafK;
        this.internalK = internalK;
    }

    static int rootNodeSize(int internalK) {
        return BTreeNode.size(internalK, 8);
    }

    /** Reads a group's links. */
    static SymbolTableGroup load(FileStorage storage, String path, long bTreeAddress, long heapAddress,
            int leafK, int internalK) throws IOException {
        SymbolTableGroup g = new SymbolTableGroup(storage, path, bTreeAddress, heapAddress, leafK, internalK);
        g.heap = LocalHeap.read(storage, heapAddress, path);
        g.heapData = g.heap.readData(storage, path);
        g.readNode(bTreeAddress, -1, 0, new java.util.HashSet<>());
        return g;
    }

    /**
     * Writes the structures of a new, empty group: a heap holding only the empty name and an
     * empty B-tree root. Returns the group; its addresses go into the new group's symbol table
     * message.
     */
    static SymbolTableGroup create(FileStorage storage, String path, int leafK, int internalK) throws IOException {
        long btree = storage.allocateInPlace(rootNodeSize(internalK));
        long heapHeader = storage.allocateInPlace(LocalHeap.HEADER_SIZE);
        byte[] data = new byte[8];
        long dataAddress = storage.allocate(data.length);
        storage.write(dataAddress, data);
        LocalHeap heap = new LocalHeap(data.length, LocalHeap.FREE_LIST_EMPTY, dataAddress);
        storage.write(heapHeader, heap.encodeHeader());
        BTreeNode empty = new BTreeNode(BTreeNode.GROUP_NODES, 0, 0, new byte[][] {new byte[8]}, new long[0]);
        storage.write(btree, empty.encode(internalK, 8));
        SymbolTableGroup g = new SymbolTableGroup(storage, path, btree, heapHeader, leafK, internalK);
        g.heap = heap;
        g.heapData = data;
        return g;
    }

    long bTreeAddress() { return bTreeAddress; }

    long heapAddress() { return heapAddress; }

    /** A string stored in the group's heap, such as a soft link's target. */
    private String linkValue(long offset) {
        return LocalHeap.nameAt(heapData, offset, path);
    }

    @Override
    public GroupLink link(String name) {
        SymbolTableEntry e = links.get(name);
        if (e == null) return null;
        if (e.cacheType() == SymbolTableEntry.CACHE_SOFT_LINK) {
            return new GroupLink(name, GroupLink.Kind.SOFT, Bytes.UNDEFINED_ADDRESS, linkValue(e.softLinkValueOffset()));
        }
        return GroupLink.hard(name, e.objectHeaderAddress());
    }

    @Override
    public List<String> names() { return new ArrayList<>(links.keySet()); }

    @Override
    public void checkCanAdd(ObjectHeader header, String name) {
        if (links.containsKey(name)) throw ErrorContext.of(storage.path()).error(path + " already has a member named '" + name + "'");
        if (needsLinkMessage(name) && header.version() != 1) {
            throw ErrorContext.of(storage.path()).object(path).error("cannot add '" + name + "': " + path
                    + " is a symbol-table group in a version 2 object header, which the engine does not convert to link messages,"
                    + " and a symbol table has no place for a non-ASCII name's character set");
        }
        if (needsLinkMessage(name) && links.size() >= io.hdf5flink.hdf5.format.GroupInfoMessage.DEFAULT_MAX_COMPACT) {
            // Converted to dense storage: every link message must fit the heap's blocks.
            for (String n : links.keySet()) {
                if (LinkMessage.hard(n, 0).encodeBody().length > FractalHeap.MAX_LINK_OBJECT) {
                    throw ErrorContext.of(storage.path()).object(path).error("cannot add '" + name + "': " + path
                            + " would be converted to dense link storage, whose heap the engine writes holds no link message of more than "
                            + FractalHeap.MAX_LINK_OBJECT + " bytes, and its link '" + n.substring(0, 40) + "...' has a longer name");
                }
            }
        }
    }

    /**
     * Whether a link named {@code name} needs a link message: a symbol table records no character
     * set, so libhdf5 converts the group to link messages (UTF-8 flagged) for a non-ASCII name
     * ({@link LinkMessageGroup#fromSymbolTable}).
     */
    static boolean needsLinkMessage(String name) {
        return !name.chars().allMatch(c -> c < 0x80);
    }

    @Override
    public ObjectHeader addHardLink(ObjectHeader header, String name, long address, SymbolTableGroup newGroup) throws IOException {
        insert(name, newGroup == null ? SymbolTableEntry.forObject(0, address)
                : SymbolTableEntry.forGroup(0, address, newGroup.bTreeAddress(), newGroup.heapAddress()));
        return header;
    }

    /**
     * Reads a node and what it points to. A valid tree reaches each node once; {@code seen}
     * refuses a node (or symbol table node) reached twice, which otherwise would make a few
     * shared nodes cost an exponential walk.
     */
    private void readNode(long address, int expectedLevel, int depth, java.util.Set<Long> seen) throws IOException {
        if (depth > 64) throw new Hdf5FormatException(path + ": group B-tree deeper than 64 levels (a cycle?)");
        if (!seen.add(address)) {
            throw new Hdf5FormatException(path + ": group B-tree node at " + address + " is reached twice: a corrupt tree");
        }
        BTreeNode node = BTreeNode.read(storage, address, BTreeNode.GROUP_NODES, 8, 2 * internalK, "group " + path);
        if (expectedLevel >= 0 && node.level != expectedLevel) {
            throw new Hdf5FormatException(path + ": group B-tree node at " + address + " has level " + node.level
                    + ", expected " + expectedLevel);
        }
        for (int i = 0; i < node.entries; i++) {
            if (node.level > 0) {
                readNode(node.children[i], node.level - 1, depth + 1, seen);
            } else {
                if (!seen.add(node.children[i])) {
                    throw new Hdf5FormatException(path + ": symbol table node at " + node.children[i]
                            + " is reached twice: a corrupt group B-tree");
                }
                for (SymbolTableEntry e : SymbolTableNode.read(storage, node.children[i], leafK, path)) {
                    links.put(LocalHeap.nameAt(heapData, e.linkNameOffset(), path), e);
                }
            }
        }
    }

    /** Adds a link; {@code entry}'s name offset is filled in here. */
    private void insert(String name, SymbolTableEntry entry) throws IOException {
        if (links.containsKey(name)) {
            throw ErrorContext.of(storage.path()).error(path + " already has a member named '" + name + "'");
        }
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        long nameOffset = heapData.length;
        byte[] newData = Arrays.copyOf(heapData, heapData.length + Bytes.pad8(nameBytes.length));
        System.arraycopy(nameBytes, 0, newData, (int) nameOffset, nameBytes.length);
        long newDataAddress = storage.allocate(newData.length);
        storage.write(newDataAddress, newData);
        LocalHeap newHeap = new LocalHeap(newData.length, LocalHeap.FREE_LIST_EMPTY, newDataAddress);

        TreeMap<String, SymbolTableEntry> all = new TreeMap<>(links);
        all.put(name, entry.withNameOffset(nameOffset));
        byte[] root = writeTree(new ArrayList<>(all.values()));

        storage.publishEof();
        storage.write(heapAddress, newHeap.encodeHeader());
        storage.write(bTreeAddress, root);
        heap = newHeap;
        heapData = newData;
        links.put(name, entry.withNameOffset(nameOffset));
    }

    /**
     * Writes symbol table nodes and B-tree levels for {@code entries} (sorted) at new addresses
     * and returns the encoded root node, for the caller to write at the fixed root address.
     */
    private byte[] writeTree(List<SymbolTableEntry> entries) throws IOException {
        int perLeaf = 2 * leafK;
        int perNode = 2 * internalK;
        List<Long> children = new ArrayList<>();
        List<Long> rightKeys = new ArrayList<>();
        for (int from = 0; from < entries.size(); from += perLeaf) {
            List<SymbolTableEntry> part = entries.subList(from, Math.min(entries.size(), from + perLeaf));
            long a = storage.allocateNode(SymbolTableNode.size(leafK));
            storage.write(a, SymbolTableNode.encode(part, leafK));
            children.add(a);
            rightKeys.add(part.get(part.size() - 1).linkNameOffset());
        }
        int level = 0;
        while (children.size() > perNode) {
            List<Long> parents = new ArrayList<>();
            List<Long> parentKeys = new ArrayList<>();
            for (int from = 0; from < children.size(); from += perNode) {
                int to = Math.min(children.size(), from + perNode);
                byte[] node = groupNode(level, children.subList(from, to), rightKeys.subList(from, to));
                long a = storage.allocateNode(node.length);
                storage.write(a, node);
                parents.add(a);
                parentKeys.add(rightKeys.get(to - 1));
            }
            children = parents;
            rightKeys = parentKeys;
            level++;
        }
        return groupNode(level, children, rightKeys);
    }

    /** A group B-tree node: key 0 is the empty name, key i+1 the last name under child i. */
    private byte[] groupNode(int level, List<Long> children, List<Long> rightKeys) {
        int n = children.size();
        byte[][] keys = new byte[n + 1][];
        keys[0] = new byte[8];
        long[] child = new long[n];
        for (int i = 0; i < n; i++) {
            child[i] = children.get(i);
            keys[i + 1] = Bytes.allocate(8).putLong(0, rightKeys.get(i)).array();
        }
        return new BTreeNode(BTreeNode.GROUP_NODES, level, n, keys, child).encode(internalK, 8);
    }

}
