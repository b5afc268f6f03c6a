package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The link info message, type 0x0002 (specification IV.A.2.c), version 0, as a group with
 * compact link storage has it: creation order neither tracked nor indexed, and no fractal heap
 * or name index (its links are link messages in its own header).
 */
public record LinkInfoMessage() implements HeaderMessage {
    public static final int TYPE = 0x0002;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(2 + 8 + 8);
        b.put((byte) 0);
        b.put((byte) 0);
        b.putLong(Bytes.UNDEFINED_ADDRESS); // fractal heap
        b.putLong(Bytes.UNDEFINED_ADDRESS); // v2 B-tree of names
        return b.array();
    }
}
