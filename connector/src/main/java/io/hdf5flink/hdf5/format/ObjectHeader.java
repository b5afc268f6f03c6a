package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An object header, version 1 (specification IV.A.1.a: a 16-byte prefix of version, message
 * count, reference count and size of the first block, then 8-byte aligned messages, more of them
 * in continuation blocks) or version 2 (IV.A.1.b: {@code OHDR}, flags, optional times and
 * attribute limits, the first chunk's size, then messages with 4- or 6-byte headers and no
 * padding, each chunk, continuation chunks {@code OCHK} too, ending with a lookup3 checksum).
 * Reading yields where every message's body is, so the engine can rewrite fixed-size fields
 * (dimensions, index address, commit token) of version 1 headers in place and add messages into
 * NIL (free) space; a version 2 chunk, being checksummed, is only ever rewritten whole
 * ({@link #chunks}).
 */
public final class ObjectHeader {
    public static final int PREFIX_SIZE = 16;
    /** Offset of the u16 message count within the prefix. */
    public static final int MESSAGE_COUNT_OFFSET = 2;
    public static final int MESSAGE_HEADER_SIZE = 8;
    public static final int NIL = 0x0000;
    /** Message flag bit 0: the message is constant. libhdf5 sets it on datatype and fill value. */
    private static final int FLAG_CONSTANT = 0x01;
    private static final int MAX_MESSAGES = 65535;
    private static final int MAX_BLOCKS = 4096;

    /**
     * Where one message is: its type, flags, and its body's file address and size; the size of its
     * message header (8 in version 1 headers, 4 or 6 in version 2) and, in a version 2 header, the
     * index of the chunk it is in (-1 in version 1).
     */
    public record Slot(int type, int flags, long bodyAddress, int bodySize, int headerSize, int chunk) {

        public long messageAddress() { return bodyAddress - headerSize; }

        /** The bytes the message takes, its header included. */
        public int totalSize() { return headerSize + bodySize; }
    }

    /**
     * A block of the header's messages: in version 1 the bytes after the prefix, or a
     * continuation block; in version 2 a checksummed chunk, {@code size} bytes from its signature
     * to its checksum, the last 4 bytes.
     */
    public record Chunk(long address, int size) {}

    private final long address;
    private final int version;
    private final int messageCount;
    private final List<Slot> slots;
    private final List<Chunk> chunks;
    private final boolean creationOrderTracked;

    private ObjectHeader(long address, int version, int messageCount, List<Slot> slots, List<Chunk> chunks,
            boolean creationOrderTracked) {
        this.address = address;
        this.version = version;
        this.messageCount = messageCount;
        this.slots = slots;
        this.chunks = chunks;
        this.creationOrderTracked = creationOrderTracked;
    }

    public long address() { return address; }

    /** 1 or 2. */
    public int version() { return version; }

    /** The header's blocks (version 1) or chunks (version 2), in the order read; a slot's {@code chunk} indexes them. */
    public List<Chunk> chunks() { return chunks; }

    /** Whether a version 2 header's messages carry a 2-byte creation order (attribute creation order tracked). */
    public boolean creationOrderTracked() { return creationOrderTracked; }

    /** The size of a message header in this header: 8 for version 1; 4, or 6 with creation order, for version 2. */
    public int messageHeaderSize() {
        return version == 1 ? MESSAGE_HEADER_SIZE : creationOrderTracked ? 6 : 4;
    }

    /** The message count stored in the prefix. */
    public int messageCount() { return messageCount; }

    public List<Slot> slots() { return slots; }

    /** The first slot of a message type, or null. */
    public Slot find(int type) {
        for (Slot s : slots) if (s.type == type) return s;
        return null;
    }

    public List<Slot> findAll(int type) {
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots) if (s.type == type) out.add(s);
        return out;
    }

    /**
     * Reads the header at {@code address} with all its continuation blocks.
     *
     * @param object the object's path, named in errors
     */
    public static ObjectHeader read(BlockReader r, long address, String object) throws IOException {
        ByteBuffer p = r.read(address, PREFIX_SIZE, "object header of " + object);
        int version = Bytes.u8(p);
        if (version != 1) {
            if (p.get(0) == 'O' && p.get(1) == 'H' && p.get(2) == 'D' && p.get(3) == 'R') return readVersion2(r, address, object);
            throw new Hdf5FormatException(object + ": object header at " + address + " has version " + version);
        }
        p.get();
        int count = Bytes.u16(p);
        p.getInt(); // reference count
        long firstSize = Bytes.u32(p);
        List<Slot> slots = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>();
        List<Chunk> chunks = new ArrayList<>();
        blocks.add(new long[] {address + PREFIX_SIZE, firstSize});
        // Blocks read so far, start to end: a valid header's blocks are disjoint, and one that
        // continues into a block already read would be read again and again.
        java.util.TreeMap<Long, Long> read = new java.util.TreeMap<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.size() > MAX_BLOCKS) {
                throw new Hdf5FormatException(object + ": object header has more than " + MAX_BLOCKS + " continuation blocks");
            }
            long start = blocks.get(i)[0];
            long size = blocks.get(i)[1];
            if (size > Integer.MAX_VALUE || size < 0) {
                throw new Hdf5FormatException(object + ": object header block of " + size + " bytes at " + start);
            }
            markRead(read, start, size, object);
            chunks.add(new Chunk(start, (int) size));
            ByteBuffer b = r.read(start, (int) size, "object header block of " + object);
            while (b.remaining() >= MESSAGE_HEADER_SIZE) {
                int type = Bytes.u16(b);
                int bodySize = Bytes.u16(b);
                int flags = Bytes.u8(b);
                b.position(b.position() + 3);
                addSlot(slots, blocks, b, start, type, flags, bodySize, MESSAGE_HEADER_SIZE, i, object);
            }
        }
        return new ObjectHeader(address, 1, count, slots, chunks, false);
    }

    private static final int V2_TIMES_STORED = 0x20;
    private static final int V2_ATTRIBUTE_LIMITS_STORED = 0x10;
    private static final int V2_CREATION_ORDER_TRACKED = 0x04;
    /** The most bytes a version 2 chunk may have here: libhdf5 keeps them far smaller. */
    private static final long MAX_V2_CHUNK = 1 << 24;

    private static ObjectHeader readVersion2(BlockReader r, long address, String object) throws IOException {
        ByteBuffer p = r.read(address, 6, "object header of " + object);
        p.position(4);
        int version = Bytes.u8(p);
        if (version != 2) throw new Hdf5FormatException(object + ": OHDR object header at " + address + " has version " + version);
        int flags = Bytes.u8(p);
        if ((flags & 0xC0) != 0) throw new Hdf5FormatException(object + ": object header at " + address + " has unknown flags " + flags);
        int sizeBytes = 1 << (flags & 0x03);
        int prefix = 6 + ((flags & V2_TIMES_STORED) != 0 ? 16 : 0) + ((flags & V2_ATTRIBUTE_LIMITS_STORED) != 0 ? 4 : 0) + sizeBytes;
        ByteBuffer q = r.read(address + prefix - sizeBytes, sizeBytes, "object header of " + object);
        long chunk0 = 0;
        for (int i = 0; i < sizeBytes; i++) chunk0 |= (long) (q.get() & 0xFF) << (8 * i);
        boolean tracked = (flags & V2_CREATION_ORDER_TRACKED) != 0;
        int messageHeader = tracked ? 6 : 4;
        List<Slot> slots = new ArrayList<>();
        List<Chunk> chunks = new ArrayList<>();
        List<long[]> pending = new ArrayList<>();
        pending.add(new long[] {address, prefix + chunk0 + 4});
        java.util.TreeMap<Long, Long> read = new java.util.TreeMap<>();
        for (int i = 0; i < pending.size(); i++) {
            if (pending.size() > MAX_BLOCKS) {
                throw new Hdf5FormatException(object + ": object header has more than " + MAX_BLOCKS + " continuation blocks");
            }
            long start = pending.get(i)[0];
            long size = pending.get(i)[1];
            int skip = i == 0 ? prefix : 4; // the first chunk's prefix, a continuation chunk's signature
            if (size > MAX_V2_CHUNK || size < skip + 4) {
                throw new Hdf5FormatException(object + ": object header chunk of " + size + " bytes at " + start);
            }
            markRead(read, start, size, object);
            ByteBuffer b = r.read(start, (int) size, "object header chunk of " + object);
            if (i > 0 && !"OCHK".equals(Bytes.signature(b))) {
                throw new Hdf5FormatException(object + ": no object header continuation chunk (OCHK) at " + start);
            }
            Lookup3.verify(b, (int) size, object + ": object header chunk at " + start);
            chunks.add(new Chunk(start, (int) size));
            b.position(skip);
            b.limit((int) size - 4);
            while (b.remaining() >= messageHeader) {
                int type = Bytes.u8(b);
                int bodySize = Bytes.u16(b);
                int messageFlags = Bytes.u8(b);
                if (tracked) b.getShort();
                addSlot(slots, pending, b, start, type, messageFlags, bodySize, messageHeader, i, object);
            }
        }
        return new ObjectHeader(address, 2, slots.size(), slots, chunks, tracked);
    }

    /**
     * Takes the message whose header was just read from {@code b} (a block read from {@code
     * start}): its slot, the block a continuation message points to, and {@code b} moved past
     * its body.
     */
    private static void addSlot(List<Slot> slots, List<long[]> blocks, ByteBuffer b, long start, int type, int flags, int bodySize,
            int headerSize, int chunk, String object) {
        if (bodySize > b.remaining()) {
            throw new Hdf5FormatException(object + ": message of type " + type + " at " + (start + b.position() - headerSize)
                    + " claims " + bodySize + " bytes, its block has " + b.remaining());
        }
        slots.add(new Slot(type, flags, start + b.position(), bodySize, headerSize, chunk));
        if (slots.size() > MAX_MESSAGES) {
            throw new Hdf5FormatException(object + ": object header has more than " + MAX_MESSAGES + " messages");
        }
        if (type == ObjectHeaderContinuationMessage.TYPE) {
            ObjectHeaderContinuationMessage c = ObjectHeaderContinuationMessage.decode(b.slice(b.position(), bodySize)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN));
            blocks.add(new long[] {c.offset(), c.length()});
        }
        b.position(b.position() + bodySize);
    }

    /**
     * Records that {@code size} bytes at {@code start} of a header were read, refusing a block
     * that overlaps one read before: a valid header's blocks are disjoint, and one that continues
     * into a block already read would be read again and again.
     */
    private static void markRead(java.util.TreeMap<Long, Long> read, long start, long size, String object) {
        java.util.Map.Entry<Long, Long> before = read.floorEntry(start);
        Long after = read.ceilingKey(start);
        if ((before != null && before.getValue() > start) || (after != null && after < start + size)) {
            throw new Hdf5FormatException(object + ": object header block of " + size + " bytes at " + start
                    + " overlaps a block of the header already read (a continuation that comes back)");
        }
        read.put(start, start + size);
    }

    /** Writes one version 2 message (its header, with a zero creation order when tracked, and its body) into {@code b}. */
    public static void putMessageV2(ByteBuffer b, boolean creationOrderTracked, int type, int flags, byte[] body) {
        if (body.length > 0xFFFF) throw new IllegalArgumentException("a header message body of " + body.length + " bytes exceeds 65535");
        b.put((byte) type);
        b.putShort((short) body.length);
        b.put((byte) flags);
        if (creationOrderTracked) b.putShort((short) 0);
        b.put(body);
    }

    /** Writes a version 2 NIL message of {@code totalSize} bytes, its header included. */
    public static void putNilV2(ByteBuffer b, boolean creationOrderTracked, int totalSize) {
        int header = creationOrderTracked ? 6 : 4;
        if (totalSize < header) throw new IllegalArgumentException("NIL message size " + totalSize);
        putMessageV2(b, creationOrderTracked, NIL, 0, new byte[totalSize - header]);
    }

    /** The encoded size of a message with a body of {@code bodyLength} bytes. */
    public static int messageSize(int bodyLength) {
        return MESSAGE_HEADER_SIZE + Bytes.pad8(bodyLength);
    }

    /** Writes one message (header and padded body) into {@code b}. */
    public static void putMessage(ByteBuffer b, int type, int flags, byte[] body) {
        if (body.length > 0xFFFF) {
            throw new IllegalArgumentException("a header message body of " + body.length + " bytes exceeds 65535");
        }
        int padded = Bytes.pad8(body.length);
        b.putShort((short) type);
        b.putShort((short) padded);
        b.put((byte) flags);
        b.put((byte) 0).put((byte) 0).put((byte) 0);
        b.put(body);
        b.position(b.position() + padded - body.length);
    }

    /** Writes a NIL message occupying {@code totalSize} bytes (header included) into {@code b}. */
    public static void putNil(ByteBuffer b, int totalSize) {
        if (totalSize < MESSAGE_HEADER_SIZE || totalSize % 8 != 0) {
            throw new IllegalArgumentException("NIL message size " + totalSize);
        }
        b.putShort((short) NIL);
        b.putShort((short) (totalSize - MESSAGE_HEADER_SIZE));
        b.putInt(0);
        b.position(b.position() + totalSize - MESSAGE_HEADER_SIZE);
    }

    /** flags to store with a message: libhdf5 marks datatype and fill value constant. */
    private static int flagsFor(HeaderMessage m) {
        return m.type() == DatatypeMessage.TYPE || m.type() == FillValueMessage.TYPE ? FLAG_CONSTANT : 0;
    }

    /**
     * Encodes a new version 2 header ({@code OHDR}, no times, no attribute limits, no creation
     * order) holding {@code messages} in order in one chunk, followed by a NIL message of {@code
     * slack} bytes (at least 4, or 0 for none), and the chunk's checksum.
     */
    public static byte[] encodeV2(List<? extends HeaderMessage> messages, int slack) {
        if (slack != 0 && slack < 4) throw new IllegalArgumentException("NIL message size " + slack);
        List<byte[]> bodies = new ArrayList<>();
        int size = slack;
        for (HeaderMessage m : messages) {
            byte[] body = m.encodeBody();
            bodies.add(body);
            size += 4 + body.length;
        }
        int sizeField = size <= 0xFF ? 1 : size <= 0xFFFF ? 2 : 4;
        ByteBuffer b = Bytes.allocate(6 + sizeField + size + 4);
        b.put("OHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put((byte) 2);
        b.put((byte) Integer.numberOfTrailingZeros(sizeField)); // flags bits 0-1: the width of the chunk size
        for (int i = 0; i < sizeField; i++) b.put((byte) (size >>> (8 * i)));
        for (int i = 0; i < messages.size(); i++) putMessageV2(b, false, messages.get(i).type(), flagsFor(messages.get(i)), bodies.get(i));
        if (slack > 0) putNilV2(b, false, slack);
        byte[] out = b.array();
        b.putInt(Lookup3.checksum(out, 0, out.length - 4));
        return out;
    }

    /**
     * Encodes a new header holding {@code messages} in order, followed by a NIL message of
     * {@code slack} bytes (a multiple of 8, at least 8, or 0 for none) where attributes can be
     * added later without a continuation block.
     *
     * @param bodyOffsets receives each message body's offset from the header's start
     */
    public static byte[] encode(List<? extends HeaderMessage> messages, int slack, int[] bodyOffsets) {
        int size = 0;
        List<byte[]> bodies = new ArrayList<>();
        for (HeaderMessage m : messages) {
            byte[] body = m.encodeBody();
            bodies.add(body);
            size += messageSize(body.length);
        }
        size += slack;
        ByteBuffer b = Bytes.allocate(PREFIX_SIZE + size);
        b.put((byte) 1);
        b.put((byte) 0);
        b.putShort((short) (messages.size() + (slack > 0 ? 1 : 0)));
        b.putInt(1); // reference count
        b.putInt(size);
        b.putInt(0); // alignment of the first message
        for (int i = 0; i < messages.size(); i++) {
            bodyOffsets[i] = b.position() + MESSAGE_HEADER_SIZE;
            putMessage(b, messages.get(i).type(), flagsFor(messages.get(i)), bodies.get(i));
        }
        if (slack > 0) putNil(b, slack);
        return b.array();
    }
}
