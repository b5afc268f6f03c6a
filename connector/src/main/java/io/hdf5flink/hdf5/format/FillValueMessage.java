package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The fill value message, type 0x0005 (specification IV.A.2.f), version 2 as libhdf5 writes it
 * for chunked datasets: incremental space allocation, fill written "if set", and the value the
 * readers return for every element of a chunk that was never written. Decoding also reads
 * version 1 and 3 bodies of files written elsewhere.
 */
public record FillValueMessage(byte[] value) implements HeaderMessage {
    public static final int TYPE = 0x0005;
    private static final int ALLOC_INCREMENTAL = 3;
    private static final int FILL_TIME_IFSET = 2;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(8 + value.length);
        b.put((byte) 2);
        b.put((byte) ALLOC_INCREMENTAL);
        b.put((byte) FILL_TIME_IFSET);
        b.put((byte) 1); // fill value defined
        b.putInt(value.length);
        b.put(value);
        return b.array();
    }

    /**
     * @return the stored value bytes, or {@code null} when the message defines none (the
     *     library default, zeros)
     */
    public static byte[] decodeValue(ByteBuffer b) {
        Bytes.require(b, 1, "fill value message");
        int version = Bytes.u8(b);
        boolean defined;
        if (version == 1 || version == 2) {
            Bytes.require(b, 3, "fill value message");
            b.get();
            b.get();
            defined = b.get() != 0;
            if (!defined) return null;
        } else if (version == 3) {
            int flags = Bytes.u8(b);
            if ((flags & 0x10) != 0) return null; // undefined
            defined = (flags & 0x20) != 0;
            if (!defined) return null;
        } else {
            throw new UnsupportedFormatException("fill value message version " + version + " is not supported");
        }
        Bytes.require(b, 4, "fill value size");
        long size = Bytes.u32(b);
        if (size == 0) return null;
        if (size > b.remaining()) {
            throw new Hdf5FormatException("fill value message claims " + size + " bytes, has " + b.remaining());
        }
        byte[] v = new byte[(int) size];
        b.get(v);
        return v;
    }
}
