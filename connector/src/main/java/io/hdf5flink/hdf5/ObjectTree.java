package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.GlobalHeapCollection;
import io.hdf5flink.hdf5.format.GroupInfoMessage;
import io.hdf5flink.hdf5.format.LinkInfoMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.format.HeaderMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.Superblock;
import io.hdf5flink.hdf5.format.SymbolTableMessage;
import io.hdf5flink.hdf5.format.VirtualDatasetHeapBlock;
import io.hdf5flink.hdf5.format.VirtualLayoutMessage;
import io.hdf5flink.hdf5.format.HyperslabSelection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file's groups and datasets by path: loaded from their object headers the first time a path
 * reaches them, created on request, and kept, so that each object has one instance that holds
 * its uncommitted changes.
 */
final class ObjectTree {
    /** Free space in new object headers, so attributes can be added later without continuation. */
    static final int HEADER_SLACK = 256;
    private static final int LINK = 0x0006;
    private static final int FLAG_SHARED = 0x02;

    private final Hdf5File file;
    private final FileStorage storage;
    private final Superblock superblock;
    private final ErrorContext where;
    private final Map<String, Hdf5Group> groups = new HashMap<>();
    private final Map<String, Hdf5Dataset> datasets = new LinkedHashMap<>();
    /**
     * Every object by its header's address: an object reached by two paths (hard links) is one
     * instance, so that its uncommitted changes are not split between two.
     */
    private final Map<Long, Hdf5Object> byAddress = new HashMap<>();
    private boolean unpublishedObjects;

    ObjectTree(Hdf5File file, FileStorage storage, Superblock superblock) {
        this.file = file;
        this.storage = storage;
        this.superblock = superblock;
        this.where = ErrorContext.of(storage.path());
    }

    /** Adds the root group the file was just created with. */
    void createdRoot(NewGroup root) throws IOException {
        register("/", new Hdf5Group(file, "/", root.header(), ObjectHeader.read(storage, root.header(), "/"), root.links()));
    }

    /** Loads the root group of an existing file. */
    void openRoot(long headerAddress) throws IOException {
        register("/", loadGroup("/", headerAddress, ObjectHeader.read(storage, headerAddress, "/")));
    }

    Hdf5Group root() { return groups.get("/"); }

    /** The datasets opened or created so far, in that order: the ones a commit may have to publish. */
    Collection<Hdf5Dataset> datasets() { return datasets.values(); }

    /**
     * The object at a normalized {@code path}, or null when there is none; with {@code
     * createGroups}, missing groups along the path are created. Every failure is an {@link
     * Hdf5Exception} that names the file.
     */
    Object resolve(String path, boolean createGroups) {
        try {
            return walk(path, createGroups);
        } catch (IOException e) {
            throw where.object(path).error(e.getMessage(), e);
        } catch (Hdf5FormatException e) {
            throw where.wrap(e);
        }
    }

    /** The group at a normalized {@code path}, created with any missing groups on the way. */
    Hdf5Group requireGroup(String path) {
        if (resolve(path, true) instanceof Hdf5Group g) return g;
        throw where.error(path + " is a dataset, not a group");
    }

    /** Creates a dataset at a normalized {@code path} that does not exist yet. */
    Hdf5Dataset createDataset(String path, DatasetSpec spec) {
        NewLink at = newLink(path);
        Hdf5Group parent = at.parent();
        String name = at.name();
        try {
            long address = writeHeader(DatasetHeader.messagesFor(spec));
            parent.addHardLink(name, address, null);
            Hdf5Dataset d = new Hdf5Dataset(file, path, address, ObjectHeader.read(storage, address, path),
                    DatasetHeader.layoutOf(spec));
            register(path, d);
            return d;
        } catch (IOException e) {
            throw where.failed("creating dataset " + path, e);
        }
    }

    /**
     * Creates a virtual dataset at a normalized {@code path} that does not exist yet: its mappings
     * in a new global heap collection, its header pointing there. Nothing of it changes later, so
     * it is published by the next commit's end of file (see {@link #hasUnpublishedObjects}).
     */
    void createVirtualDataset(String path, DatasetSpec spec, List<VirtualMapping> mappings) {
        NewLink at = newLink(path);
        Hdf5Group parent = at.parent();
        String name = at.name();
        try {
            // Without mappings there is no heap block: libhdf5 writes none, and fails to read an empty one.
            long heapAddress = Bytes.UNDEFINED_ADDRESS;
            if (!mappings.isEmpty()) {
                List<VirtualDatasetHeapBlock.Entry> entries = new ArrayList<>();
                for (VirtualMapping m : mappings) {
                    entries.add(new VirtualDatasetHeapBlock.Entry(m.sourceFile(), m.sourceDataset(),
                            new HyperslabSelection(m.sourceStart(), m.extent()), new HyperslabSelection(m.virtualStart(), m.extent())));
                }
                byte[] heap = GlobalHeapCollection.encode(List.of(VirtualDatasetHeapBlock.encode(entries)));
                heapAddress = storage.allocate(heap.length);
                storage.write(heapAddress, heap);
            }
            List<HeaderMessage> messages = new ArrayList<>();
            messages.add(new DataspaceMessage(spec.shape(), spec.maxShape()));
            messages.add(new VirtualLayoutMessage(heapAddress, mappings.isEmpty() ? 0 : 1));
            messages.addAll(DatasetHeader.describingMessages(spec));
            parent.addHardLink(name, writeHeader(messages), null);
            unpublishedObjects = true;
        } catch (IOException e) {
            throw where.failed("creating virtual dataset " + path, e);
        }
    }

