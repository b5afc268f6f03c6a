package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fractal heap (specification III.G), read-only: the header ({@code FRHP}), its managed
 * objects in direct blocks ({@code FHDB}) reached through a tree of indirect blocks ({@code
 * FHIB}) laid out as a doubling table, and tiny objects, which live in their heap ID. A dense
 * group keeps its link messages here. Huge objects (kept outside the heap through a B-tree) and
 * filtered heaps are refused by name; libhdf5 uses neither for links. Every block's checksum is
 * checked, and an object must lie inside the block its offset falls in.
 */
public final class FractalHeap {
    private static final int HEADER_SIZE = 146;
    private static final int FLAG_DIRECT_BLOCKS_CHECKSUMMED = 0x02;
    /** Bounds a corrupt header cannot talk the reader past: blocks up to 64 MiB, tables of 64 Ki entries. */
    private static final long MAX_BLOCK_SIZE = 64L << 20;
    private static final int MAX_TABLE_ENTRIES = 1 << 16;
    /** Room for a direct block's own header (at most 25 bytes) and an object. */
    private static final long MIN_BLOCK_SIZE = 32;

    private final BlockReader reader;
    private final long address;
    private final String where;
    private final int heapIdLength;
    private final boolean directBlocksChecksummed;
    private final int tableWidth;
    private final long startingBlockSize;
    private final int maxDirectRows;
    private final long rootAddress;
    private final int rootRows;
    private final int offsetSize;
    private final int lengthSize;
    private final Map<Long, ByteBuffer> directBlocks = new HashMap<>();

    private FractalHeap(BlockReader reader, long address, String where, ByteBuffer h) {
        this.reader = reader;
        this.address = address;
        this.where = where;
        if (!"FRHP".equals(Bytes.signature(h))) throw new Hdf5FormatException(where + ": no fractal heap header at " + address);
        int version = Bytes.u8(h);
        if (version != 0) throw new Hdf5FormatException(where + ": fractal heap version " + version + " is unknown");
        heapIdLength = Bytes.u16(h);
        int filterLength = Bytes.u16(h);
        if (filterLength != 0) throw new Hdf5FormatException(where + ": the fractal heap at " + address + " is filtered; not supported");
        int flags = Bytes.u8(h);
        directBlocksChecksummed = (flags & FLAG_DIRECT_BLOCKS_CHECKSUMMED) != 0;
        long maxManagedObjectSize = Bytes.u32(h);
        h.position(h.position() + 12 * 8); // huge-object and free-space bookkeeping, counts
        tableWidth = Bytes.u16(h);
        startingBlockSize = h.getLong();
        long maxDirectBlockSize = h.getLong();
        int maxHeapSizeBits = Bytes.u16(h);
        Bytes.u16(h); // starting rows of the root indirect block
        rootAddress = h.getLong();
        rootRows = Bytes.u16(h);
        if (tableWidth == 0 || Integer.bitCount(tableWidth) != 1 || !powerOfTwo(startingBlockSize) || startingBlockSize < MIN_BLOCK_SIZE
                || !powerOfTwo(maxDirectBlockSize)
                || maxDirectBlockSize < startingBlockSize || maxDirectBlockSize > MAX_BLOCK_SIZE || maxHeapSizeBits < 1 || maxHeapSizeBits > 64
                || maxManagedObjectSize == 0) {
            throw new Hdf5FormatException(where + ": the fractal heap at " + address + " has an invalid doubling table (width " + tableWidth
                    + ", blocks " + startingBlockSize + " to " + maxDirectBlockSize + ", " + maxHeapSizeBits + " address bits)");
        }
        maxDirectRows = log2(maxDirectBlockSize) - log2(startingBlockSize) + 2;
        offsetSize = (maxHeapSizeBits + 7) / 8;
        lengthSize = Math.min((log2(maxDirectBlockSize) + 7) / 8, (63 - Long.numberOfLeadingZeros(maxManagedObjectSize)) / 8 + 1);
        if (1 + offsetSize + lengthSize > heapIdLength) {
            throw new Hdf5FormatException(where + ": the fractal heap's IDs of " + heapIdLength + " bytes cannot hold an offset of "
                    + offsetSize + " and a length of " + lengthSize + " bytes");
        }
    }

