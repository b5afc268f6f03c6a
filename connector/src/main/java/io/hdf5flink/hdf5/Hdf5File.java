package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Superblock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

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
 * later, h5py, MATLAB and jhdf, or on request in {@link Profile#LATEST} (superblock 3, for SWMR
 * readers). {@link #openForAppend} opens files this engine wrote and files h5py wrote, also with
 * {@code libver='latest'} (a dataset's extensible-array or version 2 B-tree chunk index is kept
 * and appended to; a fixed array or single chunk is re-indexed with a version 1 B-tree by the
 * first commit that changes it); what it cannot append to is refused with a message naming the
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
    /**
     * Tuning of a file open for writing.
     *
     * @param fsyncOnCommit flush to stable storage before and after each commit's publishing write
     * @param openChunkBudgetBytes memory for chunks being assembled from partial writes, per dataset
     * @param sharedSpace when not null, the ledger through which this file's space is shared with
     *     other writers of chunks ({@link SegmentWriter}s, possibly in other processes): every
     *     allocation of this file goes through it, and a reopen reuses no space past the end of file
     *     (another writer may be filling it). Null: this file alone allocates, at its end of file.
     * @param profile the format a file is created in; an existing file keeps its own
     * @param reopenFlagged whether {@link #openForAppend} takes a superblock-3 file flagged as open
     *     for writing: only for a file this engine's own writer left so when it was killed (as
     *     the sink's committer does on recovery), since a libhdf5 writer in SWMR mode flags the
     *     file the same way and holds no lock on it; by default such a file is refused, naming
     *     {@code h5clear -s}
     */
    public record Options(boolean fsyncOnCommit, long openChunkBudgetBytes, SpaceLedger sharedSpace, Profile profile,
            boolean reopenFlagged) {
        public static Options defaults() {
            return new Options(false, 64L << 20, null, Profile.DEFAULT, false);
        }

        public Options withFsyncOnCommit(boolean fsync) {
            return new Options(fsync, openChunkBudgetBytes, sharedSpace, profile, reopenFlagged);
        }

        public Options withOpenChunkBudgetBytes(long bytes) {
            return new Options(fsyncOnCommit, bytes, sharedSpace, profile, reopenFlagged);
        }

        public Options withSharedSpace(SpaceLedger ledger) {
            return new Options(fsyncOnCommit, openChunkBudgetBytes, ledger, profile, reopenFlagged);
        }

        public Options withProfile(Profile newProfile) {
            return new Options(fsyncOnCommit, openChunkBudgetBytes, sharedSpace, java.util.Objects.requireNonNull(newProfile), reopenFlagged);
        }

        public Options withReopenFlagged(boolean reopen) {
            return new Options(fsyncOnCommit, openChunkBudgetBytes, sharedSpace, profile, reopen);
        }
    }

    private final FileStorage storage;
    private final Superblock superblock;
    private final Options options;
    private final ObjectTree objects;
    private final ErrorContext where;
    private boolean closed;

    Hdf5File(FileStorage storage, Superblock superblock, Options options) {
        this.storage = storage;
        this.superblock = superblock;
        this.options = options;
        this.objects = new ObjectTree(this, storage, superblock);
        this.where = ErrorContext.of(storage.path());
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
        return FileOpener.create(path, options);
    }

    /** Creates a new file in {@code profile}'s format, with default options otherwise. */
    public static Hdf5File create(Path path, Profile profile) {
        return create(path, Options.defaults().withProfile(profile));
    }

    /**
     * Creates a new, empty file (a root group only) and closes it before it appears under its
     * name: unlike {@link #create}, whose file is locked under its name until closed, another
     * writer may open it for append at any instant after. What a sink writer uses, since its
     * committer in another thread may open the file while the writer creates it.
     *
     * @throws Hdf5Exception when the file exists (another writer created it first) or cannot be created
     */
    public static void createClosed(Path path, Options options) {
        FileOpener.createClosed(path, options);
    }

    /**
     * Whether {@code path} has a version 3 superblock flagged as open for writing: a writer has it
     * open (a libhdf5 writer in SWMR mode holds no lock on it) or one was killed.
     */
    public static boolean isFlaggedOpenForWrite(Path path) {
        return FileOpener.flagged(path);
    }

    /** Opens an existing file to add data, datasets, groups and attributes. */
    public static Hdf5File openForAppend(Path path) {
        return openForAppend(path, Options.defaults());
    }

    public static Hdf5File openForAppend(Path path, Options options) {
        return FileOpener.open(path, options, false);
    }

    /**
     * Opens a file to look at its groups and datasets without writing: takes no lock, so it works
     * while another writer has the file open; any write is refused.
     */
    public static Hdf5File openReadOnly(Path path) {
        return FileOpener.open(path, Options.defaults(), true);
    }

    public Path path() { return storage.path(); }

    /** The end of file the last commit published: everything committed lies before it. */
    public long committedLength() { return storage.publishedEof(); }

    public Options options() { return options; }

    public Hdf5Group root() { return objects.root(); }

    /** Whether an object exists at {@code path}. */
    public boolean exists(String path) {
        checkOpen();
        return objects.resolve(Hdf5Paths.normalize(path), false) != null;
    }

    /** The group at {@code path}; an exception when there is none. */
    public Hdf5Group group(String path) {
        if (object(path) instanceof Hdf5Group g) return g;
        throw where.error(Hdf5Paths.normalize(path) + " is a dataset, not a group");
    }

    /** The dataset at {@code path}; an exception when there is none. */
    public Hdf5Dataset dataset(String path) {
        if (object(path) instanceof Hdf5Dataset d) return d;
        throw where.error(Hdf5Paths.normalize(path) + " is a group, not a dataset");
    }

    private Object object(String path) {
        checkOpen();
        String p = Hdf5Paths.normalize(path);
        Object o = objects.resolve(p, false);
        if (o == null) throw where.error("no object at " + p);
        return o;
    }

    /** The group at {@code path}, created with any missing intermediate groups (h5py's require_group). */
    public Hdf5Group requireGroup(String path) {
        checkOpen();
        return objects.requireGroup(Hdf5Paths.normalize(path));
    }

    /** Creates a dataset (and any missing groups on its path). The path must not exist yet. */
    public Hdf5Dataset createDataset(String path, DatasetSpec spec) {
        checkOpen();
        return objects.createDataset(Hdf5Paths.normalize(path), spec);
    }

    /**
     * The current shape of the dataset at {@code path}, virtual datasets included (their shape is
     * what this engine reads of them: their data lives in other files).
     */
    public long[] datasetShape(String path) {
        checkOpen();
        return objects.shapeOf(Hdf5Paths.normalize(path));
    }

    /**
     * Creates a virtual dataset (and any missing groups on its path) that shows, through its
     * {@code mappings}, blocks of datasets in other files (or this one): libhdf5 1.10 and later
     * read it as one dataset. {@code spec} gives its datatype, shape, maximum shape (an unlimited
     * first axis lets a later version of the file map more rows), fill value (what unmapped
     * elements read as) and attributes; chunks and filters do not apply. The path must not exist
     * yet; the dataset is published by the next {@link #commit()}.
     */
    public void createVirtualDataset(String path, DatasetSpec spec, List<VirtualMapping> mappings) {
        checkOpen();
        objects.createVirtualDataset(Hdf5Paths.normalize(path), spec, mappings);
    }

    /**
     * Publishes the links groups keep for it (links added to dense groups), then every dataset's
     * changes (each atomically, one after another), then, with {@code fsyncOnCommit}, makes them
     * durable.
     */
    public void commit() {
        checkOpen();
        try {
            objects.flushGroups();
        } catch (IOException e) {
            throw where.error("committing new links failed: " + e.getMessage() + "; the file still holds the previous commit", e);
        }
        for (Hdf5Dataset d : objects.datasets()) {
            try {
                d.commit(options.fsyncOnCommit());
            } catch (IOException e) {
                throw where.error("committing " + d.path() + " failed: " + e.getMessage()
                        + "; the file still holds the previous commit", e);
            }
        }
        if (objects.hasUnpublishedObjects()) {
            try {
                storage.publishEof();
                if (options.fsyncOnCommit()) storage.sync();
                objects.objectsPublished();
            } catch (IOException e) {
                throw where.error("committing new objects failed: " + e.getMessage() + "; the file still holds the previous commit", e);
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
            FileOpener.closeQuietly(storage);
        }
    }

    /** Releases the file without committing: uncommitted changes are discarded, as a crash would. */
    public void abandon() {
        if (closed) return;
        closed = true;
        FileOpener.closeQuietly(storage);
    }

    void checkOpen() {
        if (closed) throw new Hdf5Exception(storage.path() + " is closed");
    }

    FileStorage storage() { return storage; }

    ObjectTree objects() { return objects; }

    int chunkIndexK() { return superblock.indexedStorageNodeK(); }
}
