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
 * deletion does), never two links with one index. A group at its compact maximum would have to
 * become dense, as libhdf5 converts it, and a dense group needs its heap and B-tree changed: both
 * are refused by name for now, and the file is left as it was.
 */
final class LinkMessageGroup implements GroupLinks {
    private final FileStorage storage;
    private final String path;
    private final LinkInfoMessage info;
    private final GroupInfoMessage limits;
    private long nextCreationIndex;
    private final TreeMap<String, LinkMessage> links = new TreeMap<>(SymbolTableGroup.NAME_ORDER);

    private LinkMessageGroup(FileStorage storage, String path, LinkInfoMessage info, GroupInfoMessage limits) {
        this.storage = storage;
        this.path = path;
        this.info = info;
        this.limits = limits;
        this.nextCreationIndex = info.nextCreationIndex();
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
    public void checkCanAdd(String name) {
        ErrorContext where = ErrorContext.of(storage.path()).object(path);
        if (links.containsKey(name)) throw where.error(path + " already has a member named '" + name + "'");
        if (info.isDense()) {
            throw where.error("cannot add '" + name + "': " + path + " stores its " + links.size() + " links densely (in a fractal heap"
                    + " indexed by a v2 B-tree); adding links to such a group is not supported yet");
        }
        if (links.size() >= limits.maxCompact()) {
            throw where.error("cannot add '" + name + "': " + path + " holds " + links.size() + " links in its header, its compact maximum;"
                    + " libhdf5 would move them to dense storage, which this engine does not write yet");
        }
    }

    @Override
    public ObjectHeader addHardLink(ObjectHeader header, String name, long address, SymbolTableGroup newGroup) throws IOException {
        checkCanAdd(name);
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
}
