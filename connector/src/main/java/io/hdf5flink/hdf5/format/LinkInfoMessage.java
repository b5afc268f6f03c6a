package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The link info message, type 0x0002 (specification IV.A.2.c), version 0: the mark of a group
 * stored with link messages. Its links are either link messages in the group's own header
 * ("compact" storage: no fractal heap address) or objects of a fractal heap indexed by name in
 * a version 2 B-tree ("dense" storage). When creation order is tracked, the message holds the
 * creation index the next link gets; when it is also indexed, a second B-tree indexes dense
 * links by it.
 *
 * @param flags bit 0: creation order tracked; bit 1: creation order indexed
 * @param nextCreationIndex the "maximum creation index" field: libhdf5 gives a new link this
 *     value and then increments it (0 when creation order is not tracked)
 */
public record LinkInfoMessage(int flags, long nextCreationIndex, long fractalHeapAddress, long nameIndexAddress,
        long creationOrderIndexAddress) implements HeaderMessage {
    public static final int TYPE = 0x0002;
    private static final int TRACKED = 0x01;
    private static final int INDEXED = 0x02;
    /** Where the creation index field is in the message body (when tracked), for a write in place. */
    public static final int CREATION_INDEX_OFFSET = 2;

    /** A compact group that tracks no creation order, as the engine writes them. */
    public LinkInfoMessage() {
        this(0, 0, Bytes.UNDEFINED_ADDRESS, Bytes.UNDEFINED_ADDRESS, Bytes.UNDEFINED_ADDRESS);
    }

    public boolean tracksCreationOrder() { return (flags & TRACKED) != 0; }

    public boolean indexesCreationOrder() { return (flags & INDEXED) != 0; }

    /** The same message for dense storage at these addresses, with the next creation index {@code next}. */
    public LinkInfoMessage dense(long next, long heap, long names, long order) {
        return new LinkInfoMessage(flags, tracksCreationOrder() ? next : 0, heap, names,
                indexesCreationOrder() ? order : Bytes.UNDEFINED_ADDRESS);
    }

    /** Whether the links are in a fractal heap (dense storage) rather than in the header. */
    public boolean isDense() { return fractalHeapAddress != Bytes.UNDEFINED_ADDRESS; }

    public static LinkInfoMessage decode(ByteBuffer b, String where) {
        String what = "link info message of " + where;
        Bytes.require(b, 2, what);
        int version = Bytes.u8(b);
        if (version != 0) throw new Hdf5FormatException(what + " has version " + version + "; only version 0 exists");
        int flags = Bytes.u8(b);
        if ((flags & ~(TRACKED | INDEXED)) != 0) throw new Hdf5FormatException(what + " has unknown flags " + flags);
        long next = 0;
        if ((flags & TRACKED) != 0) {
            Bytes.require(b, 8, what);
            next = b.getLong();
        }
        Bytes.require(b, 16, what);
        long heap = b.getLong();
        long names = b.getLong();
        long order = Bytes.UNDEFINED_ADDRESS;
        if ((flags & INDEXED) != 0) {
            Bytes.require(b, 8, what);
            order = b.getLong();
        }
        return new LinkInfoMessage(flags, next, heap, names, order);
    }

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b = Bytes.allocate(2 + ((flags & TRACKED) != 0 ? 8 : 0) + 16 + ((flags & INDEXED) != 0 ? 8 : 0));
        b.put((byte) 0);
        b.put((byte) flags);
        if ((flags & TRACKED) != 0) b.putLong(nextCreationIndex);
        b.putLong(fractalHeapAddress);
        b.putLong(nameIndexAddress);
        if ((flags & INDEXED) != 0) b.putLong(creationOrderIndexAddress);
        return b.array();
    }
}