    /** libhdf5's parameters for the link heap of a dense group (H5Gdense.c), but for the starting block size. */
    private static final int LINK_TABLE_WIDTH = 4;
    private static final long LINK_MAX_DIRECT_BLOCK = 1 << 16;
    private static final int LINK_HEAP_BITS = 32;
    private static final int LINK_MAX_MANAGED_OBJECT = 4096;
    /** The largest object {@link #write} stores: libhdf5 keeps larger ones of a link heap outside its blocks. */
    public static final int MAX_LINK_OBJECT = LINK_MAX_MANAGED_OBJECT;
    private static final int LINK_OFFSET_SIZE = (LINK_HEAP_BITS + 7) / 8;
    private static final int LINK_LENGTH_SIZE = 2;
    private static final int LINK_HEAP_ID_LENGTH = 1 + LINK_OFFSET_SIZE + LINK_LENGTH_SIZE;
    private static final int LINK_DIRECT_BLOCK_PREFIX = 4 + 1 + 8 + LINK_OFFSET_SIZE + 4;
    private static final long LINK_MIN_BLOCK = 512;
    private static final int LINK_MAX_DIRECT_ROWS = log2(LINK_MAX_DIRECT_BLOCK) - log2(LINK_MIN_BLOCK) + 2;
    private static final int LINK_MAX_ROOT_ROWS = LINK_HEAP_BITS - log2(LINK_MIN_BLOCK * LINK_TABLE_WIDTH) + 1;

    /** A heap written whole: the header's address, every block by address, and each object's heap ID, in order. */
    public record Written(long headerAddress, Map<Long, byte[]> blocks, List<byte[]> ids) {}

    /**
     * Encodes a new heap holding {@code objects}, laid out as libhdf5 lays out the link heap of a
     * dense group (table width 4, direct blocks up to 64 KiB, 32-bit heap offsets, 7-byte heap
     * IDs, objects up to 4 KiB, checksummed direct blocks). Objects that fit in one 64 KiB block go
     * into a root direct block of the smallest power of two from 512 that holds them all (the
     * starting block size is that block's size). More go into a root indirect block with libhdf5's
     * starting block size of 512: direct blocks in the order of their heap offsets, each filled
     * with the next objects that fit, under child indirect blocks where the doubling table has
     * them (past 512 KiB of objects), the root's rows a power of two as libhdf5 doubles them. The
     * space left in the blocks and the table is counted as free but entered in no free-space
     * manager: none is written, and libhdf5 starts one when it first needs one, then allocates
     * new blocks from the allocation iterator, which points past the last block written.
     *
     * @param allocate hands out file space for a block of the given size, returning its address
     * @return null when an object is empty or larger than 4 KiB, or the objects need more than
     *     a 32-bit heap's address space
     */
    public static Written write(List<byte[]> objects, java.util.function.IntToLongFunction allocate) {
        long objectBytes = 0;
        for (byte[] o : objects) {
            if (o.length == 0 || o.length > LINK_MAX_MANAGED_OBJECT) return null;
            objectBytes += o.length;
        }
        return LINK_DIRECT_BLOCK_PREFIX + objectBytes <= LINK_MAX_DIRECT_BLOCK
                ? singleBlock(objects, objectBytes, allocate)
                : doublingTable(objects, objectBytes, allocate);
    }

    private static Written singleBlock(List<byte[]> objects, long objectBytes, java.util.function.IntToLongFunction allocate) {
        long used = LINK_DIRECT_BLOCK_PREFIX + objectBytes;
        long blockSize = LINK_MIN_BLOCK;
        while (blockSize < used) blockSize <<= 1;
        long headerAddress = allocate.applyAsLong(HEADER_SIZE);
        long blockAddress = allocate.applyAsLong((int) blockSize);
        List<byte[]> ids = new ArrayList<>();
        Map<Long, byte[]> blocks = new LinkedHashMap<>();
        blocks.put(headerAddress, null); // the header first; encoded below
        blocks.put(blockAddress, directBlock(headerAddress, 0, (int) blockSize, objects, 0, objects.size(), ids));
        // The allocation iterator stays 0 while the root is a direct block, as libhdf5 leaves it.
        blocks.put(headerAddress, header(blockSize - used, blockSize, blockSize, 0, objects.size(), blockSize, blockAddress, 0));
        return new Written(headerAddress, blocks, ids);
    }

    /** Where the objects of a root indirect block's heap go: direct blocks by heap offset, each with its objects. */
    private static final class Placement {
        final List<byte[]> objects;
        final Map<Long, int[]> blocks = new java.util.TreeMap<>(); // offset -> {first object, end object, block size}
        int next;
        long end; // the heap offset past the last block that holds an object

