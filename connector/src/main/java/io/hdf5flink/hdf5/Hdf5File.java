package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.FillValueMessage;
import io.hdf5flink.hdf5.format.FilterPipelineMessage;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.format.HeaderMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.Superblock;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import io.hdf5flink.hdf5.format.SymbolTableMessage;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HDF5 file open for writing: the entry point of the append engine.
 *
 * <pre>{@code
 * try (Hdf5File file = Hdf5File.create(Path.of("rec.h5"))) {
 *     Hdf5Dataset data = file.createDataset("/acquisition/data", DatasetSpec.builder(DataType.INT16, 0, 64)
 *             .maxShape(DatasetSpec.UNLIMITED, 64).chunks(16384, 64).shuffle().deflate(4).build());
 *     data.append(rows);
 *     file.commit();          // readers now see the rows; a crash keeps them
 * }
 * }</pre>
 *
 * <p>Files are written in the format h5py writes by default (superblock 0, version 1 object
 * headers, symbol-table groups, version 1 B-tree chunk indexes), readable by libhdf5 1.8 and
 * later, h5py, MATLAB and jhdf. {@link #openForAppend} opens files this engine wrote and files
 * h5py wrote in that default format; anything else is refused with a message naming the
 * unsupported feature.
 *
 * <p><b>Crash consistency.</b> Changes to datasets become visible only at {@link #commit()}.
 * After a kill at any instant the file opens in libhdf5 and each dataset shows its state after
 * its last commit, or after the commit that was under way, never a mix: new chunks and index
 * nodes are written past the end of file (or into slots no commit reaches any more), the
 * superblock's end-of-file address is raised, and then one write publishes the dataset's new
 * shape, index root and commit token. Creating groups and datasets and setting attributes are
 * written at once, also in an order that keeps the file valid at every step. With
 * {@code fsyncOnCommit}, commits also survive power loss. Datasets in one file commit one after
 * another: each is atomic on its own, not the set.
 *
 * <p>One writer per file: the file is locked while open. Not thread-safe, except
 * {@link Hdf5Dataset#encodeChunk}.
 */
public final class Hdf5File implements Closeable {
    /** Free space in new object headers, so attributes can be added later without continuation. */
    static final int HEADER_SLACK = 256;

    /**
     * Tuning of a file open for writing.
     *
     * @param fsyncOnCommit flush to stable storage before and after each commit's publishing write
     * @param openChunkBudgetBytes memory for chunks being assembled from partial writes, per dataset
     */
    public record Options(boolean fsyncOnCommit, long openChunkBudgetBytes) {
        public static Options defaults() {
            return new Options(false, 64L << 20);
        }

        public Options withFsyncOnCommit(boolean fsync) {
            return new Options(fsync, openChunkBudgetBytes);
        }

        public Options withOpenChunkBudgetBytes(long bytes) {
            return new Options(fsyncOnCommit, bytes);
        }
    }

    private final FileStorage storage;
    private final Superblock superblock;
    private final Options options;
    private final Map<String, Hdf5Group> groups = new HashMap<>();
    private final Map<String, Hdf5Dataset> datasets = new LinkedHashMap<>();
    private boolean closed;

    private Hdf5File(FileStorage storage, Superblock superblock, Options options) {
        this.storage = storage;
        this.superblock = superblock;
        this.options = options;
    }

    /**
     * Creates a new file; an existing file is never overwritten. The file appears under its name
     * only once it is a complete, valid HDF5 file: it is built under a hidden temporary name in
     * the same directory and then linked into place, so a process killed while creating it leaves
     * no half-written file that would block the next attempt.
     */
    public static Hdf5File create(Path path) {
        return create(path, Options.defaults());
    }

    public static Hdf5File create(Path path, Options options) {
        if (Files.exists(path)) throw new Hdf5Exception(path + " already exists; open it for append or delete it first");
        FileStorage storage = null;
        Path creating = path.resolveSibling("." + path.getFileName() + "." + java.util.UUID.randomUUID() + ".creating");
        try {
            storage = FileStorage.open(creating, path, true, Superblock.V0_EOF_FIELD, Superblock.V0_SIZE);
            SymbolTableGroup table = SymbolTableGroup.create(storage, "/", Superblock.GROUP_LEAF_NODE_K,
                    Superblock.GROUP_INTERNAL_NODE_K);
            long header = writeGroupHeader(storage, table);
            SymbolTableEntry root = SymbolTableEntry.forGroup(0, header, table.bTreeAddress(), table.heapAddress());
            Superblock sb = Superblock.v0(storage.eof(), root);
            storage.write(0, sb.encode());
            storage.publishEof();
            if (options.fsyncOnCommit()) storage.sync();
            publish(creating, path);
            Hdf5File file = new Hdf5File(storage, sb, options);
            file.groups.put("/", new Hdf5Group(file, "/", header, ObjectHeader.read(storage, header, "/"), table));
            return file;
        } catch (IOException e) {
            closeQuietly(storage);
            try {
                Files.deleteIfExists(creating);
            } catch (IOException ignored) {
                // the primary error is already being reported
            }
            throw new Hdf5Exception(e instanceof java.nio.file.FileAlreadyExistsException
                    ? path + " already exists; open it for append or delete it first"
                    : "creating " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Gives the complete new file its name: a hard link, which fails rather than replace a file
     * that appeared meanwhile; where links are not supported, a move without replacing.
     */
    private static void publish(Path creating, Path path) throws IOException {
        try {
            Files.createLink(path, creating);
            Files.delete(creating);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            if (e instanceof java.nio.file.FileAlreadyExistsException) throw (java.nio.file.FileAlreadyExistsException) e;
            Files.move(creating, path);
        }
    }

    /** Opens an existing file to add data, datasets, groups and attributes. */
    public static Hdf5File openForAppend(Path path) {
        return openForAppend(path, Options.defaults());
    }

    public static Hdf5File openForAppend(Path path, Options options) {
        return open(path, options, false);
    }

    /**
     * Opens a file to look at its groups and datasets without writing: takes no lock, so it works
     * while another writer has the file open; any write is refused.
     */
    public static Hdf5File openReadOnly(Path path) {
        return open(path, Options.defaults(), true);
    }

    private static Hdf5File open(Path path, Options options, boolean readOnly) {
        if (!Files.isRegularFile(path)) throw new Hdf5Exception(path + " does not exist or is not a file");
        FileStorage storage = null;
        try {
            // The superblock first, then the size: a writer extends the file before it raises
            // the end-of-file address, so in this order a live file never looks truncated. 64 KiB
            // are enough to find a superblock behind a user block.
            ByteBuffer head = ByteBuffer.allocate(65536 + 256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            try (var ch = java.nio.channels.FileChannel.open(path)) {
                ch.read(head, 0);
            }
            head.flip();
            Superblock sb = Superblock.decode(head, path.toString());
            long size = Files.size(path);
            if (size < sb.endOfFileAddress()) {
                throw new Hdf5Exception(path + " is truncated: it has " + size + " bytes, its superblock says "
                        + sb.endOfFileAddress());
            }
            storage = readOnly ? FileStorage.openReadOnly(path, sb.endOfFileFieldOffset(), sb.endOfFileAddress())
                    : FileStorage.open(path, false, sb.endOfFileFieldOffset(), sb.endOfFileAddress());
            Hdf5File file = new Hdf5File(storage, sb, options);
            long rootHeader = sb.rootGroup().objectHeaderAddress();
            file.groups.put("/", file.loadGroup("/", rootHeader, ObjectHeader.read(storage, rootHeader, "/")));
            return file;
        } catch (Hdf5FormatException e) {
            closeQuietly(storage);
            throw new Hdf5Exception(e.getMessage().startsWith(path.toString()) ? e.getMessage() : path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(storage);
            throw new Hdf5Exception("opening " + path + " for append failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(storage);
            throw e;
        }
    }

    public Path path() { return storage.path(); }

    public Options options() { return options; }

    public Hdf5Group root() { return groups.get("/"); }

    /** Whether an object exists at {@code path}. */
    public boolean exists(String path) {
        checkOpen();
        return resolveOrRefuse(Hdf5Paths.normalize(path), false) != null;
    }

    /** The group at {@code path}; an exception when there is none. */
    public Hdf5Group group(String path) {
        Object o = object(path);
        if (o instanceof Hdf5Group g) return g;
        throw new Hdf5Exception(storage.path() + ": " + Hdf5Paths.normalize(path) + " is a dataset, not a group");
    }

    /** The dataset at {@code path}; an exception when there is none. */
    public Hdf5Dataset dataset(String path) {
        Object o = object(path);
        if (o instanceof Hdf5Dataset d) return d;
        throw new Hdf5Exception(storage.path() + ": " + Hdf5Paths.normalize(path) + " is a group, not a dataset");
    }

    private Object object(String path) {
        checkOpen();
        String p = Hdf5Paths.normalize(path);
        Object o = resolveOrRefuse(p, false);
        if (o == null) throw new Hdf5Exception(storage.path() + ": no object at " + p);
        return o;
    }

    /** {@link #resolve}, with every failure an {@link Hdf5Exception} that names the file. */
    private Object resolveOrRefuse(String path, boolean createGroups) {
        try {
            return resolve(path, createGroups);
        } catch (IOException e) {
            throw new Hdf5Exception(storage.path() + ": " + path + ": " + e.getMessage(), e);
        } catch (Hdf5FormatException e) {
            String m = e.getMessage();
            throw new Hdf5Exception(m.startsWith(storage.path().toString()) ? m : storage.path() + ": " + m, e);
        }
    }

    /** The group at {@code path}, created with any missing intermediate groups (h5py's require_group). */
    public Hdf5Group requireGroup(String path) {
        checkOpen();
        Object o = resolveOrRefuse(Hdf5Paths.normalize(path), true);
        if (o instanceof Hdf5Group g) return g;
        throw new Hdf5Exception(storage.path() + ": " + Hdf5Paths.normalize(path) + " is a dataset, not a group");
    }

    /** Creates a dataset (and any missing groups on its path). The path must not exist yet. */
    public Hdf5Dataset createDataset(String path, DatasetSpec spec) {
        checkOpen();
        String p = Hdf5Paths.normalize(path);
        List<String> parts = Hdf5Paths.split(p);
        if (parts.isEmpty()) throw new Hdf5Exception(storage.path() + ": a dataset cannot be the root group");
        String parentPath = "/" + String.join("/", parts.subList(0, parts.size() - 1));
        String name = parts.get(parts.size() - 1);
        Hdf5Group parent = (Hdf5Group) resolveGroupForCreate(parentPath);
        try {
            if (parent.link(name) != null) throw new Hdf5Exception(storage.path() + ": " + p + " already exists");
            List<HeaderMessage> messages = new ArrayList<>();
            messages.add(new DataspaceMessage(spec.shape(), spec.maxShape()));
            messages.add(new DataLayoutMessage(Bytes.UNDEFINED_ADDRESS, spec.chunks(), spec.type().size()));
            if (spec.commitTokenCapacity() > 0) {
                messages.add(Hdf5Dataset.tokenAttribute(spec.commitTokenCapacity(), new byte[0]));
            }
            messages.add(DatatypeMessage.of(spec.type()));
            messages.add(new FillValueMessage(spec.fillValue()));
            if (!spec.filters().isEmpty()) messages.add(new FilterPipelineMessage(spec.filters()));
            for (Map.Entry<String, AttributeValue> a : spec.attributes().entrySet()) {
                AttributeValue v = a.getValue();
                messages.add(new AttributeMessage(a.getKey(), v.datatype(), v.dataspace(), v.data()));
            }
            int[] offsets = new int[messages.size()];
            byte[] header = ObjectHeader.encode(messages, HEADER_SLACK, offsets);
            long address = storage.allocateInPlace(header.length);
            storage.write(address, header);
            parent.addLink(name, SymbolTableEntry.forObject(0, address));
            Hdf5Dataset d = new Hdf5Dataset(this, p, address, ObjectHeader.read(storage, address, p),
                    new Hdf5Dataset.Layout(spec.type(), spec.shape(), spec.maxShape(), spec.chunks(), spec.filters(),
                            spec.fillValue(), Bytes.UNDEFINED_ADDRESS));
            datasets.put(p, d);
            return d;
        } catch (IOException e) {
            throw new Hdf5Exception(storage.path() + ": creating dataset " + p + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Publishes every dataset's changes (each atomically, one after another), then, with
     * {@code fsyncOnCommit}, makes them durable.
     */
    public void commit() {
        checkOpen();
        for (Hdf5Dataset d : datasets.values()) {
            try {
                d.commit(options.fsyncOnCommit());
            } catch (IOException e) {
                throw new Hdf5Exception(storage.path() + ": committing " + d.path() + " failed: " + e.getMessage()
                        + "; the file still holds the previous commit", e);
            }
        }
    }

    /** Commits pending changes and releases the file. */
    @Override
    public void close() {
        if (closed) return;
        try {
            commit();
        } finally {
            closed = true;
            closeQuietly(storage);
        }
    }

    /** Releases the file without committing: uncommitted changes are discarded, as a crash would. */
    public void abandon() {
        if (closed) return;
        closed = true;
        closeQuietly(storage);
    }

    void checkOpen() {
        if (closed) throw new Hdf5Exception(storage.path() + " is closed");
    }

    FileStorage storage() { return storage; }

    int chunkIndexK() { return superblock.indexedStorageNodeK(); }

    private Object resolve(String path, boolean createGroups) throws IOException {
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
                SymbolTableEntry e = current.link(name);
                if (e == null) {
                    if (!createGroups) return null;
                    child = createGroup(current, childPath, name);
                } else if (e.cacheType() == SymbolTableEntry.CACHE_SOFT_LINK) {
                    throw new Hdf5Exception(storage.path() + ": " + childPath + " is a soft link to '"
                            + current.softLinkTarget(e) + "'; soft links are not followed, open the target's path");
                } else {
                    child = load(childPath, e.objectHeaderAddress());
                }
            }
            if (i == parts.size() - 1) return child;
            if (!(child instanceof Hdf5Group g)) {
                throw new Hdf5Exception(storage.path() + ": " + childPath + " is a dataset, not a group, in path " + path);
            }
            current = g;
            currentPath = childPath;
        }
        return current;
    }

    private Object resolveGroupForCreate(String path) {
        Object o = resolveOrRefuse(path, true);
        if (!(o instanceof Hdf5Group)) throw new Hdf5Exception(storage.path() + ": " + path + " is a dataset, not a group");
        return o;
    }

    private Hdf5Group createGroup(Hdf5Group parent, String path, String name) throws IOException {
        SymbolTableGroup table = SymbolTableGroup.create(storage, path, superblock.groupLeafNodeK(), superblock.groupInternalNodeK());
        long header = writeGroupHeader(storage, table);
        parent.addLink(name, SymbolTableEntry.forGroup(0, header, table.bTreeAddress(), table.heapAddress()));
        Hdf5Group g = new Hdf5Group(this, path, header, ObjectHeader.read(storage, header, path), table);
        groups.put(path, g);
        return g;
    }

    private static long writeGroupHeader(FileStorage storage, SymbolTableGroup table) throws IOException {
        int[] offsets = new int[1];
        byte[] header = ObjectHeader.encode(
                List.of(new SymbolTableMessage(table.bTreeAddress(), table.heapAddress())), HEADER_SLACK, offsets);
        long address = storage.allocateInPlace(header.length);
        storage.write(address, header);
        return address;
    }

    private Object load(String path, long headerAddress) throws IOException {
        ObjectHeader header = ObjectHeader.read(storage, headerAddress, path);
        for (Slot s : header.slots()) {
            if ((s.flags() & 0x02) != 0) {
                throw new Hdf5Exception(storage.path() + ": " + path + (s.type() == DatatypeMessage.TYPE
                        ? " uses a committed (named) datatype; datasets with committed datatypes are not supported"
                        : ": shared header messages (message type " + s.type() + ") are not supported"));
            }
        }
        if (header.find(SymbolTableMessage.TYPE) != null) {
            Hdf5Group g = loadGroup(path, headerAddress, header);
            groups.put(path, g);
            return g;
        }
        if (header.find(DataLayoutMessage.TYPE) != null) {
            Hdf5Dataset d = loadDataset(path, headerAddress, header);
            datasets.put(path, d);
            return d;
        }
        if (header.find(0x0002) != null || header.find(0x0006) != null) {
            throw new Hdf5Exception(storage.path() + ": " + path + " is a group stored with link messages"
                    + " (h5py track_order=True or libver='latest'); only symbol-table groups are supported");
        }
        throw new Hdf5Exception(storage.path() + ": " + path + " is neither a group nor a dataset (a committed datatype?)");
    }

    private Hdf5Group loadGroup(String path, long headerAddress, ObjectHeader header) throws IOException {
        Slot s = header.find(SymbolTableMessage.TYPE);
        if (s == null) {
            throw new Hdf5Exception(storage.path() + ": " + path + " is a group stored with link messages"
                    + " (h5py track_order=True or libver='latest'); only symbol-table groups are supported");
        }
        SymbolTableMessage m = SymbolTableMessage.decode(storage.read(s.bodyAddress(), s.bodySize(), "group " + path));
        SymbolTableGroup table = SymbolTableGroup.load(storage, path, m.bTreeAddress(), m.localHeapAddress(),
                superblock.groupLeafNodeK(), superblock.groupInternalNodeK());
        return new Hdf5Group(this, path, headerAddress, header, table);
    }

    private Hdf5Dataset loadDataset(String path, long headerAddress, ObjectHeader header) throws IOException {
        if (header.find(0x0007) != null) {
            throw new Hdf5Exception(storage.path() + ": " + path + " stores its data in external files; not supported");
        }
        Slot spaceSlot = require(header, DataspaceMessage.TYPE, path, "dataspace");
        Slot typeSlot = require(header, DatatypeMessage.TYPE, path, "datatype");
        Slot layoutSlot = require(header, DataLayoutMessage.TYPE, path, "data layout");
        DataLayoutMessage layout = DataLayoutMessage.decode(body(layoutSlot, path), storage.path() + ": " + path);
        DataspaceMessage space = DataspaceMessage.decode(body(spaceSlot, path));
        DatatypeMessage dt = DatatypeMessage.decode(body(typeSlot, path));
        DataType type = dt.numericType(storage.path() + ": " + path);
        if (dt.isBigEndian() && type.size() > 1) {
            throw new Hdf5Exception(storage.path() + ": " + path + " is stored big-endian; only little-endian datasets can be appended to");
        }
        if (layout.chunkDims().length != space.dims().length || layout.elementSize() != type.size()) {
            throw new Hdf5Exception(storage.path() + ": " + path + ": layout rank/element size do not match dataspace/datatype");
        }
        List<FilterDescription> filters = List.of();
        Slot filterSlot = header.find(FilterPipelineMessage.TYPE);
        if (filterSlot != null) filters = FilterPipelineMessage.decode(body(filterSlot, path)).filters();
        byte[] fill = null;
        Slot fillSlot = header.find(FillValueMessage.TYPE);
        if (fillSlot != null) fill = FillValueMessage.decodeValue(body(fillSlot, path));
        if (fill != null && fill.length != type.size()) {
            throw new Hdf5Exception(storage.path() + ": " + path + ": fill value of " + fill.length + " bytes for " + type);
        }
        long[] max = space.effectiveMaxDims();
        for (int i = 0; i < max.length; i++) if (max[i] == DataspaceMessage.UNLIMITED) max[i] = DatasetSpec.UNLIMITED;
        long[] dims = space.dims();
        for (int i = 0; i < dims.length; i++) {
            // Unsigned 64-bit sizes past 2^63 read as negative; a current size beyond the maximum
            // is corrupt (libhdf5 never writes one).
            if (dims[i] < 0 || (max[i] != DatasetSpec.UNLIMITED && (max[i] < 0 || max[i] < dims[i]))) {
                throw new Hdf5Exception(storage.path() + ": " + path + ": dataspace of shape "
                        + java.util.Arrays.toString(dims) + " and maximum shape " + java.util.Arrays.toString(max)
                        + " is corrupt (axis " + i + ")");
            }
        }
        try {
            return new Hdf5Dataset(this, path, headerAddress, header, new Hdf5Dataset.Layout(type, space.dims(), max,
                    layout.chunkDims(), filters, fill, layout.bTreeAddress()));
        } catch (IOException | RuntimeException e) {
            if (e instanceof Hdf5Exception) throw (Hdf5Exception) e;
            throw new Hdf5Exception(storage.path() + ": " + path + ": " + e.getMessage(), e);
        }
    }

    private Slot require(ObjectHeader header, int type, String path, String what) {
        Slot s = header.find(type);
        if (s == null) throw new Hdf5Exception(storage.path() + ": " + path + " has no " + what + " message");
        return s;
    }

    private ByteBuffer body(Slot s, String path) throws IOException {
        return storage.read(s.bodyAddress(), s.bodySize(), "header message of " + path);
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // the primary error is already being reported
        }
    }
}
