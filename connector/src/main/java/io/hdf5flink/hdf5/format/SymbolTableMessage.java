package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The symbol table message, type 0x0011 (specification IV.A.2.r): marks an object header as an
 * "old-style" group and points to the group's version 1 B-tree (type 0) and local heap.
 */
public record SymbolTableMessage(long bTreeAddress, long localHeapAddress) implements HeaderMessage {
    public static final int TYPE = 0x0011;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(16);
        b.putLong(bTreeAddress);
        b.putLong(localHeapAddress);
        return b.array();
    }

    public static SymbolTableMessage decode(ByteBuffer b) {
        Bytes.require(b, 16, "symbol table message");
        return new SymbolTableMessage(b.getLong(), b.getLong());
    }
}
