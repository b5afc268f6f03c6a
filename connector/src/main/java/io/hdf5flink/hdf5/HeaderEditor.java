package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.ObjectHeaderContinuationMessage;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Adds messages to, and removes them from, an existing version 1 object header, the way
 * libhdf5 does: a new message takes the place of a NIL (free) message, splitting it; when no NIL
 * message is large enough, a continuation block is written past the end of file and a
 * continuation message pointing to it takes a NIL message's place, or the place of a message
 * moved into the new block. Each step is one write in place, made after everything it points
 * to exists; the message count in the prefix is corrected last (libhdf5 tolerates a stale
 * count, and a count that is too low only hides the newest message from readers that trust it).
 */
final class HeaderEditor {
    /** Free space left in every new continuation block, so later additions rarely need another. */
    static final int CONTINUATION_SLACK = 256;
    private static final int CONTINUATION_SIZE = ObjectHeader.messageSize(ObjectHeaderContinuationMessage.BODY_SIZE);

    private HeaderEditor() {}

    /** Adds a message and returns the header as re-read. */
    static ObjectHeader add(FileStorage storage, ObjectHeader header, int type, int flags, byte[] body, String object)
            throws IOException {
        int size = ObjectHeader.messageSize(body.length);
        Slot nil = smallestNil(header, size);
        if (nil != null) {
            int nilSize = ObjectHeader.messageSize(nil.bodySize());
            ByteBuffer b = Bytes.allocate(nilSize);
            ObjectHeader.putMessage(b, type, flags, body);
            if (nilSize > size) ObjectHeader.putNil(b, nilSize - size);
            storage.write(nil.messageAddress(), b.array());
            return recount(storage, header.address(), object);
        }
        Slot place = smallestNil(header, CONTINUATION_SIZE);
        byte[] moved = new byte[0];
        if (place == null) {
            place = movable(header);
            if (place == null) {
                throw ErrorContext.of(storage.path()).object(object)
                        .error("its object header has no room for a new message and nothing that can be moved out");
            }
            ByteBuffer m = storage.read(place.messageAddress(), ObjectHeader.messageSize(place.bodySize()), "message of " + object);
            moved = new byte[m.remaining()];
            m.get(moved);
        }
        int blockSize = moved.length + size + CONTINUATION_SLACK;
        ByteBuffer block = Bytes.allocate(blockSize);
        block.put(moved);
        ObjectHeader.putMessage(block, type, flags, body);
        ObjectHeader.putNil(block, CONTINUATION_SLACK);
        long blockAddress = storage.allocateInPlace(blockSize);
        storage.write(blockAddress, block.array());
        storage.publishEof();

        int placeSize = ObjectHeader.messageSize(place.bodySize());
        ByteBuffer c = Bytes.allocate(placeSize);
        ObjectHeader.putMessage(c, ObjectHeaderContinuationMessage.TYPE, 0,
                new ObjectHeaderContinuationMessage(blockAddress, blockSize).encodeBody());
        if (placeSize > CONTINUATION_SIZE) ObjectHeader.putNil(c, placeSize - CONTINUATION_SIZE);
        storage.write(place.messageAddress(), c.array());
        return recount(storage, header.address(), object);
    }

    /** Turns a message into a NIL message (its space becomes free). */
    static ObjectHeader remove(FileStorage storage, ObjectHeader header, Slot slot, String object) throws IOException {
        storage.write(slot.messageAddress(), new byte[2]);
        return ObjectHeader.read(storage, header.address(), object);
    }

    /** The smallest NIL slot a message of {@code size} bytes fits in exactly or with room for a NIL after it. */
    private static Slot smallestNil(ObjectHeader header, int size) {
        Slot best = null;
        for (Slot s : header.findAll(ObjectHeader.NIL)) {
            int total = ObjectHeader.messageSize(s.bodySize());
            if ((total == size || total >= size + ObjectHeader.MESSAGE_HEADER_SIZE)
                    && (best == null || s.bodySize() < best.bodySize())) {
                best = s;
            }
        }
        return best;
    }

    /** A message that may live in a continuation block: not one the engine rewrites in place. */
    private static Slot movable(ObjectHeader header) {
        for (Slot s : header.slots()) {
            boolean pinned = s.type() == DataspaceMessage.TYPE || s.type() == DataLayoutMessage.TYPE
                    || s.type() == ObjectHeaderContinuationMessage.TYPE || s.type() == ObjectHeader.NIL;
            if (!pinned && ObjectHeader.messageSize(s.bodySize()) >= CONTINUATION_SIZE) return s;
        }
        return null;
    }

    private static ObjectHeader recount(FileStorage storage, long address, String object) throws IOException {
        ObjectHeader h = ObjectHeader.read(storage, address, object);
        if (h.messageCount() != h.slots().size()) {
            ByteBuffer b = Bytes.allocate(2);
            b.putShort(0, (short) h.slots().size());
            storage.write(address + ObjectHeader.MESSAGE_COUNT_OFFSET, b.array());
            h = ObjectHeader.read(storage, address, object);
        }
        return h;
    }
}
