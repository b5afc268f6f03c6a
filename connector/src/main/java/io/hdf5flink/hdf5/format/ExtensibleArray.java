package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An extensible array (specification III.H): the chunk index libhdf5 1.10 gives a dataset
 * with one unlimited axis under {@code libver='latest'}. A header ({@code EAHD}) holds the
 * parameters and points to an index block ({@code EAIB}) that holds the first elements, the
 * addresses of the first data blocks and of secondary blocks ({@code EASB}), which hold the
 * addresses of later data blocks ({@code EADB}). Data blocks double in size every other super
 * block; one larger than a page is stored in pages, each checksummed, that its secondary block
 * marks as initialized. Every block is checked against its lookup3 checksum. Elements never set
 * are not visited: an unallocated block or page, or an element whose chunk address is undefined
 * (all ones, libhdf5's fill of a chunk index).
 */
public final class ExtensibleArray {
    /** What is done with each element that was set: its index in the array and its bytes. */
    public interface ElementVisitor {
        void element(long index, ByteBuffer element) throws IOException;
    }

    private static final int PREFIX = 4 + 1 + 1 + 8; // signature, version, client id, header address
    private static final int HEADER_SIZE = 4 + 1 + 1 + 6 + 6 * 8 + 8 + 4;
    private static final int STATS = 6;
    /** Indexes into {@link #stats()}. */
    public static final int SECONDARY_BLOCKS = 0;
    public static final int SECONDARY_BLOCK_BYTES = 1;
    public static final int DATA_BLOCKS = 2;
    public static final int DATA_BLOCK_BYTES = 3;
    public static final int MAX_INDEX_SET = 4;
    public static final int ELEMENTS_REALIZED = 5;

    private final BlockReader reader;
    private final String where;
    private final int clientId;
    private final int elementSize;
    private final int indexBlockElements;
    private final int dataBlockMinElements;
    private final int secondaryBlockMinDataPointers;
    private final int pageElements;
    /** Bytes that encode an offset into the array. */
    private final int offsetSize;
    private final long indexBlock;
    private final Geometry geometry;
    private final long[] stats = new long[STATS];

    private ExtensibleArray(BlockReader reader, String where, ByteBuffer h) {
        this.reader = reader;
        this.where = where;
        h.position(5);
        this.clientId = Bytes.u8(h);
        this.elementSize = Bytes.u8(h);
        int maxBits = Bytes.u8(h);
        this.indexBlockElements = Bytes.u8(h);
        this.dataBlockMinElements = Bytes.u8(h);
        this.secondaryBlockMinDataPointers = Bytes.u8(h);
        int pageBits = Bytes.u8(h);
        this.pageElements = 1 << pageBits;
        this.offsetSize = (maxBits + 7) / 8;
        h.position(12);
        for (int i = 0; i < STATS; i++) stats[i] = h.getLong();
        this.indexBlock = h.getLong();
        try {
            this.geometry = new Geometry(clientId, elementSize, maxBits, indexBlockElements, dataBlockMinElements,
                    secondaryBlockMinDataPointers, pageBits);
        } catch (Hdf5FormatException e) {
            throw new Hdf5FormatException(where + ": " + e.getMessage());
        }
    }

    /** The array's parameters and the block layout that follows from them. */
    public Geometry geometry() { return geometry; }

    /**
     * The header's statistics, in its order: secondary blocks and their bytes, data blocks and
     * their bytes, the maximum index set (plus one), the elements realized.
     */
    public long[] stats() { return stats.clone(); }

    /** The index block's address, or undefined when no element was ever set. */
    public long indexBlockAddress() { return indexBlock; }

    /** Opens the array whose header is at {@code address}; {@code where} names it in errors. */
    public static ExtensibleArray open(BlockReader reader, long address, String where) throws IOException {
        ByteBuffer h = reader.read(address, HEADER_SIZE, "extensible array header of " + where);
        if (!"EAHD".equals(Bytes.signature(h))) throw new Hdf5FormatException(where + ": no extensible array header (EAHD) at " + address);
        if ((h.get(4) & 0xFF) != 0) throw new Hdf5FormatException(where + ": extensible array header version " + (h.get(4) & 0xFF));
        Lookup3.verify(h, HEADER_SIZE, where + ": extensible array header at " + address);
        return new ExtensibleArray(reader, where, h);
    }

    /** 0 for the chunks of an unfiltered dataset (an address each), 1 for filtered ones (address, size, filter mask). */
    public int clientId() { return clientId; }

    public int elementSize() { return elementSize; }

    /** Visits every element that was set, in index order. */
    public void forEach(ElementVisitor visitor) throws IOException {
        if (indexBlock == Bytes.UNDEFINED_ADDRESS) return;
        int dataBlockAddresses = geometry.indexBlockDataBlocks();
        int secondaryAddresses = geometry.indexBlockSecondaryBlocks();
        int size = size(PREFIX + (long) indexBlockElements * elementSize + 8L * (dataBlockAddresses + secondaryAddresses) + 4, "index block");
        ByteBuffer b = block(indexBlock, size, "EAIB", "index block");
        b.position(PREFIX);
        for (int i = 0; i < indexBlockElements; i++) visit(b, i, visitor);
        long index = indexBlockElements;
        int superBlock = 0;
        int inSuperBlock = 0;
        for (int d = 0; d < dataBlockAddresses; d++) {
            long elements = geometry.dataBlockElements(superBlock);
            dataBlock(b.getLong(), index, elements, null, 0, visitor);
            index += elements;
            if (++inSuperBlock == geometry.dataBlocks(superBlock)) {
                superBlock++;
                inSuperBlock = 0;
            }
        }
        for (int s = 0; s < secondaryAddresses; s++, superBlock++) {
            long address = b.getLong();
            long blockElements = geometry.dataBlockElements(superBlock) * geometry.dataBlocks(superBlock);
            if (address != Bytes.UNDEFINED_ADDRESS) secondaryBlock(address, superBlock, index, visitor);
            index += blockElements;
        }
    }

    private void secondaryBlock(long address, int superBlock, long first, ElementVisitor visitor) throws IOException {
        long blocks = geometry.dataBlocks(superBlock);
        long elements = geometry.dataBlockElements(superBlock);
        long pages = elements > pageElements ? elements / pageElements : 0;
        // libhdf5 sizes the bitmap per data block, rounded up to bytes, but numbers the bits
        // across blocks: block d's page p is bit d * pages + p, the first bit the most significant.
        int bitmap = size(blocks * ((pages + 7) / 8), "secondary block");
        int size = size(PREFIX + offsetSize + bitmap + 8 * blocks + 4, "secondary block");
        ByteBuffer b = block(address, size, "EASB", "secondary block");
        b.position(PREFIX + offsetSize);
        byte[] initialized = new byte[bitmap];
        b.get(initialized);
        for (int d = 0; d < blocks; d++) {
            dataBlock(b.getLong(), first + d * elements, elements, initialized, d * pages, visitor);
        }
    }

    /**
     * A data block of {@code elements} elements from index {@code first}: whole, or in pages, page
     * {@code p} initialized when bit {@code firstPage + p} of {@code initialized} is set.
     */
    private void dataBlock(long address, long first, long elements, byte[] initialized, long firstPage, ElementVisitor visitor)
            throws IOException {
        if (address == Bytes.UNDEFINED_ADDRESS) return;
        int prefix = PREFIX + offsetSize;
        if (elements <= pageElements) {
            ByteBuffer b = block(address, size(prefix + elements * elementSize + 4, "data block"), "EADB", "data block");
            b.position(prefix);
            for (long i = 0; i < elements; i++) visit(b, first + i, visitor);
            return;
        }
        block(address, prefix + 4, "EADB", "data block");
        int pageBytes = size((long) pageElements * elementSize + 4, "data block page");
        for (long p = 0; p < elements / pageElements; p++) {
            long bit = firstPage + p;
            if ((initialized[(int) (bit / 8)] & (0x80 >>> (bit % 8))) == 0) continue;
            long at = address + prefix + 4 + p * pageBytes;
            ByteBuffer page = reader.read(at, pageBytes, "extensible array data block page of " + where);
            Lookup3.verify(page, pageBytes, where + ": extensible array data block page at " + at);
            for (long i = 0; i < pageElements; i++) visit(page, first + p * pageElements + i, visitor);
        }
    }

    /** A block's size, refused when no block of the file can be that large (a corrupt header's parameters). */
    private int size(long bytes, String what) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new Hdf5FormatException(where + ": an extensible array " + what + " of " + bytes + " bytes");
        }
        return (int) bytes;
    }

    private ByteBuffer block(long address, int size, String signature, String what) throws IOException {
        ByteBuffer b = reader.read(address, size, "extensible array " + what + " of " + where);
        if (!signature.equals(Bytes.signature(b))) {
            throw new Hdf5FormatException(where + ": no extensible array " + what + " (" + signature + ") at " + address);
        }
        Lookup3.verify(b, size, where + ": extensible array " + what + " at " + address);
        return b;
    }

    /**
     * Hands the element at the buffer's position to the visitor unless it was never set (its first
     * 8 bytes, a chunk's address, all ones: libhdf5 fills a filtered element's size and mask with
     * zeros); moves past it.
     */
    private void visit(ByteBuffer b, long index, ElementVisitor visitor) throws IOException {
        ByteBuffer element = b.slice(b.position(), elementSize).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.position(b.position() + elementSize);
        for (int i = 0; i < Math.min(8, elementSize); i++) {
            if (element.get(i) != (byte) 0xFF) {
                visitor.element(index, element);
                return;
            }
        }
    }

    /**
     * An extensible array's creation parameters and the layout libhdf5 derives from them
     * (H5EA__hdr_init): super block {@code s} has {@code 2^floor(s/2)} data blocks of
     * {@code 2^ceil(s/2)} times the minimum elements; the index block holds the first elements,
     * the data block addresses of the first super blocks and the secondary block addresses of the
     * rest; a data block larger than a page is stored in checksummed pages. Also encodes the
     * blocks, for a writer that keeps the array copy-on-write.
     */
    public record Geometry(int clientId, int elementSize, int maxBits, int indexBlockElements, int dataBlockMinElements,
            int secondaryBlockMinDataPointers, int pageBits) {
        public Geometry {
            if (elementSize == 0 || maxBits == 0 || maxBits > 64 || Integer.bitCount(dataBlockMinElements) != 1
                    || Integer.bitCount(secondaryBlockMinDataPointers) != 1 || pageBits > 30
                    || Integer.numberOfTrailingZeros(dataBlockMinElements) > maxBits) {
                throw new Hdf5FormatException("an extensible array with elements of " + elementSize + " bytes, " + maxBits
                        + " bits, data blocks of at least " + dataBlockMinElements + " elements, " + secondaryBlockMinDataPointers
                        + " data block pointers, pages of 2^" + pageBits + " elements is not valid");
            }
        }

        public int offsetSize() { return (maxBits + 7) / 8; }

        public int superBlocks() { return 1 + maxBits - Integer.numberOfTrailingZeros(dataBlockMinElements); }

        /** Super blocks whose data block addresses the index block holds. */
        public int directSuperBlocks() { return 2 * Integer.numberOfTrailingZeros(secondaryBlockMinDataPointers); }

        public int indexBlockDataBlocks() { return 2 * (secondaryBlockMinDataPointers - 1); }

        public int indexBlockSecondaryBlocks() { return Math.max(0, superBlocks() - directSuperBlocks()); }

        public long dataBlocks(int superBlock) { return 1L << (superBlock / 2); }

        public long dataBlockElements(int superBlock) { return (1L << ((superBlock + 1) / 2)) * dataBlockMinElements; }

        public long pageElements() { return 1L << pageBits; }

        /** Pages of each data block of a super block; 0 when its data blocks are not paged. */
        public long pages(int superBlock) {
            long e = dataBlockElements(superBlock);
            return e > pageElements() ? e / pageElements() : 0;
        }

        /** The index of a super block's first element, counted after the index block's elements (libhdf5's block offset). */
        public long superBlockStart(int superBlock) {
            long start = 0;
            for (int t = 0; t < superBlock; t++) start += dataBlocks(t) * dataBlockElements(t);
            return start;
        }

        public int headerSize() { return HEADER_SIZE; }

        public int indexBlockSize() {
            return PREFIX + indexBlockElements * elementSize + 8 * (indexBlockDataBlocks() + indexBlockSecondaryBlocks()) + 4;
        }

        public int bitmapBytes(int superBlock) { return (int) (dataBlocks(superBlock) * ((pages(superBlock) + 7) / 8)); }

        public int secondaryBlockSize(int superBlock) {
            return PREFIX + offsetSize() + bitmapBytes(superBlock) + 8 * (int) dataBlocks(superBlock) + 4;
        }

        /** Where a data block's elements (or its first page) begin. */
        public int dataBlockPrefix(int superBlock) { return PREFIX + offsetSize() + (pages(superBlock) > 0 ? 4 : 0); }

        public int pageBytes() { return (int) pageElements() * elementSize + 4; }

        public int dataBlockSize(int superBlock) {
            long pages = pages(superBlock);
            long size = pages > 0 ? dataBlockPrefix(superBlock) + pages * pageBytes()
                    : PREFIX + offsetSize() + dataBlockElements(superBlock) * elementSize + 4;
            if (size > Integer.MAX_VALUE - 8) throw new Hdf5FormatException("an extensible array data block of " + size + " bytes");
            return (int) size;
        }

        /** Where element {@code e} of a data block lies within it. */
        public int elementAt(int superBlock, long e) {
            if (pages(superBlock) == 0) return (int) (PREFIX + offsetSize() + e * elementSize);
            return (int) (dataBlockPrefix(superBlock) + (e / pageElements()) * pageBytes() + (e % pageElements()) * elementSize);
        }

        /** A block's signature, version, client ID and header address. */
        public void putPrefix(java.nio.ByteBuffer b, String signature, long header) {
            b.put(signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) clientId).putLong(header);
        }

        public void putOffset(java.nio.ByteBuffer b, long offset) {
            for (int i = 0; i < offsetSize(); i++) b.put((byte) (offset >>> (8 * i)));
        }

        /** The header, its checksum computed. */
        public byte[] header(long[] stats, long indexBlock) {
            java.nio.ByteBuffer h = Bytes.allocate(HEADER_SIZE);
            h.put("EAHD".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) clientId).put((byte) elementSize);
            h.put((byte) maxBits).put((byte) indexBlockElements).put((byte) dataBlockMinElements).put((byte) secondaryBlockMinDataPointers)
                    .put((byte) pageBits);
            for (long v : stats) h.putLong(v);
            h.putLong(indexBlock);
            h.putInt(Lookup3.checksum(h.array(), 0, HEADER_SIZE - 4));
            return h.array();
        }

        /** Sets the checksum of a block image whose last 4 bytes hold it (index, secondary, unpaged data block). */
        public static void seal(byte[] block) {
            java.nio.ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(block.length - 4, Lookup3.checksum(block, 0, block.length - 4));
        }

        /** Sets the checksums of a paged data block image: its prefix's and each page's. */
        public void sealPaged(byte[] block, int superBlock) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int prefix = dataBlockPrefix(superBlock) - 4;
            b.putInt(prefix, Lookup3.checksum(block, 0, prefix));
            for (long p = 0; p < pages(superBlock); p++) {
                int at = (int) (dataBlockPrefix(superBlock) + p * pageBytes());
                b.putInt(at + pageBytes() - 4, Lookup3.checksum(block, at, pageBytes() - 4));
            }
        }
    }
}
