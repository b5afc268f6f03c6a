package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The attribute message, type 0x000C (specification IV.A.2.m), version 1: a name, a datatype,
 * a dataspace and the value's raw bytes. {@link #dataOffset()} says where the value starts in
 * the body, so a fixed-size value (the engine's commit token) can be rewritten in place.
 */
public record AttributeMessage(String name, DatatypeMessage datatype, DataspaceMessage dataspace, byte[] data)
        implements HeaderMessage {
    public static final int TYPE = 0x000C;

    @Override
    public int type() { return TYPE; }

    private byte[] nameBytes() {
        return (name + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** Offset of the value within the body. */
    public int dataOffset() {
        return 8 + Bytes.pad8(nameBytes().length) + Bytes.pad8(datatype.encodeBody().length)
                + Bytes.pad8(dataspace.encodeBody().length);
    }

    @Override
    public byte[] encodeBody() {
        byte[] n = nameBytes();
        byte[] t = datatype.encodeBody();
        byte[] s = dataspace.encodeBody();
        ByteBuffer b = Bytes.allocate(dataOffset() + data.length);
        b.put((byte) 1);
        b.put((byte) 0);
        b.putShort((short) n.length);
        b.putShort((short) t.length);
        b.putShort((short) s.length);
        b.put(n).position(8 + Bytes.pad8(n.length));
        b.put(t).position(8 + Bytes.pad8(n.length) + Bytes.pad8(t.length));
        b.put(s).position(dataOffset());
        b.put(data);
        return b.array();
    }

    /** Reads only the attribute's name (versions 1 to 3): enough to find or replace it. */
    public static String decodeName(ByteBuffer b) {
        Bytes.require(b, 8, "attribute message");
        int version = Bytes.u8(b);
        if (version < 1 || version > 3) {
            throw new UnsupportedFormatException("attribute message version " + version + " is not supported");
        }
        int flags = Bytes.u8(b);
        int nameSize = Bytes.u16(b);
        b.getShort();
        b.getShort();
        if (version == 3) b.get(); // name character set
        if (nameSize == 0) throw new Hdf5FormatException("attribute message has an empty name");
        return Bytes.cString(b, nameSize, "attribute name");
    }
}