        Placement(List<byte[]> objects) {
            this.objects = objects;
        }

        /** Fills the direct block at {@code offset} with the next objects that fit; true once every object has a place. */
        boolean fill(long offset, long size) {
            int first = next;
            long room = size - LINK_DIRECT_BLOCK_PREFIX;
            while (next < objects.size() && objects.get(next).length <= room) room -= objects.get(next++).length;
            if (next > first) {
                blocks.put(offset, new int[] {first, next, (int) size});
                end = offset + size;
            }
            return next == objects.size();
        }

        /** Walks the direct blocks of an indirect block of {@code rows} rows at {@code offset}; true once every object has a place. */
        boolean walk(long offset, int rows) {
            for (int row = 0; row < rows; row++) {
                long size = linkRowSize(row);
                for (int column = 0; column < LINK_TABLE_WIDTH; column++) {
                    long child = offset + linkRowStart(row) + column * size;
                    if (row < LINK_MAX_DIRECT_ROWS ? fill(child, size) : walk(child, linkChildRows(size))) return true;
                }
            }
            return false;
        }
    }

    private static Written doublingTable(List<byte[]> objects, long objectBytes, java.util.function.IntToLongFunction allocate) {
        Placement placement = new Placement(objects);
        if (!placement.walk(0, LINK_MAX_ROOT_ROWS)) return null;
        int rows = 1;
        while (linkRowStart(rows) < placement.end) rows <<= 1; // libhdf5 doubles a root indirect block's rows
        rows = Math.min(rows, LINK_MAX_ROOT_ROWS);
        long headerAddress = allocate.applyAsLong(HEADER_SIZE);
        Map<Long, byte[]> blocks = new LinkedHashMap<>();
        blocks.put(headerAddress, null); // the header first; encoded below
        byte[][] ids = new byte[objects.size()][];
        long[] allocated = new long[1];
        long root = indirectBlock(headerAddress, 0, rows, placement, allocate, blocks, ids, allocated);
        long managed = linkRowStart(rows);
        long free = managed - objectBytes - (long) placement.blocks.size() * LINK_DIRECT_BLOCK_PREFIX;
        blocks.put(headerAddress, header(free, managed, allocated[0], placement.end, objects.size(), LINK_MIN_BLOCK, root, rows));
        return new Written(headerAddress, blocks, java.util.Arrays.asList(ids));
    }

    /** Encodes the indirect block at {@code offset} and the blocks under it that hold objects; its address, or undefined when none does. */
    private static long indirectBlock(long headerAddress, long offset, int rows, Placement placement,
            java.util.function.IntToLongFunction allocate, Map<Long, byte[]> blocks, byte[][] ids, long[] allocated) {
        if (offset >= placement.end) return Bytes.UNDEFINED_ADDRESS;
        int size = 4 + 1 + 8 + LINK_OFFSET_SIZE + rows * LINK_TABLE_WIDTH * 8 + 4;
        long address = allocate.applyAsLong(size);
        ByteBuffer b = Bytes.allocate(size);
        b.put("FHIB".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).putLong(headerAddress).putInt((int) offset);
        blocks.put(address, b.array()); // its children follow it in the file
        for (int row = 0; row < rows; row++) {
            long childSize = linkRowSize(row);
            for (int column = 0; column < LINK_TABLE_WIDTH; column++) {
                long child = offset + linkRowStart(row) + column * childSize;
                long childAddress;
                if (row >= LINK_MAX_DIRECT_ROWS) {
                    childAddress = indirectBlock(headerAddress, child, linkChildRows(childSize), placement, allocate, blocks, ids, allocated);
                } else {
                    int[] in = placement.blocks.get(child);
                    childAddress = in == null ? Bytes.UNDEFINED_ADDRESS : allocate.applyAsLong(in[2]);
                    if (in != null) {
                        List<byte[]> idList = new ArrayList<>();
                        blocks.put(childAddress, directBlock(headerAddress, child, in[2], placement.objects, in[0], in[1], idList));
                        for (int i = in[0]; i < in[1]; i++) ids[i] = idList.get(i - in[0]);
                        allocated[0] += in[2];
                    }
                }
                b.putLong(childAddress);
            }
        }
        b.putInt(Lookup3.checksum(b.array(), 0, size - 4));
        return address;
    }

