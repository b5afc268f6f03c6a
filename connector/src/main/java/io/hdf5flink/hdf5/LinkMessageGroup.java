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
 * the group to them; this is done once per commit for all the links added since ({@link #flush}). What does not fit one heap block of
 * 64 KiB and indexes two levels deep (about 700 links with creation order indexed, 1100 without)
 * is refused by name, the file left as it was.
 */
final class LinkMessageGroup implements GroupLinks {
    private final FileStorage storage;
    private final String path;
    private LinkInfoMessage info;
    private final GroupInfoMessage limits;
    private long nextCreationIndex;
    /** Whether links were added to dense storage since it was last written. */
    private boolean densePending;
    private final TreeMap<String, LinkMessage> links = new TreeMap<>(SymbolTableGroup.NAME_ORDER);

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
        String why = denseRefusal(header, name);
        if (why != null) throw where.error("cannot add '" + name + "': " + path + " " + why);
    }

    /**
     * Why the group cannot hold its links and one more named {@code name} in new dense storage,
     * or null when it can: everything in one heap block of at most 64 KiB, name (and creation
     * order) indexes at most two levels deep, and, from compact storage, the link info and every
     * link message in one block of the header, so that one write switches the group over.
     */
    private String denseRefusal(ObjectHeader header, String name) {
        List<LinkMessage> all = new ArrayList<>(links.values());
        all.add(newLink(name, 0));
        if (info.indexesCreationOrder() && all.stream().anyMatch(m -> m.creationIndex() < 0)) {
            return "indexes its links by creation order, but some have no creation index";
        }
        if (dense(all, size -> 0L) == null) {
            return "would hold " + all.size() + " links, more than the engine writes into one dense group"
                    + " (a heap of one 64 KiB block, indexes of two levels)";
        }
        return null;
    }

    @Override
    public ObjectHeader addHardLink(ObjectHeader header, String name, long address, SymbolTableGroup newGroup) throws IOException {
        checkCanAdd(header, name);
        if (info.isDense() || links.size() >= limits.maxCompact()) {
            // Dense storage is rewritten whole: once, at the next commit, for every link added until then.
            links.put(name, newLink(name, address));
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
        links.put(name, link);
        return changed;
    }

    /**
     * Writes the links added to a dense group, or to a compact one at its maximum (which libhdf5
     * would make dense), since the last commit: a new heap and new indexes holding every link are written past the end of file
     * and published, then one write of the header points the link info at them (and, from
     * compact storage, frees every link message): of the block that holds them all, or of the
     * first block after the later ones were copied ({@link HeaderEditor#rewriteTail}). Until
     * that write readers see the group as it was; the old heap and indexes, if any, are left
     * unreferenced.
     */
    @Override
    public ObjectHeader flush(ObjectHeader header) throws IOException {
        if (!densePending) return header;
        Dense d = dense(new ArrayList<>(links.values()), storage::allocate);
        for (Map<Long, byte[]> blocks : d.blocks()) {
            for (Map.Entry<Long, byte[]> b : blocks.entrySet()) storage.write(b.getKey(), b.getValue());
        }
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
        return changed;
    }

    /** A new hard link, with the next creation index when the group tracks creation order. */
    private LinkMessage newLink(String name, long address) {
        LinkMessage link = LinkMessage.hard(name, address);
        return info.tracksCreationOrder() ? link.withCreationIndex(nextCreationIndex) : link;
    }

    /** A dense group's structures: its heap, its name index and, when creation order is indexed, that index. */
    private record Dense(FractalHeap.Written heap, V2BTree.Written names, V2BTree.Written order) {
        List<Map<Long, byte[]>> blocks() {
            return order == null ? List.of(heap.blocks(), names.blocks()) : List.of(heap.blocks(), names.blocks(), order.blocks());
        }
    }

    /**
     * Encodes the heap and indexes holding {@code all}, taking space from {@code allocate}; null
     * when they do not fit what {@link FractalHeap#writeSingleBlock} and {@link V2BTree#write}
     * write. Names are indexed by libhdf5's hash of the name (lookup3), ties by the name's bytes;
     * creation order by the creation index.
     */
    private Dense dense(List<LinkMessage> all, java.util.function.IntToLongFunction allocate) {
        List<byte[]> objects = new ArrayList<>();
        for (LinkMessage m : all) objects.add(m.encodeBody());
        FractalHeap.Written heap = FractalHeap.writeSingleBlock(objects, allocate);
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
        V2BTree.Written nameIndex = V2BTree.write(5, nameRecords.get(0).length, nameRecords, allocate);
        if (nameIndex == null) return null;
        V2BTree.Written orderIndex = null;
        if (info.indexesCreationOrder()) {
            List<Integer> byOrder = new ArrayList<>(byName);
            byOrder.sort(java.util.Comparator.comparingLong(i -> all.get(i).creationIndex()));
            List<byte[]> orderRecords = new ArrayList<>();
            for (int i : byOrder) {
                orderRecords.add(Bytes.allocate(8 + heap.ids().get(i).length).putLong(all.get(i).creationIndex()).put(heap.ids().get(i)).array());
            }
            orderIndex = V2BTree.write(6, orderRecords.get(0).length, orderRecords, allocate);
            if (orderIndex == null) return null;
        }
        return new Dense(heap, nameIndex, orderIndex);
    }
}
