package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * A symbol table entry (specification III.C): a link name's offset in the group's local heap,
 * the object's header address and, for groups, a cached copy of their B-tree and heap
 * addresses (cache type 1), for soft links the offset of the link's value in the heap (cache
 * type 2). The 16-byte scratch pad is kept verbatim. 40 bytes with 8-byte offsets.
 */
public record SymbolTableEntry(long linkNameOffset, long objectHeaderAddress, int cacheType,
        long cachedBTreeAddress, long cachedHeapAddress) {

    public static final int SIZE = 40;
    static final int CACHE_NONE = 0;
    static final int CACHE_SYMBOL_TABLE = 1;
    public static final int CACHE_SOFT_LINK = 2;

    public static SymbolTableEntry forGroup(long nameOffset, long header, long btree, long heap) {
        return new SymbolTableEntry(nameOffset, header, CACHE_SYMBOL_TABLE, btree, heap);
    }

    public static SymbolTableEntry forObject(long nameOffset, long header) {
        return new SymbolTableEntry(nameOffset, header, CACHE_NONE, 0, 0);
    }

    /** For a soft link: where its target path is in the group's local heap. */
    public long softLinkValueOffset() {
        return cachedBTreeAddress & 0xFFFFFFFFL;
    }

    public SymbolTableEntry withNameOffset(long offset) {
        return new SymbolTableEntry(offset, objectHeaderAddress, cacheType, cachedBTreeAddress, cachedHeapAddress);
    }

    public void encode(ByteBuffer b) {
        b.putLong(linkNameOffset);
        b.putLong(objectHeaderAddress);
        b.putInt(cacheType);
        b.putInt(0);
        b.putLong(cachedBTreeAddress);
        b.putLong(cachedHeapAddress);
    }

    public static SymbolTableEntry decode(ByteBuffer b) {
        Bytes.require(b, SIZE, "symbol table entry");
        long name = b.getLong();
        long header = b.getLong();
        int cache = b.getInt();
        b.getInt();
        long btree = b.getLong();
        long heap = b.getLong();
        return new SymbolTableEntry(name, header, cache, btree, heap);
    }
}
