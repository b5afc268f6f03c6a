package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private final DataType type;
    private long[] dims;
    private final long[] maxDims;
    private final long[] chunkDims;
    private final int chunkBytes;
    private final List<FilterDescription> filters;
    private final FilterPipeline pipeline;
    private final byte[] fillElement;
    private final ChunkIndex index;
    private final long openChunkBudget;
    private final Map<ChunkKey, byte[]> openChunks = new LinkedHashMap<>();
    private long openChunkBytes;
    private byte[] fillChunk;
    private Slot dataspaceSlot;
    private int dimsFieldOffset;
    private Slot layoutSlot;
    private Slot tokenSlot;
    private int tokenDataOffset;
    private int tokenCapacity;
    private byte[] committedToken;
    private byte[] pendingToken;
    private boolean changed;

    /** Everything read from (or written into) the header when the dataset is opened. */
    record Layout(DataType type, long[] dims, long[] maxDims, long[] chunkDims, List<FilterDescription> filters,
            byte[] fillElement, long indexRoot) {}

    Hdf5Dataset(Hdf5File file, String path, long headerAddress, ObjectHeader header, Layout layout) throws IOException {
        super(file, path, headerAddress, header);
        this.type = layout.type;
        this.dims = layout.dims.clone();
        this.maxDims = layout.maxDims.clone();
        this.chunkDims = layout.chunkDims.clone();
        long bytes = type.size();
        for (long c : chunkDims) bytes = c > 0 && bytes > DatasetSpec.MAX_CHUNK_BYTES / c ? Long.MAX_VALUE : bytes * c;
        if (bytes > DatasetSpec.MAX_CHUNK_BYTES) {
            throw new Hdf5Exception(file.path() + ": " + path + ": chunks of " + Arrays.toString(chunkDims) + " " + type
                    + " exceed the 2 GiB this engine supports");
        }
        this.chunkBytes = (int) bytes;
        this.filters = layout.filters;
        this.pipeline = FilterPipeline.of(filters, type.size(), chunkBytes);
        this.fillElement = layout.fillElement == null ? new byte[type.size()] : layout.fillElement;
        this.index = new ChunkIndex(file.storage(), path, dims.length, type.size(), file.chunkIndexK(), layout.indexRoot);
        this.openChunkBudget = file.options().openChunkBudgetBytes();
        locateFields();
    }

    @Override
    void headerChanged() {
        locateFields();
    }

    /** Finds the fields a commit rewrites: dims, index address, token. */
    private void locateFields() {
        dataspaceSlot = header.find(DataspaceMessage.TYPE);
        layoutSlot = header.find(DataLayoutMessage.TYPE);
        try {
            ByteBuffer ds = file.storage().read(dataspaceSlot.bodyAddress(), 1, "dataspace of " + path);
            dimsFieldOffset = ds.get(0) == 1 ? DataspaceMessage.dimsOffset() : 4;
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": " + e.getMessage(), e);
        }
        tokenSlot = findAttribute(COMMIT_TOKEN_ATTRIBUTE);
        if (tokenSlot != null) {
            try {
                ByteBuffer b = file.storage().read(tokenSlot.bodyAddress(), tokenSlot.bodySize(), "commit token of " + path);
                int nameSize = b.getShort(2) & 0xFFFF;
                int typeSize = b.getShort(4) & 0xFFFF;
                int spaceSize = b.getShort(6) & 0xFFFF;
                tokenDataOffset = 8 + Bytes.pad8(nameSize) + Bytes.pad8(typeSize) + Bytes.pad8(spaceSize);
                b.position(tokenDataOffset);
                int length = b.getInt();
                tokenCapacity = tokenSlot.bodySize() - tokenDataOffset - 4;
                if (length < 0 || length > tokenCapacity) {
                    throw new Hdf5Exception(file.path() + ": " + path + ": commit token claims " + length
                            + " bytes in a field of " + tokenCapacity);
                }
                committedToken = new byte[length];
                b.get(committedToken);
            } catch (IOException e) {
                throw new Hdf5Exception(file.path() + ": " + path + ": " + e.getMessage(), e);
            }
        }
    }

    /** The attribute body that reserves a commit token of {@code capacity} bytes. */
    static AttributeMessage tokenAttribute(int capacity, byte[] token) {
        byte[] data = new byte[capacity + 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(token.length).put(token);
        return new AttributeMessage(COMMIT_TOKEN_ATTRIBUTE, DatatypeMessage.of(DataType.UINT8),
                new DataspaceMessage(new long[] {capacity + 4}, null), data);
    }

    public DataType dataType() { return type; }

    /** The current shape, including uncommitted growth. */
    public long[] shape() { return dims.clone(); }

    /** The maximum shape; {@link DatasetSpec#UNLIMITED} for axes without limit. */
    public long[] maxShape() { return maxDims.clone(); }

    public long[] chunkShape() { return chunkDims.clone(); }

    /** Bytes of one uncompressed chunk. */
    public int chunkBytes() { return chunkBytes; }

    public List<FilterDescription> filters() { return filters; }

    /**
     * This dataset's layout as a spec with its current shape (without its attributes): what a
     * client needs to write more chunks just like the existing ones.
     */
    public DatasetSpec spec() {
        try {
            return DatasetSpec.builder(type, dims).maxShape(maxDims).chunks(chunkDims).filters(filters)
                    .fillBytes(fillElement).build();
        } catch (IllegalArgumentException e) {
            // A dataset written elsewhere may have a layout this engine cannot create (rank 9 and
            // up, chunks beyond a fixed maximum): say which.
            throw new Hdf5Exception(file.path() + ": " + path + ": its layout cannot be described as a spec here: "
                    + e.getMessage(), e);
        }
    }

    /** The fill value as one little-endian element. */
    public byte[] fillValue() { return fillElement.clone(); }

    /** The token stored by the last commit, or null when none was ever stored. */
    public byte[] commitToken() { return committedToken == null ? null : committedToken.clone(); }

    /** A token for the next commit to store with the data, e.g. the last applied checkpoint id. */
    public void setCommitToken(byte[] token) {
        file.checkOpen();
        if (tokenSlot != null && token.length > tokenCapacity) {
            throw new Hdf5Exception(file.path() + ": " + path + ": commit token of " + token.length
                    + " bytes exceeds the reserved " + tokenCapacity);
        }
        if (token.length > 1024) throw new Hdf5Exception(file.path() + ": " + path + ": commit token over 1024 bytes");
        pendingToken = token.clone();
    }

    /**
     * Filters one whole chunk ({@link #chunkBytes()} little-endian bytes, C order). Thread-safe:
     * any number of threads may encode while one thread writes.
     */
    public EncodedChunk encodeChunk(byte[] raw) {
        if (raw.length != chunkBytes) {
            throw new Hdf5Exception(file.path() + ": " + path + ": a chunk of " + Arrays.toString(chunkDims) + " " + type
                    + " is " + chunkBytes + " bytes, got " + raw.length);
        }
        try {
            return pipeline.encode(raw, raw.length);
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": filtering a chunk failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stores a filtered chunk at {@code chunkOffset} (element coordinates, a multiple of the chunk
     * shape, anywhere within the maximum shape; outside the current shape it stays invisible until
     * the dataset is resized to cover it). Replaces a chunk already stored there.
     */
    public void writeChunk(long[] chunkOffset, EncodedChunk chunk) {
        file.checkOpen();
        checkChunkOffset(chunkOffset);
        if (openChunks.remove(new ChunkKey(chunkOffset)) != null) openChunkBytes -= chunkBytes;
        store(chunkOffset, chunk);
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
            throw new Hdf5Exception(file.path() + ": " + path + ": appending " + data.remaining()
                    + " bytes, which is not a whole number of rows of " + rowBytes + " bytes");
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
        Iterator<Map.Entry<ChunkKey, byte[]>> it = openChunks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ChunkKey, byte[]> e = it.next();
            if (e.getKey().offset[0] + chunkDims[0] <= dims[0]) {
                store(e.getKey().offset, encodeChunk(e.getValue()));
                openChunkBytes -= chunkBytes;
                it.remove();
            }
        }
    }

    /**
     * Appends rows from a Java array whose element kind matches the dataset's type ({@code short[]}
     * for int16/uint16, {@code double[]} for float64, ...); see {@link #append(ByteBuffer)}.
     */
    public void appendValues(Object primitiveArray) {
        append(JavaArrays.toBuffer(primitiveArray, type, file.path() + ": " + path));
    }

    /** Writes a hyperslab from a Java array; see {@link #write(long[], long[], ByteBuffer)}. */
    public void writeValues(long[] offset, long[] extent, Object primitiveArray) {
        write(offset, extent, JavaArrays.toBuffer(primitiveArray, type, file.path() + ": " + path));
    }

    /**
     * Writes a hyperslab of shape {@code extent} at {@code offset}, which must lie inside the
     * current shape (resize first, as with h5py). {@code data} holds the elements in C order, in
     * the byte order the buffer declares; it is read from its position and not modified.
     */
    public void write(long[] offset, long[] extent, ByteBuffer data) {
        file.checkOpen();
        checkBox(offset, extent, dims, "current shape " + Arrays.toString(dims) + " (resize first)");
        long count = 1;
        for (long e : extent) count = Math.multiplyExact(count, e);
        if (data.remaining() != count * type.size()) {
            throw new Hdf5Exception(file.path() + ": " + path + ": a block of shape " + Arrays.toString(extent) + " " + type
                    + " needs " + count * type.size() + " bytes, got " + data.remaining() + " (at offset "
                    + Arrays.toString(offset) + ")");
        }
        if (count == 0) return;
        ByteBuffer src = littleEndian(data);
        int rank = dims.length;
        ChunkGrid.forEachOverlap(offset, extent, chunkDims, (chunkOrigin, lo, box) -> {
            long[] srcOrigin = new long[rank];
            long[] dstOrigin = new long[rank];
            boolean whole = true;
            for (int d = 0; d < rank; d++) {
                srcOrigin[d] = lo[d] - offset[d];
                dstOrigin[d] = lo[d] - chunkOrigin[d];
                whole &= box[d] == chunkDims[d];
            }
            ChunkKey key = new ChunkKey(chunkOrigin);
            byte[] chunk = whole ? new byte[chunkBytes] : openChunk(key);
            BoxCopy.copy(src, extent, srcOrigin, chunk, chunkDims, dstOrigin, box, type.size());
            if (whole) {
                if (openChunks.remove(key) != null) openChunkBytes -= chunkBytes;
                store(key.offset, encodeChunk(chunk));
            }
        });
        evictOverBudget();
    }

    /** Reads a hyperslab inside the current shape (little-endian, C order), committed or not. */
    public ByteBuffer read(long[] offset, long[] extent) {
        file.checkOpen();
        checkBox(offset, extent, dims, "current shape " + Arrays.toString(dims));
        long count = type.size();
        for (long e : extent) count = Math.multiplyExact(count, e);
        if (count > Integer.MAX_VALUE - 8) throw new Hdf5Exception(path + ": a read of " + count + " bytes is over 2 GiB");
        ByteBuffer out = ByteBuffer.allocate((int) count).order(ByteOrder.LITTLE_ENDIAN);
        int rank = dims.length;
        ChunkGrid.forEachOverlap(offset, extent, chunkDims, (chunkOrigin, lo, box) -> {
            long[] srcOrigin = new long[rank];
            long[] dstOrigin = new long[rank];
            for (int d = 0; d < rank; d++) {
                srcOrigin[d] = lo[d] - chunkOrigin[d];
                dstOrigin[d] = lo[d] - offset[d];
            }
            ChunkKey key = new ChunkKey(chunkOrigin);
            if (!openChunks.containsKey(key) && !stored(key)) {
                // Nothing stored: the fill value goes straight into the box, so that a read costs
                // what it returns, not a chunk of the size the layout declares.
                BoxCopy.copy(filled(box), box, new long[rank], out, extent, dstOrigin, box, type.size());
                return;
            }
            BoxCopy.copy(currentChunk(key), chunkDims, srcOrigin, out, extent, dstOrigin, box, type.size());
        });
        return out;
    }

    /**
     * Changes the current shape. Axes may only grow, up to the maximum shape; growth becomes
     * visible at the next commit.
     */
    public void resize(long... newShape) {
        file.checkOpen();
        if (newShape.length != dims.length) {
            throw new Hdf5Exception(file.path() + ": " + path + ": new shape " + Arrays.toString(newShape) + " has rank "
                    + newShape.length + ", the dataset has rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (newShape[d] < dims[d]) {
                throw new Hdf5Exception(file.path() + ": " + path + ": shrinking axis " + d + " from " + dims[d] + " to "
                        + newShape[d] + " is not supported");
            }
            if (maxDims[d] != DatasetSpec.UNLIMITED && newShape[d] > maxDims[d]) {
                throw new Hdf5Exception(file.path() + ": " + path + ": axis " + d + " cannot grow to " + newShape[d]
                        + ", its maximum is " + maxDims[d]);
            }
        }
        if (!Arrays.equals(dims, newShape)) {
            dims = newShape.clone();
            changed = true;
        }
    }

    /** Whether a chunk is stored at {@code chunkOffset} (committed or not); unstored chunks read as fill. */
    public boolean hasChunk(long[] chunkOffset) {
        checkChunkOffset(chunkOffset);
        try {
            return openChunks.containsKey(new ChunkKey(chunkOffset)) || index.get(chunkOffset) != null;
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": reading the chunk index failed: " + e.getMessage(), e);
        }
    }

    /** How many chunks the index holds (committed or not); walks the whole index. */
    public long allocatedChunks() {
        long[] n = {0};
        try {
            index.forEach((o, e) -> n[0]++);
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": reading the chunk index failed: " + e.getMessage(), e);
        }
        return n[0] + openChunks.keySet().stream().filter(k -> {
            try {
                return index.get(k.offset) == null;
            } catch (IOException e) {
                throw new Hdf5Exception(e.getMessage(), e);
            }
        }).count();
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
        for (Map.Entry<ChunkKey, byte[]> e : openChunks.entrySet()) store(e.getKey().offset, encodeChunk(e.getValue()));
        openChunks.clear();
        openChunkBytes = 0;
        if (pendingToken != null && tokenSlot == null) {
            AttributeMessage m = tokenAttribute(Math.max(64, pendingToken.length), new byte[0]);
            header = HeaderEditor.add(file.storage(), header, AttributeMessage.TYPE, 0, m.encodeBody(), path);
            locateFields();
        }
        long root = index.writeDirty();
        FileStorage storage = file.storage();
        storage.publishEof();
        if (fsync) storage.sync();

        ByteBuffer dimsBytes = Bytes.allocate(8 * dims.length);
        for (long d : dims) dimsBytes.putLong(d);
        byte[] rootBytes = Bytes.allocate(8).putLong(0, root).array();
        byte[] tokenBytes = null;
        if (pendingToken != null) {
            tokenBytes = new byte[4 + tokenCapacity];
            ByteBuffer.wrap(tokenBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(pendingToken.length).put(pendingToken);
        }
        long dimsAt = dataspaceSlot.bodyAddress() + dimsFieldOffset;
        long rootAt = layoutSlot.bodyAddress() + DataLayoutMessage.BTREE_ADDRESS_OFFSET;
        long tokenAt = tokenSlot == null ? -1 : tokenSlot.bodyAddress() + tokenDataOffset;
        boolean adjacent = layoutSlot.messageAddress() == dataspaceSlot.bodyAddress() + dataspaceSlot.bodySize()
                && (tokenSlot == null || tokenSlot.messageAddress() == layoutSlot.bodyAddress() + layoutSlot.bodySize());
        if (adjacent) {
            long end = tokenBytes != null ? tokenAt + tokenBytes.length : rootAt + 8;
            ByteBuffer region = storage.read(dimsAt, (int) (end - dimsAt), "header of " + path);
            byte[] r = new byte[region.remaining()];
            region.get(r);
            System.arraycopy(dimsBytes.array(), 0, r, 0, dimsBytes.capacity());
            System.arraycopy(rootBytes, 0, r, (int) (rootAt - dimsAt), 8);
            if (tokenBytes != null) System.arraycopy(tokenBytes, 0, r, (int) (tokenAt - dimsAt), tokenBytes.length);
            storage.write(dimsAt, r);
        } else {
            // Index first (new entries lie beyond the old shape or replace chunks), then the shape
            // that reveals them, then the token: a crash between leaves a state the next commit of
            // the same chunks repairs, never a token claiming data that is not visible.
            storage.write(rootAt, rootBytes);
            storage.write(dimsAt, dimsBytes.array());
            if (tokenBytes != null) storage.write(tokenAt, tokenBytes);
        }
        if (fsync) storage.sync();
        index.afterCommit();
        if (pendingToken != null) committedToken = pendingToken;
        pendingToken = null;
        changed = false;
    }

    private void store(long[] chunkOffset, EncodedChunk chunk) {
        try {
            FileStorage storage = file.storage();
            long address = storage.allocate(chunk.length());
            storage.write(address, chunk.data(), 0, chunk.length());
            index.put(chunkOffset, address, chunk.length(), chunk.filterMask());
            changed = true;
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": writing the chunk at " + Arrays.toString(chunkOffset)
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** The open (being assembled) chunk at {@code key}, opening it from storage or fill. */
    private byte[] openChunk(ChunkKey key) {
        byte[] chunk = openChunks.get(key);
        if (chunk == null) {
            chunk = storedChunk(key);
            openChunks.put(key, chunk);
            openChunkBytes += chunkBytes;
        }
        return chunk;
    }

    private boolean stored(ChunkKey key) {
        try {
            return index.get(key.offset) != null;
        } catch (IOException e) {
            throw new Hdf5Exception(file.path() + ": " + path + ": reading the chunk index at " + Arrays.toString(key.offset)
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** A box of {@code shape} filled with the fill value. */
    private byte[] filled(long[] shape) {
        long bytes = fillElement.length;
        for (long e : shape) bytes *= e;
        byte[] b = new byte[(int) bytes];
        for (int i = 0; i < b.length; i += fillElement.length) System.arraycopy(fillElement, 0, b, i, fillElement.length);
        return b;
    }

    private byte[] currentChunk(ChunkKey key) {
        byte[] open = openChunks.get(key);
        return open != null ? open : storedChunk(key);
    }

    /** A chunk as stored, decoded, or filled with the fill value when none is stored. */
    private byte[] storedChunk(ChunkKey key) {
        try {
            ChunkIndex.Entry e = index.get(key.offset);
            if (e == null) {
                if (fillChunk == null) {
                    fillChunk = new byte[chunkBytes];
                    for (int i = 0; i < chunkBytes; i += fillElement.length) {
                        System.arraycopy(fillElement, 0, fillChunk, i, fillElement.length);
                    }
                }
                return fillChunk.clone();
            }
            ByteBuffer b = file.storage().read(e.address(), e.size(), "chunk " + Arrays.toString(key.offset) + " of " + path);
            byte[] stored = new byte[e.size()];
            b.get(stored);
            byte[] raw = pipeline.decode(stored, stored.length, e.filterMask(), chunkBytes);
            if (raw.length != chunkBytes) {
                throw new Hdf5Exception(file.path() + ": " + path + ": chunk at " + Arrays.toString(key.offset)
                        + " decodes to " + raw.length + " bytes, expected " + chunkBytes);
            }
            return raw;
        } catch (IOException ex) {
            throw new Hdf5Exception(file.path() + ": " + path + ": reading the chunk at " + Arrays.toString(key.offset)
                    + " failed: " + ex.getMessage(), ex);
        }
    }

    private void evictOverBudget() {
        Iterator<Map.Entry<ChunkKey, byte[]>> it = openChunks.entrySet().iterator();
        while (openChunkBytes > openChunkBudget && it.hasNext()) {
            Map.Entry<ChunkKey, byte[]> e = it.next();
            store(e.getKey().offset, encodeChunk(e.getValue()));
            openChunkBytes -= chunkBytes;
            it.remove();
        }
    }

    private ByteBuffer littleEndian(ByteBuffer data) {
        ByteBuffer src = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (data.order() == ByteOrder.LITTLE_ENDIAN || type.size() == 1) return src;
        byte[] swapped = new byte[data.remaining()];
        int size = type.size();
        for (int i = 0; i < swapped.length; i += size) {
            for (int j = 0; j < size; j++) swapped[i + j] = data.get(data.position() + i + size - 1 - j);
        }
        return ByteBuffer.wrap(swapped).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void checkChunkOffset(long[] chunkOffset) {
        if (chunkOffset.length != dims.length) {
            throw new Hdf5Exception(file.path() + ": " + path + ": chunk offset " + Arrays.toString(chunkOffset)
                    + " has rank " + chunkOffset.length + ", the dataset has rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (chunkOffset[d] < 0 || chunkOffset[d] % chunkDims[d] != 0) {
                throw new Hdf5Exception(file.path() + ": " + path + ": chunk offset " + Arrays.toString(chunkOffset)
                        + " is not on the chunk grid " + Arrays.toString(chunkDims) + " (axis " + d + ")");
            }
            if (maxDims[d] != DatasetSpec.UNLIMITED && chunkOffset[d] >= maxDims[d]) {
                throw new Hdf5Exception(file.path() + ": " + path + ": chunk offset " + Arrays.toString(chunkOffset)
                        + " lies outside the maximum shape " + Arrays.toString(maxDims) + " (axis " + d + ")");
            }
        }
    }

    private void checkBox(long[] offset, long[] extent, long[] bounds, String what) {
        if (offset.length != dims.length || extent.length != dims.length) {
            throw new Hdf5Exception(file.path() + ": " + path + ": offset " + Arrays.toString(offset) + " and shape "
                    + Arrays.toString(extent) + " must both have the dataset's rank " + dims.length);
        }
        for (int d = 0; d < dims.length; d++) {
            if (offset[d] < 0 || extent[d] < 0 || offset[d] + extent[d] > bounds[d] || offset[d] + extent[d] < 0) {
                throw new Hdf5Exception(file.path() + ": " + path + ": block at offset " + Arrays.toString(offset)
                        + " of shape " + Arrays.toString(extent) + " exceeds the " + what + " on axis " + d);
            }
        }
    }

    /** A chunk's offset as a map key. */
    private record ChunkKey(long[] offset) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ChunkKey k && Arrays.equals(offset, k.offset);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(offset);
        }
    }
}
