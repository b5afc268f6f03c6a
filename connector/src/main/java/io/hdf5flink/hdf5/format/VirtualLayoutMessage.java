package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The data layout message, type 0x0008 (specification IV.A.2.i), version 4, virtual class (3):
 * where the {@link VirtualDatasetHeapBlock} of the dataset's mappings is, as a global heap
 * collection address and the object's index in it.
 */
public record VirtualLayoutMessage(long globalHeapAddress, int objectIndex) implements HeaderMessage {
    private static final int VIRTUAL = 3;

    @Override
    public int type() { return DataLayoutMessage.TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(2 + 8 + 4);
        b.put((byte) 4);
        b.put((byte) VIRTUAL);
        b.putLong(globalHeapAddress);
        b.putInt(objectIndex);
        return b.array();
    }

    /** Whether a data layout message's body (at its start) describes a virtual dataset. */
    public static boolean isVirtual(ByteBuffer body) {
        return body.remaining() >= 2 && body.get(body.position()) == 4 && body.get(body.position() + 1) == VIRTUAL;
    }
}
