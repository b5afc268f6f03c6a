package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An extensible array (specification III.H), read: the chunk index libhdf5 1.10 gives a dataset
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
    private final int superBlocks;
    private final long indexBlock;

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
        if (elementSize == 0 || maxBits == 0 || maxBits > 64 || Integer.bitCount(dataBlockMinElements) != 1
                || Integer.bitCount(secondaryBlockMinDataPointers) != 1 || pageBits > 30) {
            throw new Hdf5FormatException(where + ": extensible array header with element size " + elementSize + ", " + maxBits
                    + " bits, data blocks of at least " + dataBlockMinElements + " elements, " + secondaryBlockMinDataPointers
                    + " data block pointers, pages of 2^" + pageBits + " elements");
        }
        this.pageElements = 1 << pageBits;
        this.offsetSize = (maxBits + 7) / 8;
        this.superBlocks = 1 + maxBits - Integer.numberOfTrailingZeros(dataBlockMinElements);
        h.position(12 + 6 * 8);
        this.indexBlock = h.getLong();
    }

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
        int directSuperBlocks = 2 * Integer.numberOfTrailingZeros(secondaryBlockMinDataPointers);
        int dataBlockAddresses = 2 * (secondaryBlockMinDataPointers - 1);
        int secondaryAddresses = Math.max(0, superBlocks - directSuperBlocks);
        int size = size(PREFIX + (long) indexBlockElements * elementSize + 8L * (dataBlockAddresses + secondaryAddresses) + 4, "index block");
        ByteBuffer b = block(indexBlock, size, "EAIB", "index block");
        b.position(PREFIX);
        for (int i = 0; i < indexBlockElements; i++) visit(b, i, visitor);
        long index = indexBlockElements;
        int superBlock = 0;
        int inSuperBlock = 0;
        for (int d = 0; d < dataBlockAddresses; d++) {
            long elements = dataBlockElements(superBlock);
            dataBlock(b.getLong(), index, elements, null, 0, visitor);
            index += elements;
            if (++inSuperBlock == dataBlocks(superBlock)) {
                superBlock++;
                inSuperBlock = 0;
            }
        }
        for (int s = 0; s < secondaryAddresses; s++, superBlock++) {
            long address = b.getLong();
            long blockElements = dataBlockElements(superBlock) * dataBlocks(superBlock);
            if (address != Bytes.UNDEFINED_ADDRESS) secondaryBlock(address, superBlock, index, visitor);
            index += blockElements;
        }
    }

    private long dataBlocks(int superBlock) {
        return 1L << (superBlock / 2);
    }

    private long dataBlockElements(int superBlock) {
        return (1L << ((superBlock + 1) / 2)) * dataBlockMinElements;
    }

    private void secondaryBlock(long address, int superBlock, long first, ElementVisitor visitor) throws IOException {
        long blocks = dataBlocks(superBlock);
        long elements = dataBlockElements(superBlock);
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
}
