package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.FractalHeap;
import io.hdf5flink.hdf5.format.GroupInfoMessage;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.format.LinkInfoMessage;
import io.hdf5flink.hdf5.format.LinkMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.V2BTree;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The links of a group stored with link messages (a "new-style" group: a link info message in
 * its header). libhdf5 stores groups this way for {@code libver='latest'} and
 * {@code track_order=True}, and, in h5py's default format too, as soon as a group holds a
 * non-ASCII name or an external link. In compact storage each link is a link message in the
 * group's header; in dense storage (more links than the group info message's compact maximum)
 * each is an object of a fractal heap whose name index is a version 2 B-tree. Both are read;
 * soft, external and user-defined links are kept as they are and never followed.
 *
 * <p>A link is added to a compact group as a new header message ({@link HeaderEditor}: one write
 * into free header space, or into a continuation block written first). When the group tracks
 * creation order, the link takes the link info's next creation index, which is raised in place
 * before the link is written: a crash between the two leaves a gap in the creation order (as a
 * deletion does), never two links with one index. A link into a dense group, or into a compact
 * one at its maximum (which libhdf5 makes dense then), is added copy-on-write: a new heap and new
 * indexes with every link, written and published first, then one write of the header switches
 * the group to them; this is done once per commit for all the links added since ({@link #flush}),
 * so a commit that adds links to a group of n links writes O(n) bytes (about 45 bytes a link with
 * short names). The blocks a later commit of the same writer supersedes are reused
 * ({@link FileStorage#release}); those of the storage the group had when opened stay unreferenced.
 * A link message larger than 4 KiB (libhdf5 would store it outside the heap's blocks) is refused
 * by name, the file left as it was.
 */
final class LinkMessageGroup implements GroupLinks {
    private final FileStorage storage;
    private final String path;
    private LinkInfoMessage info;
    private final GroupInfoMessage limits;
    private long nextCreationIndex;
    /** Whether links were added to dense storage since it was last written. */
    private boolean densePending;
    /** The dense storage this object last wrote, released for reuse once a later one replaces it. */
    private Dense written;
    private final TreeMap<String, LinkMessage> links = new TreeMap<>(SymbolTableGroup.NAME_ORDER);
    /** The bytes of every link message, as dense storage's heap would hold them, and the largest. */
    private long messageBytes;
    private int largestMessage;
    /** Whether a link has no creation index (a group that started tracking creation order late). */
    private boolean someWithoutCreationIndex;

    private LinkMessageGroup(FileStorage storage, String path, LinkInfoMessage info, GroupInfoMessage limits) {
        this.storage = storage;
        this.path = path;
        this.info = info;
        this.limits = limits;
        this.nextCreationIndex = info.nextCreationIndex();
    }

    /** A new group's links: none, compact, no creation order tracked (what {@code ObjectTree} writes in its header). */
    static LinkMessageGroup empty(FileStorage storage, String path) {
        return new LinkMessageGroup(storage, path, new LinkInfoMessage(), new GroupInfoMessage());
    }

    /** A group converted from a symbol table: its links and its header after the change. */
    record Converted(LinkMessageGroup links, ObjectHeader header) {}

    /**
     * Stores the links of a symbol-table group as link messages, with a new hard link {@code
     * name} to {@code address}, as libhdf5 does when a link needs what a symbol table cannot
     * record (here a non-ASCII name, whose link message carries the UTF-8 character set). The
     * link info and group info messages and the link messages (compact, up to the default 8
     * links; else a dense heap and name index, written first) go into a new continuation block,
     * written and published first; then one write turns the symbol table message, whose size a
     * continuation message has, into the continuation message pointing there, and the header's
     * message count is corrected. Until that write readers see the symbol table; the old B-tree
     * and local heap are left unreferenced. A parent's (or the superblock's) cached copy of the
     * symbol table's addresses goes stale, as it does when libhdf5 converts a group: libhdf5
     * checks the cache against the header and drops it.
     */
    static Converted fromSymbolTable(FileStorage storage, String path, ObjectHeader header, GroupLinks table, String name, long address)
            throws IOException {
        Slot symbolTable = header.find(io.hdf5flink.hdf5.format.SymbolTableMessage.TYPE);
        if (header.version() != 1 || symbolTable == null) {
            throw new IllegalStateException(path + ": only a symbol table message of a version 1 header is converted");
        }
        LinkMessageGroup g = new LinkMessageGroup(storage, path, new LinkInfoMessage(), new GroupInfoMessage());
        for (String n : table.names()) {
            GroupLink l = table.link(n);
            g.put(l.kind() == GroupLink.Kind.SOFT ? LinkMessage.soft(n, l.target()) : LinkMessage.hard(n, l.address()));
        }
        g.put(LinkMessage.hard(name, address));
        boolean dense = g.links.size() > g.limits.maxCompact();
        if (dense) {
            Dense d = g.dense(new ArrayList<>(g.links.values()), storage::allocateNode);
            if (d == null) throw new IllegalStateException(path + ": links SymbolTableGroup.checkCanAdd accepted do not fit dense storage");
            g.writeBlocks(d);
            g.info = g.info.dense(0, d.heap().headerAddress(), d.names().headerAddress(), Bytes.UNDEFINED_ADDRESS);
            g.written = d;
        }
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        messages.write(message(g.info.type(), 0, g.info.encodeBody()));
        messages.write(message(GroupInfoMessage.TYPE, GROUP_INFO_FLAGS, g.limits.encodeBody()));
        if (!dense) for (LinkMessage m : g.links.values()) messages.write(message(LinkMessage.TYPE, 0, m.encodeBody()));
        ByteBuffer block = Bytes.allocate(messages.size() + HeaderEditor.CONTINUATION_SLACK);
        block.put(messages.toByteArray());
        ObjectHeader.putNil(block, HeaderEditor.CONTINUATION_SLACK);
        long blockAddress = storage.allocateInPlace(block.capacity());
        storage.write(blockAddress, block.array());
        storage.publishEof();
        byte[] continuation = message(io.hdf5flink.hdf5.format.ObjectHeaderContinuationMessage.TYPE, 0,
                new io.hdf5flink.hdf5.format.ObjectHeaderContinuationMessage(blockAddress, block.capacity()).encodeBody());
        if (continuation.length != symbolTable.totalSize()) throw new IllegalStateException(path + ": a symbol table message of another size");
        HeaderEditor.write(storage, header, List.of(new HeaderEditor.Edit(symbolTable.chunk(), symbolTable.messageAddress(), continuation)), path);
        return new Converted(g, HeaderEditor.recount(storage, header.address(), path));
    }

    /** libhdf5 marks a group info message constant. */
    private static final int GROUP_INFO_FLAGS = 0x01;

    private static byte[] message(int type, int flags, byte[] body) {
        ByteBuffer b = Bytes.allocate(ObjectHeader.messageSize(body.length));
        ObjectHeader.putMessage(b, type, flags, body);
        return b.array();
    }

    /** Writes every block of {@code d}; the caller publishes the end of file. */
    private void writeBlocks(Dense d) throws IOException {
        for (Map<Long, byte[]> blocks : d.blocks()) {
            for (Map.Entry<Long, byte[]> b : blocks.entrySet()) storage.write(b.getKey(), b.getValue());
        }
    }

    /** Whether {@code header} is that of a group stored with link messages. */
    static boolean isOne(ObjectHeader header) {
        return header.find(LinkInfoMessage.TYPE) != null;
    }

    /** Reads the links of the group whose header is {@code header}. */
    static LinkMessageGroup load(FileStorage storage, String path, ObjectHeader header) throws IOException {
        Slot infoSlot = header.find(LinkInfoMessage.TYPE);
        LinkInfoMessage info = LinkInfoMessage.decode(body(storage, infoSlot, path), path);
        Slot limitsSlot = header.find(GroupInfoMessage.TYPE);
        GroupInfoMessage limits = limitsSlot == null ? new GroupInfoMessage() : GroupInfoMessage.decode(body(storage, limitsSlot, path), path);
        LinkMessageGroup g = new LinkMessageGroup(storage, path, info, limits);
        if (info.isDense()) {
            if (!header.findAll(LinkMessage.TYPE).isEmpty()) {
                throw new Hdf5FormatException(path + ": a group with dense link storage also has link messages in its header");
            }
            FractalHeap heap = FractalHeap.open(storage, info.fractalHeapAddress(), path);
            for (ByteBuffer record : V2BTree.records(storage, info.nameIndexAddress(), 5, path)) {
                if (record.remaining() < 4 + heap.heapIdLength()) {
                    throw new Hdf5FormatException(path + ": name index records of " + record.remaining() + " bytes hold no heap ID");
                }
                record.position(4); // the name's hash, then the heap ID
                g.put(LinkMessage.decode(heap.object(record), path));
            }
        } else {
            for (Slot s : header.findAll(LinkMessage.TYPE)) g.put(LinkMessage.decode(body(storage, s, path), path));
        }
        return g;
    }

    private void put(LinkMessage m) {
        if (links.put(m.name(), m) != null) throw new Hdf5FormatException(path + " has two links named '" + m.name() + "'");
        int size = m.encodeBody().length;
        messageBytes += size;
        largestMessage = Math.max(largestMessage, size);
        someWithoutCreationIndex |= m.creationIndex() < 0;
    }

    private static ByteBuffer body(FileStorage storage, Slot s, String path) throws IOException {
        return storage.read(s.bodyAddress(), s.bodySize(), "header message of " + path);
    }

    @Override
    public GroupLink link(String name) {
        LinkMessage m = links.get(name);
        if (m == null) return null;
        return switch (m.linkType()) {
            case LinkMessage.HARD -> GroupLink.hard(name, m.address());
            case LinkMessage.SOFT -> new GroupLink(name, GroupLink.Kind.SOFT, Bytes.UNDEFINED_ADDRESS, m.target());
            case LinkMessage.EXTERNAL -> new GroupLink(name, GroupLink.Kind.EXTERNAL, Bytes.UNDEFINED_ADDRESS, m.target());
            default -> new GroupLink(name, GroupLink.Kind.USER_DEFINED, Bytes.UNDEFINED_ADDRESS, m.target());
        };
    }

    @Override
    public List<String> names() { return new ArrayList<>(links.keySet()); }

    @Override
    public void checkCanAdd(ObjectHeader header, String name) {
        ErrorContext where = ErrorContext.of(storage.path()).object(path);
        if (links.containsKey(name)) throw where.error(path + " already has a member named '" + name + "'");
        if (!info.isDense() && links.size() < limits.maxCompact()) return;
        String why = denseRefusal(name);
        if (why != null) throw where.error("cannot add '" + name + "': " + path + " " + why);
    }

    /**
     * Why the group cannot hold its links and one more named {@code name} in new dense storage,
     * or null when it can: every link message at most 4 KiB (libhdf5 keeps larger ones outside
     * the heap's blocks, as "huge" objects, which the engine does not write), at most 2 GiB of
     * them (the heap's 32-bit address space, with room for the blocks' unused tails), and a
     * creation index on every link when the group indexes them.
     */
    private String denseRefusal(String name) {
        if (info.indexesCreationOrder() && someWithoutCreationIndex) {
            return "indexes its links by creation order, but some have no creation index";
        }
        int size = newLink(name, 0).encodeBody().length;
        if (Math.max(size, largestMessage) > FractalHeap.MAX_LINK_OBJECT) {
            return "would hold a link message of " + Math.max(size, largestMessage) + " bytes (a long name), more than the "
                    + FractalHeap.MAX_LINK_OBJECT + " the engine stores in a dense group's heap";
        }
        if (messageBytes + size > MAX_DENSE_BYTES) {
            return "would hold more than " + (MAX_DENSE_BYTES >> 30) + " GiB of link messages, more than its heap's address space holds";
        }
        return null;
    }

    private static final long MAX_DENSE_BYTES = 2L << 30;

    @Override
    public ObjectHeader addHardLink(ObjectHeader header, String name, long address, SymbolTableGroup newGroup) throws IOException {
        checkCanAdd(header, name);
        if (info.isDense() || links.size() >= limits.maxCompact()) {
            // Dense storage is rewritten whole: once, at the next commit, for every link added until then.
            put(newLink(name, address));
            if (info.tracksCreationOrder()) nextCreationIndex++;
            densePending = true;
            return header;
        }
        LinkMessage link = LinkMessage.hard(name, address);
        if (info.tracksCreationOrder()) {
            link = link.withCreationIndex(nextCreationIndex);
            header = HeaderEditor.patch(storage, header, header.find(LinkInfoMessage.TYPE), LinkInfoMessage.CREATION_INDEX_OFFSET,
                    Bytes.allocate(8).putLong(0, nextCreationIndex + 1).array(), path);
            nextCreationIndex++;
        }
        ObjectHeader changed = HeaderEditor.add(storage, header, LinkMessage.TYPE, 0, link.encodeBody(), path);
        put(link);
        return changed;
    }

    /**
     * Writes the links added to a dense group, or to a compact one at its maximum (which libhdf5
     * would make dense), since the last commit: a new heap and new indexes holding every link are written (at the end of file, or in space earlier commits released)
     * and published, then one write of the header points the link info at them (and, from
     * compact storage, frees every link message): of the block that holds them all, or of the
     * first block after the later ones were copied ({@link HeaderEditor#rewriteTail}). Until
     * that write readers see the group as it was. The heap and indexes this object wrote before
     * are then released for reuse; those the group had when opened are left unreferenced.
     */
    @Override
    public ObjectHeader flush(ObjectHeader header) throws IOException {
        if (!densePending) return header;
        Dense d = dense(new ArrayList<>(links.values()), storage::allocateNode);
        if (d == null) throw new IllegalStateException(path + ": links accepted by checkCanAdd do not fit dense storage");
        writeBlocks(d);
        storage.publishEof();
        LinkInfoMessage next = info.dense(nextCreationIndex, d.heap().headerAddress(),
                d.names().headerAddress(), d.order() == null ? Bytes.UNDEFINED_ADDRESS : d.order().headerAddress());
        Slot infoSlot = header.find(LinkInfoMessage.TYPE);
        List<Slot> freed = info.isDense() ? List.of() : header.findAll(LinkMessage.TYPE);
        ObjectHeader changed;
        if (freed.stream().allMatch(s -> s.chunk() == infoSlot.chunk())) {
            List<HeaderEditor.Edit> edits = new ArrayList<>();
            edits.add(new HeaderEditor.Edit(infoSlot.chunk(), infoSlot.bodyAddress(), next.encodeBody()));
            for (Slot s : freed) edits.add(HeaderEditor.nil(header, s));
            changed = HeaderEditor.patchTogether(storage, header, edits, path);
        } else {
            // Link messages in several blocks: the blocks after the first are copied without
            // them, and one write of the first block switches over.
            changed = HeaderEditor.rewriteTail(storage, header, new java.util.HashSet<>(freed), Map.of(infoSlot, next.encodeBody()), path);
        }
        info = next;
        densePending = false;
        if (written != null) {
            for (Map<Long, byte[]> blocks : written.blocks()) blocks.forEach((address, block) -> storage.release(address, block.length));
        }
        written = d;
        return changed;
    }

    /** A new hard link, with the next creation index when the group tracks creation order. */
    private LinkMessage newLink(String name, long address) {
        LinkMessage link = LinkMessage.hard(name, address);
        return info.tracksCreationOrder() ? link.withCreationIndex(nextCreationIndex) : link;
    }

    /** A dense group's structures: its heap, its name index and, when creation order is indexed, that index. */
    private record Dense(FractalHeap.Written heap, V2BTree.Packed names, V2BTree.Packed order) {
        List<Map<Long, byte[]>> blocks() {
            return order == null ? List.of(heap.blocks(), names.blocks()) : List.of(heap.blocks(), names.blocks(), order.blocks());
        }
    }

    /**
     * Encodes the heap and indexes holding {@code all}, taking space from {@code allocate}; null
     * when they do not fit what {@link FractalHeap#write} and {@link V2BTree#write} write
     * ({@link #denseRefusal} keeps such links out). Names are indexed by libhdf5's hash of the name (lookup3), ties by the name's bytes;
     * creation order by the creation index.
     */
    private Dense dense(List<LinkMessage> all, java.util.function.IntToLongFunction allocate) {
        List<byte[]> objects = new ArrayList<>();
        for (LinkMessage m : all) objects.add(m.encodeBody());
        FractalHeap.Written heap = FractalHeap.write(objects, allocate);
        if (heap == null) return null;
        List<Integer> byName = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) byName.add(i);
        int[] hashes = new int[all.size()];
        byte[][] names = new byte[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            names[i] = all.get(i).name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            hashes[i] = io.hdf5flink.hdf5.format.Lookup3.checksum(names[i], 0, names[i].length);
        }
        byName.sort((a, b) -> {
            int c = Integer.compareUnsigned(hashes[a], hashes[b]);
            return c != 0 ? c : java.util.Arrays.compareUnsigned(names[a], names[b]);
        });
        List<byte[]> nameRecords = new ArrayList<>();
        for (int i : byName) nameRecords.add(Bytes.allocate(4 + heap.ids().get(i).length).putInt(hashes[i]).put(heap.ids().get(i)).array());
        V2BTree.Packed nameIndex = V2BTree.writeLinkIndex(5, nameRecords.get(0).length, nameRecords, allocate);
        if (nameIndex == null) return null;
        V2BTree.Packed orderIndex = null;
        if (info.indexesCreationOrder()) {
            List<Integer> byOrder = new ArrayList<>(byName);
            byOrder.sort(java.util.Comparator.comparingLong(i -> all.get(i).creationIndex()));
            List<byte[]> orderRecords = new ArrayList<>();
            for (int i : byOrder) {
                orderRecords.add(Bytes.allocate(8 + heap.ids().get(i).length).putLong(all.get(i).creationIndex()).put(heap.ids().get(i)).array());
            }
            orderIndex = V2BTree.writeLinkIndex(6, orderRecords.get(0).length, orderRecords, allocate);
            if (orderIndex == null) return null;
        }
        return new Dense(heap, nameIndex, orderIndex);
    }
}