    /**
     * The current shape of the dataset at a normalized {@code path}, read from its dataspace
     * message alone: works for virtual datasets, which cannot be opened as {@link Hdf5Dataset}s.
     */
    long[] shapeOf(String path) {
        List<String> parts = Hdf5Paths.split(path);
        if (parts.isEmpty()) throw where.error("the root group has no shape");
        if (datasets.containsKey(path)) return datasets.get(path).shape();
        Hdf5Group parent = resolve("/" + String.join("/", parts.subList(0, parts.size() - 1)), false) instanceof Hdf5Group g ? g : null;
        GroupLink e = parent == null ? null : parent.link(parts.get(parts.size() - 1));
        if (e == null || e.kind() != GroupLink.Kind.HARD) throw where.error("no dataset at " + path);
        try {
            ObjectHeader header = ObjectHeader.read(storage, e.address(), path);
            Slot space = header.find(DataspaceMessage.TYPE);
            if (space == null || header.find(DataLayoutMessage.TYPE) == null) throw where.error(path + " is not a dataset");
            return DataspaceMessage.decode(storage.read(space.bodyAddress(), space.bodySize(), "dataspace of " + path)).dims();
        } catch (IOException ex) {
            throw where.object(path).error(ex.getMessage(), ex);
        }
    }

    private record NewLink(Hdf5Group parent, String name) {}

    /** Where a new dataset at {@code path} is linked: its parent group (created when missing) and a name not taken there. */
    private NewLink newLink(String path) {
        List<String> parts = Hdf5Paths.split(path);
        if (parts.isEmpty()) throw where.error("a dataset cannot be the root group");
        Hdf5Group parent = requireGroup("/" + String.join("/", parts.subList(0, parts.size() - 1)));
        String name = parts.get(parts.size() - 1);
        if (parent.link(name) != null) throw where.error(path + " already exists");
        parent.checkCanAdd(name);
        return new NewLink(parent, name);
    }

    /** Writes the links groups keep for the next commit (a dense group's, rewritten once per commit). */
    void flushGroups() throws IOException {
        for (Hdf5Group g : groups.values()) g.flush();
    }

    /** Whether objects were created that no dataset's commit publishes (a virtual dataset). */
    boolean hasUnpublishedObjects() { return unpublishedObjects; }

    void objectsPublished() { unpublishedObjects = false; }

    /**
     * A new, empty group: its header's address and its links; {@code table} is its symbol table, or
     * null when it stores links as messages.
     */
    record NewGroup(long header, GroupLinks links, SymbolTableGroup table) {}

    /**
     * Writes a new, empty group in the format of a file with superblock {@code superblock}: in
     * versions 2 and 3 a version 2 header with link info and group info messages (as libhdf5
     * writes groups there), else a symbol table (B-tree and local heap) and a version 1 header.
     */
    static NewGroup writeEmptyGroup(FileStorage storage, String path, Superblock superblock) throws IOException {
        if (superblock.version() >= 2) {
            long header = writeHeader(storage, superblock, List.of(new LinkInfoMessage(), new GroupInfoMessage()));
            return new NewGroup(header, LinkMessageGroup.empty(storage, path), null);
        }
        SymbolTableGroup table = SymbolTableGroup.create(storage, path, superblock.groupLeafNodeK(), superblock.groupInternalNodeK());
        long header = writeHeader(storage, superblock, List.of(new SymbolTableMessage(table.bTreeAddress(), table.heapAddress())));
        return new NewGroup(header, table, table);
    }

    private long writeHeader(List<? extends HeaderMessage> messages) throws IOException {
        return writeHeader(storage, superblock, messages);
    }

    /**
     * Writes a new object header, in the version the file's objects have: 2 in files with
     * superblock 2 or 3 (libhdf5 writes no other there), else 1.
     */
    private static long writeHeader(FileStorage storage, Superblock superblock, List<? extends HeaderMessage> messages)
            throws IOException {
        byte[] header = superblock.version() >= 2 ? ObjectHeader.encodeV2(messages, HEADER_SLACK)
                : ObjectHeader.encode(messages, HEADER_SLACK, new int[messages.size()]);
        long address = storage.allocateInPlace(header.length);
        storage.write(address, header);
        return address;
    }

