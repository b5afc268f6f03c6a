package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A version 1 object header (specification IV.A.1.a): a 16-byte prefix (version, message
 * count, reference count, size of the first block) followed by 8-byte aligned messages, more
 * of them in continuation blocks. Reading yields where every message's body is, so the engine
 * can rewrite fixed-size fields (dimensions, index address, commit token) in place and add
 * messages into NIL (free) space. Version 2 headers ("OHDR", libver='latest') are refused.
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

    /** Where one message is: its type, flags, and its body's file address and size. */
    public record Slot(int type, int flags, long bodyAddress, int bodySize) {
        public long messageAddress() { return bodyAddress - MESSAGE_HEADER_SIZE; }
    }

    private final long address;
    private final int messageCount;
    private final List<Slot> slots;

    private ObjectHeader(long address, int messageCount, List<Slot> slots) {
        this.address = address;
        this.messageCount = messageCount;
        this.slots = slots;
    }

    public long address() { return address; }

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
            if (p.get(0) == 'O' && p.get(1) == 'H' && p.get(2) == 'D' && p.get(3) == 'R') {
                throw new UnsupportedFormatException(object + ": version 2 object headers are not supported (written"
                        + " with libver='latest', or for a group with link messages, as h5py's track_order=True makes);"
                        + " only version 1 headers and symbol-table groups, as h5py writes by default");
            }
            throw new Hdf5FormatException(object + ": object header at " + address + " has version " + version);
        }
        p.get();
        int count = Bytes.u16(p);
        p.getInt(); // reference count
        long firstSize = Bytes.u32(p);
        List<Slot> slots = new ArrayList<>();
        List<long[]> blocks = new ArrayList<>();
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
            java.util.Map.Entry<Long, Long> before = read.floorEntry(start);
            Long after = read.ceilingKey(start);
            if ((before != null && before.getValue() > start) || (after != null && after < start + size)) {
                throw new Hdf5FormatException(object + ": object header block of " + size + " bytes at " + start
                        + " overlaps a block of the header already read (a continuation that comes back)");
            }
            read.put(start, start + size);
            ByteBuffer b = r.read(start, (int) size, "object header block of " + object);
            while (b.remaining() >= MESSAGE_HEADER_SIZE) {
                int type = Bytes.u16(b);
                int bodySize = Bytes.u16(b);
                int flags = Bytes.u8(b);
                b.position(b.position() + 3);
                if (bodySize > b.remaining()) {
                    throw new Hdf5FormatException(object + ": message of type " + type + " at "
                            + (start + b.position() - MESSAGE_HEADER_SIZE) + " claims " + bodySize
                            + " bytes, its block has " + b.remaining());
                }
                long bodyAddress = start + b.position();
                slots.add(new Slot(type, flags, bodyAddress, bodySize));
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
        }
        return new ObjectHeader(address, count, slots);
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
