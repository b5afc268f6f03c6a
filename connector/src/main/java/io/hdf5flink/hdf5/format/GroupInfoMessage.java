package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The group info message, type 0x000A (specification IV.A.2.k), version 0: when a group stored
 * with link messages changes between compact and dense link storage. libhdf5 converts a
 * compact group to dense when a link is added to one holding {@code maxCompact} links, and back
 * below {@code minDense}; without stored values its defaults (8 and 6) apply. The estimated
 * entry values libhdf5 may store are read past and not kept. Every group stored with link
 * messages has one.
 */
public record GroupInfoMessage(int maxCompact, int minDense) implements HeaderMessage {
    public static final int TYPE = 0x000A;
    public static final int DEFAULT_MAX_COMPACT = 8;
    public static final int DEFAULT_MIN_DENSE = 6;
    private static final int PHASE_CHANGE_STORED = 0x01;
    private static final int ESTIMATES_STORED = 0x02;

    /** libhdf5's defaults, written as a message with no stored values. */
    public GroupInfoMessage() {
        this(DEFAULT_MAX_COMPACT, DEFAULT_MIN_DENSE);
    }

    public static GroupInfoMessage decode(ByteBuffer b, String where) {
        String what = "group info message of " + where;
        Bytes.require(b, 2, what);
        int version = Bytes.u8(b);
        if (version != 0) throw new Hdf5FormatException(what + " has version " + version + "; only version 0 exists");
        int flags = Bytes.u8(b);
        if ((flags & ~(PHASE_CHANGE_STORED | ESTIMATES_STORED)) != 0) throw new Hdf5FormatException(what + " has unknown flags " + flags);
        if ((flags & PHASE_CHANGE_STORED) == 0) return new GroupInfoMessage();
        Bytes.require(b, 4, what);
        return new GroupInfoMessage(Bytes.u16(b), Bytes.u16(b));
    }

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        if (maxCompact == DEFAULT_MAX_COMPACT && minDense == DEFAULT_MIN_DENSE) return new byte[] {0, 0};
        ByteBuffer b = Bytes.allocate(6);
        b.put((byte) 0).put((byte) PHASE_CHANGE_STORED);
        b.putShort((short) maxCompact).putShort((short) minDense);
        return b.array();
    }
}