    /** A checksummed direct block at heap {@code offset} holding objects {@code from} to {@code to}; their heap IDs go to {@code ids}. */
    private static byte[] directBlock(long headerAddress, long offset, int size, List<byte[]> objects, int from, int to, List<byte[]> ids) {
        ByteBuffer block = Bytes.allocate(size);
        block.put("FHDB".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).putLong(headerAddress);
        block.putInt((int) offset);
        block.putInt(0); // checksum, computed below over the block with this field zero
        for (int i = from; i < to; i++) {
            byte[] o = objects.get(i);
            ids.add(Bytes.allocate(LINK_HEAP_ID_LENGTH).put((byte) 0).putInt((int) (offset + block.position())).putShort((short) o.length).array());
            block.put(o);
        }
        block.putInt(LINK_DIRECT_BLOCK_PREFIX - 4, Lookup3.checksum(block.array(), 0, size));
        return block.array();
    }

    private static byte[] header(long free, long managed, long allocated, long iterator, long count, long startingBlockSize, long root, int rootRows) {
        ByteBuffer h = Bytes.allocate(HEADER_SIZE);
        h.put("FRHP".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0);
        h.putShort((short) LINK_HEAP_ID_LENGTH).putShort((short) 0).put((byte) FLAG_DIRECT_BLOCKS_CHECKSUMMED);
        h.putInt(LINK_MAX_MANAGED_OBJECT);
        h.putLong(0); // next huge object ID
        h.putLong(Bytes.UNDEFINED_ADDRESS); // huge objects' B-tree
        h.putLong(free); // free space in managed blocks
        h.putLong(Bytes.UNDEFINED_ADDRESS); // free-space manager
        h.putLong(managed).putLong(allocated).putLong(iterator).putLong(count);
        h.putLong(0).putLong(0).putLong(0).putLong(0); // huge and tiny objects: size, count
        h.putShort((short) LINK_TABLE_WIDTH).putLong(startingBlockSize).putLong(LINK_MAX_DIRECT_BLOCK);
        h.putShort((short) LINK_HEAP_BITS).putShort((short) 1); // starting rows of a root indirect block
        h.putLong(root).putShort((short) rootRows);
        h.putInt(Lookup3.checksum(h.array(), 0, HEADER_SIZE - 4));
        return h.array();
    }

    /** The link heap's doubling table (starting blocks of 512 bytes): a row's block size, where it starts in its block, a child's rows. */
    private static long linkRowSize(int row) {
        return row < 2 ? LINK_MIN_BLOCK : LINK_MIN_BLOCK << (row - 1);
    }

    private static long linkRowStart(int row) {
        return row == 0 ? 0 : (LINK_MIN_BLOCK * LINK_TABLE_WIDTH) << (row - 1);
    }

    private static int linkChildRows(long size) {
        return log2(size) - log2(LINK_MIN_BLOCK * LINK_TABLE_WIDTH) + 1;
    }

    /** Reads the heap header at {@code address}, checking its checksum. */
    public static FractalHeap open(BlockReader reader, long address, String where) throws IOException {
        ByteBuffer h = reader.read(address, HEADER_SIZE, "fractal heap header of " + where);
        Lookup3.verify(h, HEADER_SIZE, where + ": fractal heap header at " + address);
        return new FractalHeap(reader, address, where, h);
    }

    /** The length of this heap's object IDs. */
    public int heapIdLength() { return heapIdLength; }

