package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The link message, type 0x0006 (specification IV.A.2.g), version 1: one named link of a group
 * stored with link messages, in the group's header (compact storage) or as an object of its
 * fractal heap (dense storage). A link is hard (an object header's address), soft (a path in the
 * same file), external (a file name and an object path in it, resolved by readers when they
 * follow it) or of a user-defined type (kept, never followed). The engine writes hard, soft and
 * external links, names as UTF-8 with the UTF-8 character-set flag when they are not ASCII (as
 * libhdf5 and h5py store them), and a creation index when the group tracks creation order.
 */
public final class LinkMessage implements HeaderMessage {
    public static final int TYPE = 0x0006;
    public static final int HARD = 0;
    public static final int SOFT = 1;
    public static final int EXTERNAL = 64;
    private static final int FLAG_CREATION_ORDER_PRESENT = 0x04;
    private static final int FLAG_TYPE_PRESENT = 0x08;
    private static final int FLAG_CHARSET_PRESENT = 0x10;
    private static final int UTF8 = 1;
    private static final long NO_CREATION_INDEX = -1;

    private final String name;
    private final int linkType;
    private final long creationIndex;
    private final byte[] info;
    /** The message as read, kept so that a link moved (into a dense group's heap) keeps its bytes, character set included. */
    private byte[] read;

    private LinkMessage(String name, int linkType, long creationIndex, byte[] info) {
        if (name.isEmpty() || name.contains("/")) throw new IllegalArgumentException("a link name is not empty and holds no '/': " + name);
        this.name = name;
        this.linkType = linkType;
        this.creationIndex = creationIndex;
        this.info = info;
    }

    /** A hard link named {@code name} to the object header at {@code address}. */
    public static LinkMessage hard(String name, long address) {
        return new LinkMessage(name, HARD, NO_CREATION_INDEX, Bytes.allocate(8).putLong(address).array());
    }

    /** A soft link named {@code name} to the path {@code target}. */
    public static LinkMessage soft(String name, String target) {
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        return new LinkMessage(name, SOFT, NO_CREATION_INDEX, Bytes.allocate(2 + t.length).putShort((short) t.length).put(t).array());
    }

    /** The same link with a creation index, for a group that tracks creation order. */
    public LinkMessage withCreationIndex(long index) {
        return new LinkMessage(name, linkType, index, info);
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
        return new LinkMessage(name, EXTERNAL, NO_CREATION_INDEX, b.array());
    }

    /** Decodes a link message (a header message's body, or a dense group's heap object). */
    public static LinkMessage decode(ByteBuffer b, String where) {
        String what = "link message of " + where;
        int start = b.position();
        Bytes.require(b, 2, what);
        int version = Bytes.u8(b);
        if (version != 1) throw new Hdf5FormatException(what + " has version " + version + "; only version 1 exists");
        int flags = Bytes.u8(b);
        if ((flags & ~0x1F) != 0) throw new Hdf5FormatException(what + " has unknown flags " + flags);
        int type = HARD;
        if ((flags & FLAG_TYPE_PRESENT) != 0) {
            Bytes.require(b, 1, what);
            type = Bytes.u8(b);
            if (type != HARD && type != SOFT && type < EXTERNAL) throw new Hdf5FormatException(what + " has the reserved link type " + type);
        }
        long index = NO_CREATION_INDEX;
        if ((flags & FLAG_CREATION_ORDER_PRESENT) != 0) {
            Bytes.require(b, 8, what);
            index = b.getLong();
        }
        if ((flags & FLAG_CHARSET_PRESENT) != 0) {
            Bytes.require(b, 1, what);
            int charset = Bytes.u8(b);
            if (charset > UTF8) throw new Hdf5FormatException(what + " has the unknown character set " + charset);
        }
        int lengthSize = 1 << (flags & 0x03);
        Bytes.require(b, lengthSize, what);
        long nameLength = switch (lengthSize) {
            case 1 -> Bytes.u8(b);
            case 2 -> Bytes.u16(b);
            case 4 -> Bytes.u32(b);
            default -> b.getLong();
        };
        if (nameLength <= 0 || nameLength > b.remaining()) throw new Hdf5FormatException(what + " has a link name of " + nameLength + " bytes");
        byte[] n = new byte[(int) nameLength];
        b.get(n);
        String name = new String(n, StandardCharsets.UTF_8);
        byte[] info;
        if (type == HARD) {
            Bytes.require(b, 8, what);
            info = new byte[8];
        } else {
            Bytes.require(b, 2, what);
            int length = b.getShort(b.position()) & 0xFFFF;
            Bytes.require(b, 2 + length, what);
            info = new byte[2 + length];
        }
        b.get(info);
        if (name.contains("/")) throw new Hdf5FormatException(what + " names a link '" + name + "', which holds a '/'");
        LinkMessage m = new LinkMessage(name, type, index, info);
        m.read = new byte[b.position() - start];
        b.get(start, m.read);
        return m;
    }

    public String name() { return name; }

    /** {@link #HARD}, {@link #SOFT}, {@link #EXTERNAL} or a user-defined type (65-255). */
    public int linkType() { return linkType; }

    /** The link's creation index, or -1 when it has none. */
    public long creationIndex() { return creationIndex; }

    /** A hard link's object header address. */
    public long address() {
        if (linkType != HARD) throw new IllegalStateException(name + " is not a hard link");
        return ByteBuffer.wrap(info).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** A soft link's target path, or an external link's {@code file:path}, for messages. */
    public String target() {
        ByteBuffer b = ByteBuffer.wrap(info, 2, info.length - 2).slice();
        if (linkType == SOFT) return new String(info, 2, info.length - 2, StandardCharsets.UTF_8);
        if (linkType == EXTERNAL && b.remaining() > 0) {
            b.get(); // version and flags
            String file = Bytes.cString(b, b.remaining(), "external link " + name);
            String path = Bytes.cString(b, b.remaining(), "external link " + name);
            return file + ":" + path;
        }
        return "a user-defined link of type " + linkType;
    }

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        if (read != null) return read.clone();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int sizeCode = n.length <= 0xff ? 0 : 1; // a 1- or 2-byte name length
        if (n.length > 0xffff) throw new IllegalArgumentException("a link name of " + n.length + " bytes is too long");
        boolean indexed = creationIndex != NO_CREATION_INDEX;
        // As libhdf5 (and h5py): the character set is stored only when it is not ASCII.
        boolean utf8 = n.length != name.length();
        ByteBuffer b = Bytes.allocate(2 + 1 + (indexed ? 8 : 0) + (utf8 ? 1 : 0) + (sizeCode == 0 ? 1 : 2) + n.length + info.length);
        b.put((byte) 1);
        b.put((byte) (sizeCode | FLAG_TYPE_PRESENT | (utf8 ? FLAG_CHARSET_PRESENT : 0) | (indexed ? FLAG_CREATION_ORDER_PRESENT : 0)));
        b.put((byte) linkType);
        if (indexed) b.putLong(creationIndex);
        if (utf8) b.put((byte) UTF8);
        if (sizeCode == 0) b.put((byte) n.length);
        else b.putShort((short) n.length);
        b.put(n);
        b.put(info);
        return b.array();
    }
}