    private Object walk(String path, boolean createGroups) throws IOException {
        if (path.equals("/")) return root();
        if (groups.containsKey(path)) return groups.get(path);
        if (datasets.containsKey(path)) return datasets.get(path);
        Hdf5Group current = root();
        String currentPath = "";
        List<String> parts = Hdf5Paths.split(path);
        for (int i = 0; i < parts.size(); i++) {
            String name = parts.get(i);
            String childPath = currentPath + "/" + name;
            Object child = groups.containsKey(childPath) ? groups.get(childPath) : datasets.get(childPath);
            if (child == null) {
                GroupLink e = current.link(name);
                if (e == null) {
                    if (!createGroups) return null;
                    child = createGroup(current, childPath, name);
                } else {
                    child = switch (e.kind()) {
                        case HARD -> load(childPath, e.address());
                        case SOFT -> throw where.error(childPath + " is a soft link to '" + e.target()
                                + "'; soft links are not followed, open the target's path");
                        case EXTERNAL -> throw where.error(childPath + " is an external link to " + e.target()
                                + "; external links are not followed, open that file");
                        case USER_DEFINED -> throw where.error(childPath + " is " + e.target() + "; it is not followed");
                    };
                }
            }
            if (i == parts.size() - 1) return child;
            if (!(child instanceof Hdf5Group g)) {
                throw where.error(childPath + " is a dataset, not a group, in path " + path);
            }
            current = g;
            currentPath = childPath;
        }
        return current;
    }

    private Hdf5Group createGroup(Hdf5Group parent, String path, String name) throws IOException {
        parent.checkCanAdd(name);
        NewGroup created = writeEmptyGroup(storage, path, superblock);
        parent.addHardLink(name, created.header(), created.table());
        Hdf5Group g = new Hdf5Group(file, path, created.header(), ObjectHeader.read(storage, created.header(), path), created.links());
        register(path, g);
        return g;
    }

    private void register(String path, Hdf5Object o) {
        if (o instanceof Hdf5Group g) groups.put(path, g);
        else datasets.put(path, (Hdf5Dataset) o);
        byAddress.put(o.headerAddress, o);
    }

    private Object load(String path, long headerAddress) throws IOException {
        Hdf5Object known = byAddress.get(headerAddress);
        if (known != null) return known;
        ObjectHeader header = ObjectHeader.read(storage, headerAddress, path);
        for (Slot s : header.slots()) {
            if ((s.flags() & FLAG_SHARED) != 0) {
                throw where.error(path + (s.type() == DatatypeMessage.TYPE
                        ? " uses a committed (named) datatype; datasets with committed datatypes are not supported"
                        : ": shared header messages (message type " + s.type() + ") are not supported"));
            }
        }
        if (header.find(SymbolTableMessage.TYPE) != null || LinkMessageGroup.isOne(header)) {
            Hdf5Group g = loadGroup(path, headerAddress, header);
            register(path, g);
            return g;
        }
        if (header.find(DataLayoutMessage.TYPE) != null) {
            Hdf5Dataset d = loadDataset(path, headerAddress, header);
            register(path, d);
            return d;
        }
        if (header.find(LINK) != null) throw where.error(path + " has link messages but no link info message: it is not a valid group");
        throw where.error(path + " is neither a group nor a dataset (a committed datatype?)");
    }

    private Hdf5Group loadGroup(String path, long headerAddress, ObjectHeader header) throws IOException {
        Slot s = header.find(SymbolTableMessage.TYPE);
        if (s == null) {
            if (!LinkMessageGroup.isOne(header)) throw where.error(path + " is not a group");
            return new Hdf5Group(file, path, headerAddress, header, LinkMessageGroup.load(storage, path, header));
        }
        SymbolTableMessage m = SymbolTableMessage.decode(storage.read(s.bodyAddress(), s.bodySize(), "group " + path));
        SymbolTableGroup table = SymbolTableGroup.load(storage, path, m.bTreeAddress(), m.localHeapAddress(),
                superblock.groupLeafNodeK(), superblock.groupInternalNodeK());
        return new Hdf5Group(file, path, headerAddress, header, table);
    }

    private Hdf5Dataset loadDataset(String path, long headerAddress, ObjectHeader header) throws IOException {
        ErrorContext dataset = where.object(path);
        DatasetHeader.Layout layout = DatasetHeader.read(storage, header, dataset);
        try {
            return new Hdf5Dataset(file, path, headerAddress, header, layout);
        } catch (IOException | RuntimeException e) {
            if (e instanceof Hdf5Exception) throw (Hdf5Exception) e;
            throw dataset.error(e.getMessage(), e);
        }
    }
}
