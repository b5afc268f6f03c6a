package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The object header continuation message, type 0x0010 (specification IV.A.2.q): where the
 * header's next block of messages is and how long it is.
 */
public record ObjectHeaderContinuationMessage(long offset, long length) implements HeaderMessage {
    public static final int TYPE = 0x0010;
    public static final int BODY_SIZE = 16;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(BODY_SIZE);
        b.putLong(offset);
        b.putLong(length);
        return b.array();
    }

    public static ObjectHeaderContinuationMessage decode(ByteBuffer b) {
        Bytes.require(b, BODY_SIZE, "object header continuation message");
        return new ObjectHeaderContinuationMessage(b.getLong(), b.getLong());
    }
}
