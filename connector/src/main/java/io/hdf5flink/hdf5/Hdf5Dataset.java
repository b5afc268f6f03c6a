package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A chunked, resizable dataset open for writing.
 *
 * <p>Four ways to write, from fastest to most general: {@link #writeChunk} stores a chunk the
 * caller already filtered (HDF5's direct chunk write; many threads may call
 * {@link #encodeChunk} at once while one thread writes); {@link #writeRawChunk} filters in the
 * calling thread; {@link #append} adds rows along axis 0; {@link #write} writes any hyperslab
 * inside the current shape. Hyperslabs that cover a chunk only partly assemble it in an
 * in-memory open chunk (starting from the stored chunk, decoded, or from the fill value) that is
 * filtered and stored when complete, when the file's open-chunk budget is exceeded, or at
 * commit. A chunk stored and later changed is read, modified and written again, leaving its
 * old bytes unused in the file: align writes to chunks to avoid that cost.
 *
 * <p>Nothing written is visible to readers until {@link Hdf5File#commit()}: chunks go past the
 * end of file and into a copy-on-write index, and the commit publishes the new index root, the
 * new shape and the commit token in one write of one page (for datasets this engine created; for
 * datasets created by other writers, in three ordered writes: root, shape, token). Not
 * thread-safe, except {@link #encodeChunk}.
 */
public final class Hdf5Dataset extends Hdf5Object {
    /** The attribute holding the commit token: {@code [u32 length][token][zero padding]} as uint8. */
    public static final String COMMIT_TOKEN_ATTRIBUTE = "_hdf5flink_commit_token";

    private final DatasetHeader.Layout layout;
    private final DataType type;
    private long[] dims;
    private final int chunkBytes;
    private final ChunkIndex index;
    private final StoredChunks stored;
    private final OpenChunks openChunks;
    private final Hyperslabs hyperslabs;
    private CommitFields fields;
    private byte[] pendingToken;
    private boolean changed;

    Hdf5Dataset(Hdf5File file, String path, long headerAddress, ObjectHeader header, DatasetHeader.Layout layout)
            throws IOException {
        super(file, path, headerAddress, header);
        this.layout = layout;
        this.type = layout.type();
        this.dims = layout.dims().clone();
        this.chunkBytes = layout.chunkBytes(where);
        this.index = switch (layout.keptIndex()) {
            case DataLayoutMessage.EXTENSIBLE_ARRAY -> new ExtensibleArrayChunkIndex(file.storage(), where, layout.indexRoot(),
                    ExtensibleArrayChunkIndex.newGeometry(layout.indexParameters(), !layout.filters().isEmpty(), chunkBytes, where),
                    layout.maxDims(), layout.chunkDims(), !layout.filters().isEmpty(), chunkBytes);
            case DataLayoutMessage.VERSION_2_BTREE -> new V2BTreeChunkIndex(file.storage(), where, layout.indexRoot(), layout.indexParameters(),
                    layout.chunkDims(), !layout.filters().isEmpty(), chunkBytes);
            default -> new BTreeChunkIndex(file.storage(), path, dims.length, type.size(), file.chunkIndexK(), layout.indexRoot());
        };
        // A dataset of layout version 4: its chunks enter a new version 1 B-tree, written (and the
        // layout message replaced) by the first commit that changes the dataset; until then nothing is.
        for (Hdf5DatasetReader.StoredChunk c : layout.inherited()) index.put(c.offset(), c.address(), c.size(), c.filterMask());
        this.stored = new StoredChunks(file.storage(), where, index,
                FilterPipeline.of(layout.filters(), type.size(), chunkBytes), chunkBytes, layout.fillElement());
        this.openChunks = new OpenChunks(chunkBytes, file.options().openChunkBudgetBytes());
        this.hyperslabs = new Hyperslabs(layout.chunkDims(), type, chunkBytes, openChunks, stored, this::storeRaw);
        headerChanged();
    }

    @Override
    void headerChanged() {
        fields = CommitFields.locate(file.storage(), header, findAttribute(COMMIT_TOKEN_ATTRIBUTE), layout.chunkDims(), type.size(),
                layout.indexAddressOffset(), where);
    }

    public DataType dataType() { return type; }

    /** The current shape, including uncommitted growth. */
    public long[] shape() { return dims.clone(); }

    /** The maximum shape; {@link DatasetSpec#UNLIMITED} for axes without limit. */
    public long[] maxShape() { return layout.maxDims().clone(); }

    public long[] chunkShape() { return layout.chunkDims().clone(); }

    /** Bytes of one uncompressed chunk. */
    public int chunkBytes() { return chunkBytes; }

    public List<FilterDescription> filters() { return layout.filters(); }

    /**
     * This dataset's layout as a spec with its current shape (without its attributes): what a
     * client needs to write more chunks just like the existing ones.
     */
    public DatasetSpec spec() {
        try {
            return DatasetSpec.builder(type, dims).maxShape(layout.maxDims()).chunks(layout.chunkDims())
                    .filters(layout.filters()).fillBytes(layout.fillElement()).build();
        } catch (IllegalArgumentException e) {
            // A dataset written elsewhere may have a layout this engine cannot create (rank 9 and
            // up, chunks beyond a fixed maximum): say which.
            throw where.error("its layout cannot be described as a spec here: " + e.getMessage(), e);
        }
    }

    /** The chunk index a version 4 layout named, which the first change replaces; null for a version 1 B-tree or a kept extensible array or version 2 B-tree. */
    String reindexedFrom() { return layout.reindexedFrom(); }

    /** Whether the dataset's chunks are indexed by the extensible array libhdf5 made, which appends keep. */
    boolean keepsExtensibleArray() { return layout.keptIndex() == DataLayoutMessage.EXTENSIBLE_ARRAY; }

    /** Whether the dataset's chunks are indexed by the version 2 B-tree libhdf5 made, which appends keep. */
    boolean keepsVersion2BTree() { return layout.keptIndex() == DataLayoutMessage.VERSION_2_BTREE; }

    /** Every chunk the index holds inside the shape, uncommitted ones included. */
    List<Hdf5DatasetReader.StoredChunk> indexedChunks() throws IOException {
        List<Hdf5DatasetReader.StoredChunk> out = new java.util.ArrayList<>();
        index.forEach((offset, e) -> {
            for (int d = 0; d < dims.length; d++) if (offset[d] >= dims[d]) return;
            out.add(new Hdf5DatasetReader.StoredChunk(offset, e.address(), e.size(), e.filterMask()));
        });
        return out;
    }

    /** The chunks that index listed when the dataset was opened (empty for a version 1 B-tree). */
    List<Hdf5DatasetReader.StoredChunk> inheritedChunks() { return layout.inherited(); }

    /** The fill value as one little-endian element. */
    public byte[] fillValue() { return layout.fillElement().clone(); }

    /** The token stored by the last commit, or null when none was ever stored. */
    public byte[] commitToken() {
        byte[] committed = fields.committedToken();
        return committed == null ? null : committed.clone();
    }

    /** A token for the next commit to store with the data, e.g. the last applied checkpoint id. */
    public void setCommitToken(byte[] token) {
        file.checkOpen();
        if (fields.hasTokenField() && token.length > fields.tokenCapacity()) {
            throw where.error("commit token of " + token.length + " bytes exceeds the reserved " + fields.tokenCapacity());
        }
        if (token.length > 1024) throw where.error("commit token over 1024 bytes");
        pendingToken = token.clone();
    }

    /**
     * Filters one whole chunk ({@link #chunkBytes()} little-endian bytes, C order). Thread-safe:
     * any number of threads may encode while one thread writes.
     */
    public EncodedChunk encodeChunk(byte[] raw) {
        if (raw.length != chunkBytes) {
            throw where.error("a chunk of " + Arrays.toString(layout.chunkDims()) + " " + type + " is " + chunkBytes
                    + " bytes, got " + raw.length);
        }
        return stored.encode(raw);
    }

    /**
     * Stores a filtered chunk at {@code chunkOffset} (element coordinates, a multiple of the chunk
     * shape, anywhere within the maximum shape; outside the current shape it stays invisible until
     * the dataset is resized to cover it). Replaces a chunk already stored there.
     */
    public void writeChunk(long[] chunkOffset, EncodedChunk chunk) {
        file.checkOpen();
        bounds().checkChunkOffset(chunkOffset);
        openChunks.discard(chunkOffset);
        store(chunkOffset, chunk);
    }

    /**
     * Enters a filtered chunk that a {@link SegmentWriter} already wrote into this file, at
     * {@code address} ({@code length} bytes, {@code filterMask} as in {@link EncodedChunk}), as
     * {@link #writeChunk} would after writing it; visible at the next commit. Only for a file
     * opened with {@link Hdf5File.Options#withSharedSpace} and space the same ledger handed out:
     * the engine cannot check what those bytes hold, and commits refuse addresses past the file's
     * end.
     */
    public void adoptChunk(long[] chunkOffset, long address, int length, int filterMask) {
        file.checkOpen();
        if (file.options().sharedSpace() == null) {
            throw where.error("adoptChunk needs a file opened with a shared space ledger");
        }
        if (address < 0 || length <= 0) {
            throw where.error("a chunk at address " + address + " of " + length + " bytes");
        }
        bounds().checkChunkOffset(chunkOffset);
        openChunks.discard(chunkOffset);
        stored.adopt(chunkOffset, address, length, filterMask);
        changed = true;
    }

    /** Filters {@code raw} in the calling thread and stores it, as {@link #writeChunk}. */
    public void writeRawChunk(long[] chunkOffset, byte[] raw) {
        writeChunk(chunkOffset, encodeChunk(raw));
    }

    /**
     * Appends rows along axis 0. {@code data} holds whole rows (the product of the other axes'
     * current sizes, times the element size), in the byte order the buffer declares; it is read
     * from its position to its limit and not modified.
     */
    public void append(ByteBuffer data) {
        file.checkOpen();
        long rowBytes = type.size();
        for (int d = 1; d < dims.length; d++) rowBytes *= dims[d];
        if (rowBytes == 0 || data.remaining() % rowBytes != 0) {
            throw where.error("appending " + data.remaining() + " bytes, which is not a whole number of rows of "
                    + rowBytes + " bytes");
        }
        long rows = data.remaining() / rowBytes;
        long[] offset = new long[dims.length];
        offset[0] = dims[0];
        long[] newDims = dims.clone();
        newDims[0] = Math.addExact(dims[0], rows);
        resize(newDims);
        long[] extent = dims.clone();
        extent[0] = rows;
        write(offset, extent, data);
        // Appends go forward: open chunks wholly below the new end are complete.
        long rowsPerChunk = layout.chunkDims()[0];
        openChunks.completeWhere(chunkOffset -> chunkOffset[0] + rowsPerChunk <= dims[0], this::storeRaw);
    }

    /**
     * Appends rows from a Java array whose element kind holds the dataset's type ({@code short[]}
     * for int16/uint16, {@code double[]} for float64, {@code boolean[]} or {@code byte[]} for bool,
     * {@code short[]} of bit patterns for float16, {@code float[]} of interleaved real and
     * imaginary parts for complex64, ...); see {@link #append(ByteBuffer)}.
     */
    public void appendValues(Object primitiveArray) {
        append(JavaArrays.toBuffer(primitiveArray, type, where));
    }

    /** Writes a hyperslab from a Java array; see {@link #write(long[], long[], ByteBuffer)}. */
    public void writeValues(long[] offset, long[] extent, Object primitiveArray) {
        write(offset, extent, JavaArrays.toBuffer(primitiveArray, type, where));
    }

    /**
     * Writes a hyperslab of shape {@code extent} at {@code offset}, which must lie inside the
     * current shape (resize first, as with h5py). {@code data} holds the elements in C order, in
     * the byte order the buffer declares; it is read from its position and not modified.
     */
    public void write(long[] offset, long[] extent, ByteBuffer data) {
        file.checkOpen();
        bounds().checkBox(offset, extent, "current shape " + Arrays.toString(dims) + " (resize first)");
        long count = 1;
        for (long e : extent) count = Math.multiplyExact(count, e);
        if (data.remaining() != count * type.size()) {
            throw where.error("a block of shape " + Arrays.toString(extent) + " " + type + " needs "
                    + count * type.size() + " bytes, got " + data.remaining() + " (at offset " + Arrays.toString(offset)
                    + ")");
        }
        if (count > 0) hyperslabs.write(offset, extent, data);
    }

    /** Reads a hyperslab inside the current shape (little-endian, C order), committed or not. */
    public ByteBuffer read(long[] offset, long[] extent) {
        file.checkOpen();
        bounds().checkBox(offset, extent, "current shape " + Arrays.toString(dims));
        long count = type.size();
        for (long e : extent) count = Math.multiplyExact(count, e);
        if (count > Integer.MAX_VALUE - 8) throw where.error("a read of " + count + " bytes is over 2 GiB");
        ByteBuffer out = ByteBuffer.allocate((int) count).order(ByteOrder.LITTLE_ENDIAN);
        hyperslabs.read(offset, extent, out);
        return out;
    }

    /**
     * Changes the current shape. Axes may only grow, up to the maximum shape; growth becomes
     * visible at the next commit.
     */
    public void resize(long... newShape) {
        file.checkOpen();
        bounds().checkResize(newShape);
        if (!Arrays.equals(dims, newShape)) {
            dims = newShape.clone();
            changed = true;
        }
    }

    /** Whether a chunk is stored at {@code chunkOffset} (committed or not); unstored chunks read as fill. */
    public boolean hasChunk(long[] chunkOffset) {
        bounds().checkChunkOffset(chunkOffset);
        return openChunks.contains(chunkOffset) || stored.isStored(chunkOffset);
    }

    /** How many chunks the index holds (committed or not); walks the whole index. */
    public long allocatedChunks() {
        return stored.count(openChunks.offsets());
    }

    /** Index nodes written so far: the index's cost, for tests that check it stays logarithmic. */
    long indexNodeWrites() { return index.nodeWrites(); }

    int indexDepth() { return index.depth(); }

    boolean hasUncommittedChanges() {
        return changed || pendingToken != null || !openChunks.isEmpty();
    }

    /**
     * Publishes this dataset's changes: open chunks are stored, new index nodes written, the end of
     * file raised, then dims, index root and token are published (one write when they are
     * adjacent in the header, as in every dataset this engine creates).
     */
    void commit(boolean fsync) throws IOException {
        if (!hasUncommittedChanges()) return;
        openChunks.completeAll(this::storeRaw);
        if (pendingToken != null && !fields.hasTokenField()) {
            AttributeMessage m = CommitFields.tokenAttribute(Math.max(64, pendingToken.length));
            // Beside the shape and index root, so that (in a checksummed version 2 header too) one write publishes all three.
            header = HeaderEditor.addBeside(file.storage(), header, AttributeMessage.TYPE, 0, m.encodeBody(),
                    List.of(header.find(DataspaceMessage.TYPE), header.find(DataLayoutMessage.TYPE)), path);
            headerChanged();
        }
        long root = index.writeDirty();
        FileStorage storage = file.storage();
        storage.publishEof();
        if (fsync) storage.sync();
        boolean reindexing = fields.reindexes();
        fields.publish(dims, root, pendingToken);
        if (reindexing) {
            header = ObjectHeader.read(storage, headerAddress, path);
            headerChanged();
        }
        if (fsync) storage.sync();
        index.afterCommit();
        pendingToken = null;
        changed = false;
    }

    private void store(long[] chunkOffset, EncodedChunk chunk) {
        stored.store(chunkOffset, chunk);
        changed = true;
    }

    private void storeRaw(long[] chunkOffset, byte[] raw) {
        store(chunkOffset, encodeChunk(raw));
    }

    private DatasetBounds bounds() {
        return new DatasetBounds(dims, layout.maxDims(), layout.chunkDims(), where);
    }
}