    /** The object a heap ID names. */
    public ByteBuffer object(ByteBuffer id) throws IOException {
        if (id.remaining() < heapIdLength) throw new Hdf5FormatException(where + ": a heap ID of " + id.remaining() + " bytes");
        int first = Bytes.u8(id);
        if ((first >> 6) != 0) throw new Hdf5FormatException(where + ": heap ID version " + (first >> 6) + " is unknown");
        int type = (first >> 4) & 0x03;
        if (type == 2) {
            int length = (first & 0x0F) + 1;
            if (length > id.remaining()) throw new Hdf5FormatException(where + ": a tiny heap object of " + length + " bytes overruns its ID");
            return id.slice(id.position(), length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        if (type == 1) throw new Hdf5FormatException(where + ": a huge fractal heap object (stored outside the heap); not supported");
        if (type != 0) throw new Hdf5FormatException(where + ": heap ID type " + type + " is unknown");
        long offset = Bytes.unsigned(id, offsetSize);
        long length = Bytes.unsigned(id, lengthSize);
        if (rootRows == 0) return inDirectBlock(rootAddress, 0, startingBlockSize, offset, length);
        return inIndirectBlock(rootAddress, 0, rootRows, offset, length, 0);
    }

    private ByteBuffer inIndirectBlock(long block, long blockOffset, int rows, long offset, long length, int depth)
            throws IOException {
        if (depth > 32 || rows < 1 || rows > 64 || (long) rows * tableWidth > MAX_TABLE_ENTRIES) {
            throw new Hdf5FormatException(where + ": the fractal heap's indirect blocks are too deep or too wide (a corrupt heap?)");
        }
        int entries = rows * tableWidth;
        int prefix = 4 + 1 + 8 + offsetSize;
        int size = prefix + entries * 8 + 4;
        ByteBuffer b = reader.read(block, size, "fractal heap indirect block of " + where);
        Lookup3.verify(b, size, where + ": fractal heap indirect block at " + block);
        if (!"FHIB".equals(Bytes.signature(b))) throw new Hdf5FormatException(where + ": no fractal heap indirect block at " + block);
        long relative = offset - blockOffset;
        for (int row = 0; row < rows; row++) {
            long rowSize = rowSize(row);
            long rowStart = rowStart(row);
            if (rowSize <= 0 || rowStart < 0 || rowSize > Long.MAX_VALUE / tableWidth / 2) break; // past any heap's address space
            if (relative < rowStart || relative >= rowStart + rowSize * tableWidth) continue;
            long column = (relative - rowStart) / rowSize;
            if (column < 0 || column >= tableWidth) break;
            long child = b.getLong(prefix + (int) (row * tableWidth + column) * 8);
            if (child == Bytes.UNDEFINED_ADDRESS) {
                throw new Hdf5FormatException(where + ": a fractal heap object at offset " + offset + " lies in a block never allocated");
            }
            long childOffset = blockOffset + rowStart + column * rowSize;
            if (row < maxDirectRows) return inDirectBlock(child, childOffset, rowSize, offset, length);
            int childRows = log2(rowSize) - log2(startingBlockSize * tableWidth) + 1;
            return inIndirectBlock(child, childOffset, childRows, offset, length, depth + 1);
        }
        throw new Hdf5FormatException(where + ": a fractal heap object at offset " + offset + " lies outside the heap");
    }

    private ByteBuffer inDirectBlock(long block, long blockOffset, long blockSize, long offset, long length) throws IOException {
        ByteBuffer b = directBlocks.get(block);
        if (b == null) {
            b = reader.read(block, (int) blockSize, "fractal heap direct block of " + where);
            if (!"FHDB".equals(Bytes.signature(b))) throw new Hdf5FormatException(where + ": no fractal heap direct block at " + block);
            int headerEnd = 4 + 1 + 8 + offsetSize;
            if (b.getLong(5) != address) throw new Hdf5FormatException(where + ": the direct block at " + block + " belongs to another heap");
            if (directBlocksChecksummed) {
                int stored = b.getInt(headerEnd);
                byte[] whole = new byte[(int) blockSize];
                b.get(0, whole);
                java.util.Arrays.fill(whole, headerEnd, headerEnd + 4, (byte) 0);
                if (Lookup3.checksum(whole, 0, whole.length) != stored) {
                    throw new Hdf5FormatException(where + ": fractal heap direct block at " + block + " fails its checksum");
                }
            }
            directBlocks.put(block, b);
        }
        long inBlock = offset - blockOffset;
        int headerSize = 4 + 1 + 8 + offsetSize + (directBlocksChecksummed ? 4 : 0);
        if (inBlock < headerSize || length <= 0 || inBlock + length > blockSize) {
            throw new Hdf5FormatException(where + ": a fractal heap object of " + length + " bytes at offset " + offset
                    + " does not lie inside its direct block");
        }
        return b.slice((int) inBlock, (int) length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    private long rowSize(int row) {
        return row < 2 ? startingBlockSize : startingBlockSize << (row - 1);
    }

    private long rowStart(int row) {
        return row == 0 ? 0 : (startingBlockSize * tableWidth) << (row - 1);
    }

    private static boolean powerOfTwo(long v) {
        return v > 0 && Long.bitCount(v) == 1;
    }

    private static int log2(long v) {
        return 63 - Long.numberOfLeadingZeros(v);
    }
}
