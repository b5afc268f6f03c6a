package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The link message, type 0x0006 (specification IV.A.2.g), version 1: one named link of a group
 * stored with link messages ("compact" storage), written here as a hard link (an object header's
 * address) or an external link (a file name and an object path in it, resolved by readers when
 * they follow it). Names are stored as UTF-8 with the character-set flag, so libhdf5 returns them
 * as written.
 */
public final class LinkMessage implements HeaderMessage {
    public static final int TYPE = 0x0006;
    private static final int HARD = 0;
    private static final int EXTERNAL = 64;
    private static final int FLAG_TYPE_PRESENT = 0x08;
    private static final int FLAG_CHARSET_PRESENT = 0x10;
    private static final int UTF8 = 1;

    private final String name;
    private final int linkType;
    private final byte[] info;

    private LinkMessage(String name, int linkType, byte[] info) {
        if (name.isEmpty() || name.contains("/")) throw new IllegalArgumentException("a link name is not empty and holds no '/': " + name);
        this.name = name;
        this.linkType = linkType;
        this.info = info;
    }

    /** A hard link named {@code name} to the object header at {@code address}. */
    public static LinkMessage hard(String name, long address) {
        return new LinkMessage(name, HARD, Bytes.allocate(8).putLong(address).array());
    }

    /** An external link named {@code name} to {@code objectPath} in {@code file}. */
    public static LinkMessage external(String name, String file, String objectPath) {
        byte[] f = file.getBytes(StandardCharsets.UTF_8);
        byte[] o = objectPath.getBytes(StandardCharsets.UTF_8);
        int length = 1 + f.length + 1 + o.length + 1;
        ByteBuffer b = Bytes.allocate(2 + length);
        b.putShort((short) length);
        b.put((byte) 0); // version 0, no flags
        b.put(f).put((byte) 0);
        b.put(o).put((byte) 0);
        return new LinkMessage(name, EXTERNAL, b.array());
    }

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int sizeCode = n.length <= 0xff ? 0 : 1; // a 1- or 2-byte name length
        if (n.length > 0xffff) throw new IllegalArgumentException("a link name of " + n.length + " bytes is too long");
        ByteBuffer b = Bytes.allocate(2 + 1 + 1 + (sizeCode == 0 ? 1 : 2) + n.length + info.length);
        b.put((byte) 1);
        b.put((byte) (sizeCode | FLAG_TYPE_PRESENT | FLAG_CHARSET_PRESENT));
        b.put((byte) linkType);
        b.put((byte) UTF8);
        if (sizeCode == 0) b.put((byte) n.length);
        else b.putShort((short) n.length);
        b.put(n);
        b.put(info);
        return b.array();
    }
}
