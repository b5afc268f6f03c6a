package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.ExtensibleArray;
import io.hdf5flink.hdf5.format.Lookup3;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chunk index of a {@code libver='latest'} dataset with one unlimited axis, kept as the
 * extensible array libhdf5 made (specification III.H). Every block names its header's address
 * (libhdf5 checks it), so the header stays where it is; the other blocks are copy-on-write: a
 * commit writes new copies of the blocks it changed (the data blocks holding new or replaced
 * chunks, their secondary block, the index block) to free space, publishes the end of file, and
 * then rewrites the header in place (74 bytes, one write) to point at the new index block, before
 * the shape that reveals the new chunks is published: libhdf5's SWMR order, chunk data, index,
 * dataspace. No block a reader can reach is modified, so every instant is a valid file and a
 * reader in SWMR mode walks the old array or the new one; the blocks a commit replaced are
 * released for reuse after the grace period of {@link FileStorage#release}. A dataset that had no
 * array yet gets a new one, whose header address the commit publishes in the layout message. The
 * cost of a commit is the blocks it touched: for appends the newest data block, whose size grows
 * as the square root of the chunk count (4,096 elements, 64 KiB, at a million chunks), and a few
 * small ones.
 *
 * <p>Blocks are laid out, and the header's statistics kept, as libhdf5 does, so that libhdf5
 * reads the array and appends to it afterwards. A paged data block (larger than a page) is
 * written whole, each page initialized and marked so in its secondary block.
 */
final class ExtensibleArrayChunkIndex implements ChunkIndex {
    private final FileStorage storage;
    private final ErrorContext where;
    private final ExtensibleArray.Geometry g;
    private final boolean filtered;
    /** The size of every chunk of an unfiltered dataset, which its elements do not store. */
    private final int unfilteredSize;
    private final int[] order;
    private final long[] chunkCounts;
    private final long[] chunkDims;
    private final long[] stats;
    private long headerAddress;
    private long indexBlockAddress;
    private byte[] indexBlock;
    private boolean indexBlockDirty;
    /** Secondary blocks by super block, and data blocks by super block and number in it: images read or made. */
    private final Map<Integer, Block> secondary = new HashMap<>();
    private final TreeMap<Long, Block> data = new TreeMap<>();
    private final List<long[]> superseded = new ArrayList<>();
    private boolean dirty;
    private long blockWrites;

    /** A block's image, its committed address (undefined for a new one) and whether it changed. */
    private static final class Block {
        final byte[] image;
        long address;
        boolean dirty;

        Block(byte[] image, long address) {
            this.image = image;
            this.address = address;
        }
    }

    /**
     * @param headerAddress the array's header, or undefined for a dataset no chunk was written to
     *     (the array is then created with {@code geometry}, as libhdf5 creates it with the first chunk)
     * @param maxDims the dataset's maximum shape, one axis unlimited
     */
    ExtensibleArrayChunkIndex(FileStorage storage, ErrorContext where, long headerAddress, ExtensibleArray.Geometry geometry,
            long[] maxDims, long[] chunkDims, boolean filtered, int unfilteredSize) throws IOException {
        this.storage = storage;
        this.where = where;
        this.filtered = filtered;
        this.unfilteredSize = unfilteredSize;
        this.chunkDims = chunkDims.clone();
        this.order = Version4Chunks.arrayOrder(maxDims, where);
        this.chunkCounts = new long[maxDims.length];
        for (int d = 0; d < maxDims.length; d++) {
            chunkCounts[d] = maxDims[d] == DatasetSpec.UNLIMITED ? Long.MAX_VALUE : (maxDims[d] + chunkDims[d] - 1) / chunkDims[d];
        }
        this.headerAddress = headerAddress;
        if (headerAddress == Bytes.UNDEFINED_ADDRESS) {
            this.g = geometry;
            this.stats = new long[6];
            this.indexBlockAddress = Bytes.UNDEFINED_ADDRESS;
        } else {
            ExtensibleArray array = ExtensibleArray.open(storage, headerAddress, where.object());
            this.g = array.geometry();
            this.stats = array.stats();
            this.indexBlockAddress = array.indexBlockAddress();
        }
        if (g.clientId() != (filtered ? 1 : 0) || (filtered ? g.elementSize() < 13 || g.elementSize() > 20 : g.elementSize() != 8)) {
            throw where.error("its extensible array holds elements of " + g.elementSize() + " bytes for " + (g.clientId() == 1 ? "filtered" : "unfiltered")
                    + " chunks, but the dataset is " + (filtered ? "" : "not ") + "filtered");
        }
    }

    /** The geometry libhdf5 gives a new array (H5Dearray.c): its element size follows from the chunk's bytes when filtered. */
    static ExtensibleArray.Geometry newGeometry(byte[] layoutParameters, boolean filtered, long chunkBytes, ErrorContext where) {
        int sizeLength = Math.min(8, 1 + (63 - Long.numberOfLeadingZeros(chunkBytes) + 8) / 8);
        try {
            return new ExtensibleArray.Geometry(filtered ? 1 : 0, filtered ? 8 + sizeLength + 4 : 8, layoutParameters[0] & 0xFF,
                    layoutParameters[1] & 0xFF, layoutParameters[3] & 0xFF, layoutParameters[2] & 0xFF, layoutParameters[4] & 0xFF);
        } catch (io.hdf5flink.hdf5.format.Hdf5FormatException e) {
            throw where.error("its layout message describes " + e.getMessage(), e);
        }
    }

    /** The array index libhdf5 gives the chunk at {@code offset}: row-major over the chunk grid, the unlimited axis first. */
    private long indexOf(long[] offset) {
        long index = offset[order[0]] / chunkDims[order[0]];
        for (int i = 1; i < order.length; i++) index = index * chunkCounts[order[i]] + offset[order[i]] / chunkDims[order[i]];
        return index;
    }

    private long[] offsetOf(long index) {
        long[] offset = new long[order.length];
        for (int i = order.length - 1; i >= 1; i--) {
            offset[order[i]] = index % chunkCounts[order[i]] * chunkDims[order[i]];
            index /= chunkCounts[order[i]];
        }
        offset[order[0]] = index * chunkDims[order[0]];
        return offset;
    }

    /** Where element {@code index} lives: the block's image and the element's position in it. */
    private record Slot(byte[] image, int at) {}

    private Slot locate(long index, boolean create) throws IOException {
        if (index < g.indexBlockElements()) {
            byte[] ib = indexBlock(create);
            return ib == null ? null : new Slot(ib, prefix() + (int) index * g.elementSize());
        }
        Position p = position(index);
        Block block = dataBlock(p.superBlock, p.dataBlock, create);
        return block == null ? null : new Slot(block.image, g.elementAt(p.superBlock, p.element));
    }

    /** An element past the index block: its super block, its data block there, and its place in that. */
    private record Position(int superBlock, long dataBlock, long element) {}

    private Position position(long index) {
        long j = index - g.indexBlockElements();
        long start = 0;
        for (int s = 0; s < g.superBlocks(); s++) {
            long elements = g.dataBlockElements(s);
            long span = g.dataBlocks(s) * elements;
            if (j < start + span) return new Position(s, (j - start) / elements, (j - start) % elements);
            start += span;
        }
        throw where.error("chunk " + index + " lies beyond its extensible array's " + g.maxBits() + "-bit range");
    }

    /** Where the index block keeps the address of data block {@code d} of a super block it covers. */
    private int directPointer(int s, long d) {
        long before = 0;
        for (int t = 0; t < s; t++) before += g.dataBlocks(t);
        return prefix() + g.indexBlockElements() * g.elementSize() + 8 * (int) (before + d);
    }

    /** Where a secondary block keeps the address of its data block {@code d}. */
    private int secondaryDataPointer(int s, long d) {
        return prefix() + g.offsetSize() + g.bitmapBytes(s) + 8 * (int) d;
    }

    private int prefix() {
        return 4 + 1 + 1 + 8;
    }

    private byte[] indexBlock(boolean create) throws IOException {
        if (indexBlock != null) return indexBlock;
        if (indexBlockAddress != Bytes.UNDEFINED_ADDRESS) {
            indexBlock = read(indexBlockAddress, g.indexBlockSize(), "EAIB");
        } else {
            if (!create) return null;
            ByteBuffer b = Bytes.allocate(g.indexBlockSize());
            g.putPrefix(b, "EAIB", 0);
            for (int i = 0; i < g.indexBlockElements(); i++) putFill(b);
            for (int i = 0; i < g.indexBlockDataBlocks() + g.indexBlockSecondaryBlocks(); i++) b.putLong(Bytes.UNDEFINED_ADDRESS);
            indexBlock = b.array();
            indexBlockDirty = true;
            stats[ExtensibleArray.ELEMENTS_REALIZED] += g.indexBlockElements();
        }
        return indexBlock;
    }

    /** Where the address of data block {@code d} of super block {@code s} is kept: in the index block or in a secondary block. */
    private Block dataBlock(int s, long d, boolean create) throws IOException {
        long key = blockKey(s, d);
        Block b = data.get(key);
        if (b != null) return b;
        byte[] parent;
        int pointerAt;
        if (s < g.directSuperBlocks()) {
            parent = indexBlock(create);
            if (parent == null) return null;
            pointerAt = directPointer(s, d);
        } else {
            Block sb = secondaryBlock(s, create);
            if (sb == null) return null;
            parent = sb.image;
            pointerAt = secondaryDataPointer(s, d);
        }
        long address = ByteBuffer.wrap(parent).order(ByteOrder.LITTLE_ENDIAN).getLong(pointerAt);
        if (address != Bytes.UNDEFINED_ADDRESS) {
            b = new Block(readDataBlock(address, s, d), address);
        } else {
            if (!create) return null;
            ByteBuffer image = Bytes.allocate(g.dataBlockSize(s));
            g.putPrefix(image, "EADB", 0);
            g.putOffset(image, g.superBlockStart(s) + d * g.dataBlockElements(s));
            for (long e = 0; e < g.dataBlockElements(s); e++) {
                image.position(g.elementAt(s, e));
                putFill(image);
            }
            b = new Block(image.array(), Bytes.UNDEFINED_ADDRESS);
            b.dirty = true;
            stats[ExtensibleArray.DATA_BLOCKS]++;
            stats[ExtensibleArray.DATA_BLOCK_BYTES] += g.dataBlockSize(s);
            stats[ExtensibleArray.ELEMENTS_REALIZED] += g.dataBlockElements(s);
        }
        data.put(key, b);
        return b;
    }

    private Block secondaryBlock(int s, boolean create) throws IOException {
        Block b = secondary.get(s);
        if (b != null) return b;
        byte[] ib = indexBlock(create);
        if (ib == null) return null;
        int pointerAt = secondaryPointer(s);
        long address = ByteBuffer.wrap(ib).order(ByteOrder.LITTLE_ENDIAN).getLong(pointerAt);
        if (address != Bytes.UNDEFINED_ADDRESS) {
            b = new Block(read(address, g.secondaryBlockSize(s), "EASB"), address);
        } else {
            if (!create) return null;
            ByteBuffer image = Bytes.allocate(g.secondaryBlockSize(s));
            g.putPrefix(image, "EASB", 0);
            g.putOffset(image, g.superBlockStart(s));
            image.position(image.position() + g.bitmapBytes(s));
            for (long d = 0; d < g.dataBlocks(s); d++) image.putLong(Bytes.UNDEFINED_ADDRESS);
            b = new Block(image.array(), Bytes.UNDEFINED_ADDRESS);
            b.dirty = true;
            stats[ExtensibleArray.SECONDARY_BLOCKS]++;
            stats[ExtensibleArray.SECONDARY_BLOCK_BYTES] += g.secondaryBlockSize(s);
        }
        secondary.put(s, b);
        return b;
    }

    private int secondaryPointer(int s) {
        return prefix() + g.indexBlockElements() * g.elementSize() + 8 * (g.indexBlockDataBlocks() + s - g.directSuperBlocks());
    }

    private static long blockKey(int s, long d) {
        return ((long) s << 40) | d;
    }

    private byte[] read(long address, int size, String signature) throws IOException {
        ByteBuffer b = storage.read(address, size, "extensible array of " + where.object());
        byte[] found = new byte[4];
        b.get(0, found);
        if (!signature.equals(new String(found, java.nio.charset.StandardCharsets.US_ASCII))) {
            throw where.error("no extensible array block " + signature + " at " + address);
        }
        Lookup3.verify(b, size, where.object() + ": extensible array block at " + address);
        byte[] image = new byte[size];
        b.get(0, image);
        return image;
    }

    /** A data block's image; a paged one's uninitialized pages (its secondary block's bitmap says which) hold fill elements. */
    private byte[] readDataBlock(long address, int s, long d) throws IOException {
        if (g.pages(s) == 0) return read(address, g.dataBlockSize(s), "EADB");
        byte[] image = new byte[g.dataBlockSize(s)];
        byte[] prefix = read(address, g.dataBlockPrefix(s), "EADB");
        System.arraycopy(prefix, 0, image, 0, prefix.length);
        byte[] bitmap = secondary.get(s).image;
        int bitmapAt = prefix() + g.offsetSize();
        ByteBuffer fill = Bytes.allocate(g.elementSize());
        putFill(fill);
        for (long p = 0; p < g.pages(s); p++) {
            long bit = d * g.pages(s) + p;
            int at = (int) (g.dataBlockPrefix(s) + p * g.pageBytes());
            if ((bitmap[bitmapAt + (int) (bit / 8)] & (0x80 >>> (bit % 8))) != 0) {
                ByteBuffer page = storage.read(address + at, g.pageBytes(), "extensible array page of " + where.object());
                Lookup3.verify(page, g.pageBytes(), where.object() + ": extensible array page at " + (address + at));
                page.get(0, image, at, g.pageBytes());
            } else {
                for (int e = 0; e < g.pageElements(); e++) System.arraycopy(fill.array(), 0, image, at + e * g.elementSize(), g.elementSize());
            }
        }
        return image;
    }

    /** libhdf5's fill of a chunk index element: an undefined address, and for filtered chunks size and mask 0. */
    private void putFill(ByteBuffer b) {
        b.putLong(Bytes.UNDEFINED_ADDRESS);
        for (int i = 8; i < g.elementSize(); i++) b.put((byte) 0);
    }

    @Override
    public Entry get(long[] chunkOffset) throws IOException {
        long index = indexOf(chunkOffset);
        if (index >= stats[ExtensibleArray.MAX_INDEX_SET]) return null;
        Slot slot = locate(index, false);
        return slot == null ? null : decode(ByteBuffer.wrap(slot.image).order(ByteOrder.LITTLE_ENDIAN).position(slot.at));
    }

    private Entry decode(ByteBuffer e) {
        long address = e.getLong();
        if (address == Bytes.UNDEFINED_ADDRESS) return null;
        if (!filtered) return new Entry(address, unfilteredSize, 0);
        int size = (int) Bytes.unsigned(e, g.elementSize() - 12);
        return new Entry(address, size, e.getInt());
    }

    @Override
    public void put(long[] chunkOffset, long address, int size, int filterMask) throws IOException {
        long index = indexOf(chunkOffset);
        Slot slot = locate(index, true);
        ByteBuffer e = ByteBuffer.wrap(slot.image).order(ByteOrder.LITTLE_ENDIAN).position(slot.at);
        e.putLong(address);
        if (filtered) {
            int sizeLength = g.elementSize() - 12;
            if (sizeLength < 8 && size >>> (8 * sizeLength) != 0) {
                throw where.error("a chunk of " + size + " bytes does not fit the " + sizeLength + "-byte size field of its extensible array");
            }
            for (int i = 0; i < sizeLength; i++) e.put((byte) (size >>> (8 * i)));
            e.putInt(filterMask);
        }
        markDirty(index);
        stats[ExtensibleArray.MAX_INDEX_SET] = Math.max(stats[ExtensibleArray.MAX_INDEX_SET], index + 1);
        dirty = true;
    }

    /** Marks the block holding element {@code index} as changed. */
    private void markDirty(long index) {
        if (index < g.indexBlockElements()) {
            indexBlockDirty = true;
            return;
        }
        Position p = position(index);
        data.get(blockKey(p.superBlock, p.dataBlock)).dirty = true;
    }

    /**
     * Writes new copies of the changed data blocks, then of the secondary blocks and the index
     * block that point to them, publishes the end of file, and rewrites the header in place (a
     * new array's header goes to new space); returns the header's address.
     */
    @Override
    public long writeDirty() throws IOException {
        if (!dirty) return headerAddress;
        long header = headerAddress != Bytes.UNDEFINED_ADDRESS ? headerAddress : storage.allocateNode(g.headerSize());
        for (Map.Entry<Long, Block> entry : data.entrySet()) {
            Block b = entry.getValue();
            if (!b.dirty) continue;
            int s = (int) (entry.getKey() >>> 40);
            long d = entry.getKey() & ((1L << 40) - 1);
            setHeaderAddress(b.image, header);
            if (g.pages(s) > 0) {
                g.sealPaged(b.image, s);
                Block sb = secondary.get(s);
                int bitmapAt = prefix() + g.offsetSize();
                for (long p = 0; p < g.pages(s); p++) {
                    long bit = d * g.pages(s) + p;
                    sb.image[bitmapAt + (int) (bit / 8)] |= (byte) (0x80 >>> (bit % 8));
                }
            } else {
                ExtensibleArray.Geometry.seal(b.image);
            }
            long address = rewrite(b);
            if (s < g.directSuperBlocks()) {
                putAddress(indexBlock, directPointer(s, d), address);
                indexBlockDirty = true;
            } else {
                Block sb = secondary.get(s);
                putAddress(sb.image, secondaryDataPointer(s, d), address);
                sb.dirty = true;
            }
        }
        for (Map.Entry<Integer, Block> entry : secondary.entrySet()) {
            Block b = entry.getValue();
            if (!b.dirty) continue;
            setHeaderAddress(b.image, header);
            ExtensibleArray.Geometry.seal(b.image);
            putAddress(indexBlock, secondaryPointer(entry.getKey()), rewrite(b));
            indexBlockDirty = true;
        }
        if (indexBlockDirty) {
            setHeaderAddress(indexBlock, header);
            ExtensibleArray.Geometry.seal(indexBlock);
            Block ib = new Block(indexBlock, indexBlockAddress);
            indexBlockAddress = rewrite(ib);
            indexBlockDirty = false;
        }
        // The header points at the new blocks only once the end of file covers them.
        storage.publishEof();
        storage.write(header, g.header(stats, indexBlockAddress));
        blockWrites++;
        headerAddress = header;
        dirty = false;
        return header;
    }

    /** Writes a changed block to a new place (its old one, if committed, released after the commit); returns the new address. */
    private long rewrite(Block b) throws IOException {
        long address = storage.allocateNode(b.image.length);
        storage.write(address, b.image);
        blockWrites++;
        if (b.address != Bytes.UNDEFINED_ADDRESS) superseded.add(new long[] {b.address, b.image.length});
        b.address = address;
        b.dirty = false;
        return address;
    }

    private static void putAddress(byte[] image, int at, long address) {
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putLong(at, address);
    }

    private static void setHeaderAddress(byte[] image, long header) {
        putAddress(image, 6, header);
    }

    /** After the commit: the replaced blocks are released, and the blocks read are dropped but for the index block. */
    @Override
    public void afterCommit() {
        for (long[] b : superseded) storage.release(b[0], (int) b[1]);
        superseded.clear();
        data.clear();
        secondary.clear();
    }

    /** Visits every chunk the array holds, uncommitted ones included. */
    @Override
    public void forEach(ChunkVisitor visitor) throws IOException {
        if (!dirty) {
            if (headerAddress == Bytes.UNDEFINED_ADDRESS) return;
            ExtensibleArray.open(storage, headerAddress, where.object()).forEach((index, e) -> {
                Entry entry = decode(e);
                if (entry != null) visitor.chunk(offsetOf(index), entry);
            });
            return;
        }
        for (long index = 0; index < stats[ExtensibleArray.MAX_INDEX_SET]; index++) {
            Slot slot = locate(index, false);
            Entry entry = slot == null ? null : decode(ByteBuffer.wrap(slot.image).order(ByteOrder.LITTLE_ENDIAN).position(slot.at));
            if (entry != null) visitor.chunk(offsetOf(index), entry);
        }
    }

    @Override
    public long nodeWrites() { return blockWrites; }

    @Override
    public int depth() { return headerAddress == Bytes.UNDEFINED_ADDRESS ? 0 : 1; }
}
