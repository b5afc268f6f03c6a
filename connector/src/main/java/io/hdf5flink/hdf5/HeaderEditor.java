package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.Lookup3;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.ObjectHeaderContinuationMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Adds messages to, and removes them from, an existing object header, the way libhdf5 does.
 * Version 1: a new message takes the place of a NIL (free) message, splitting it; when no NIL
 * message is large enough, a continuation block is written past the end of file and a
 * continuation message pointing to it takes a NIL message's place, or the place of a message
 * moved into the new block. Each step is one write in place, made after everything it points
 * to exists; the message count in the prefix is corrected last (libhdf5 tolerates a stale
 * count, and a count that is too low only hides the newest message from readers that trust it).
 *
 * <p>Version 2 the same way, except that each chunk carries a checksum over all of it: a chunk
 * is never patched in place but rewritten whole, with its new checksum, in one write. So each
 * step still changes the header from one valid state to the next.
 */
final class HeaderEditor {
    /** Free space left in every new continuation block, so later additions rarely need another. */
    static final int CONTINUATION_SLACK = 256;
    private static final int CONTINUATION_SIZE = ObjectHeader.messageSize(ObjectHeaderContinuationMessage.BODY_SIZE);

    private HeaderEditor() {}

    /** Adds a message and returns the header as re-read. */
    static ObjectHeader add(FileStorage storage, ObjectHeader header, int type, int flags, byte[] body, String object)
            throws IOException {
        if (header.version() == 2) return addV2(storage, header, type, flags, body, object);
        int size = ObjectHeader.messageSize(body.length);
        Slot nil = smallestNil(header, size, ANY_CHUNK);
        if (nil != null) {
            int nilSize = ObjectHeader.messageSize(nil.bodySize());
            ByteBuffer b = Bytes.allocate(nilSize);
            ObjectHeader.putMessage(b, type, flags, body);
            if (nilSize > size) ObjectHeader.putNil(b, nilSize - size);
            storage.write(nil.messageAddress(), b.array());
            return recount(storage, header.address(), object);
        }
        Slot place = smallestNil(header, CONTINUATION_SIZE, ANY_CHUNK);
        byte[] moved = new byte[0];
        if (place == null) {
            place = movable(header, CONTINUATION_SIZE);
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

    /**
     * Adds a message that later edits must change together with {@code companions} (a commit
     * token beside a dataset's shape and index root). In a version 1 header, as {@link #add}
     * (fields there are written in place, one ordered write each when apart). In a version 2
     * header, where every edit rewrites a checksummed chunk, the message goes into the chunk of
     * its companions when a free slot there fits it; otherwise a new chunk holding copies of the
     * companions and the message is written and published, and one write of the companions'
     * chunk frees them, one of their places taking the continuation message that points to the
     * new chunk. Either way the companions and the message end in one chunk, which one write
     * then publishes whole. Returns the header as re-read.
     */
    static ObjectHeader addBeside(FileStorage storage, ObjectHeader header, int type, int flags, byte[] body, List<Slot> companions,
            String object) throws IOException {
        int chunk = companions.get(0).chunk();
        if (header.version() != 2 || companions.stream().anyMatch(c -> c.chunk() != chunk)) {
            return add(storage, header, type, flags, body, object);
        }
        Slot nil = smallestNil(header, header.messageHeaderSize() + body.length, chunk);
        if (nil != null) return fillV2(storage, header, nil, type, flags, body, object);
        int continuationSize = header.messageHeaderSize() + ObjectHeaderContinuationMessage.BODY_SIZE;
        Slot place = null;
        for (Slot c : companions) if (place == null && fits(header, c, continuationSize)) place = c;
        if (place == null) return add(storage, header, type, flags, body, object);
        java.io.ByteArrayOutputStream moved = new java.io.ByteArrayOutputStream();
        for (Slot c : companions) {
            ByteBuffer m = storage.read(c.messageAddress(), c.totalSize(), "message of " + object);
            byte[] message = new byte[c.totalSize()];
            m.get(0, message);
            moved.write(message);
        }
        byte[] continuation = continuationChunkV2(storage, header, moved.toByteArray(), type, flags, body, place);
        List<Edit> edits = new java.util.ArrayList<>();
        for (Slot c : companions) edits.add(c == place ? new Edit(chunk, c.messageAddress(), continuation) : nil(header, c));
        return patchTogether(storage, header, edits, object);
    }

    /**
     * Writes and publishes a new version 2 continuation chunk holding {@code moved} (whole
     * messages copied from elsewhere in the header), a new message and free space, and returns
     * the continuation message pointing to it, sized to take {@code place}'s bytes in its chunk.
     */
    private static byte[] continuationChunkV2(FileStorage storage, ObjectHeader header, byte[] moved, int type, int flags, byte[] body,
            Slot place) throws IOException {
        boolean tracked = header.creationOrderTracked();
        ByteBuffer messages = Bytes.allocate(moved.length + header.messageHeaderSize() + body.length);
        messages.put(moved);
        ObjectHeader.putMessageV2(messages, tracked, type, flags, body);
        byte[] block = newChunkV2(header, messages.array());
        int blockSize = block.length;
        long blockAddress = storage.allocateInPlace(blockSize);
        storage.write(blockAddress, block);
        storage.publishEof();
        int continuationSize = header.messageHeaderSize() + ObjectHeaderContinuationMessage.BODY_SIZE;
        ByteBuffer c = Bytes.allocate(place.totalSize());
        ObjectHeader.putMessageV2(c, tracked, ObjectHeaderContinuationMessage.TYPE, 0,
                new ObjectHeaderContinuationMessage(blockAddress, blockSize).encodeBody());
        if (place.totalSize() > continuationSize) ObjectHeader.putNilV2(c, tracked, place.totalSize() - continuationSize);
        return c.array();
    }

    /** A new version 2 continuation chunk: its signature, {@code messages}, free space, and its checksum. */
    private static byte[] newChunkV2(ObjectHeader header, byte[] messages) {
        ByteBuffer block = Bytes.allocate(4 + messages.length + CONTINUATION_SLACK + 4);
        block.put("OCHK".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        block.put(messages);
        ObjectHeader.putNilV2(block, header.creationOrderTracked(), CONTINUATION_SLACK);
        block.putInt(Lookup3.checksum(block.array(), 0, block.capacity() - 4));
        return block.array();
    }

    /** Turns a message into a NIL message (its space becomes free). */
    static ObjectHeader remove(FileStorage storage, ObjectHeader header, Slot slot, String object) throws IOException {
        return patchTogether(storage, header, List.of(nil(header, slot)), object);
    }

    /**
     * Overwrites {@code bytes.length} bytes of a message's body from {@code offset}: in place in a
     * version 1 header, by rewriting the chunk in a version 2 one. Returns the header as re-read.
     */
    static ObjectHeader patch(FileStorage storage, ObjectHeader header, Slot slot, int offset, byte[] bytes, String object)
            throws IOException {
        if (offset < 0 || offset + bytes.length > slot.bodySize()) throw new IllegalArgumentException("a patch outside the message body");
        return patchTogether(storage, header, List.of(new Edit(slot.chunk(), slot.bodyAddress() + offset, bytes)), object);
    }

    private static ObjectHeader addV2(FileStorage storage, ObjectHeader header, int type, int flags, byte[] body, String object)
            throws IOException {
        Slot nil = smallestNil(header, header.messageHeaderSize() + body.length, ANY_CHUNK);
        if (nil != null) return fillV2(storage, header, nil, type, flags, body, object);
        int continuationSize = header.messageHeaderSize() + ObjectHeaderContinuationMessage.BODY_SIZE;
        Slot place = smallestNil(header, continuationSize, ANY_CHUNK);
        byte[] moved = new byte[0];
        if (place == null) {
            place = movable(header, continuationSize);
            if (place == null) {
                throw ErrorContext.of(storage.path()).object(object)
                        .error("its object header has no room for a new message and nothing that can be moved out");
            }
            ByteBuffer m = storage.read(place.messageAddress(), place.totalSize(), "message of " + object);
            moved = new byte[m.remaining()];
            m.get(moved);
        }
        byte[] continuation = continuationChunkV2(storage, header, moved, type, flags, body, place);
        rewriteChunk(storage, header, place.chunk(), place.messageAddress(), continuation);
        return ObjectHeader.read(storage, header.address(), object);
    }

    /** One change of a header's bytes: {@code bytes} at {@code address}, in its block or chunk {@code chunk}. */
    record Edit(int chunk, long address, byte[] bytes) {}

    /** The edit that turns a message into a NIL message of the same size (its space becomes free). */
    static Edit nil(ObjectHeader header, Slot slot) {
        byte[] bytes = header.version() == 2
                ? Bytes.allocate(4).put((byte) ObjectHeader.NIL).putShort((short) slot.bodySize()).put((byte) 0).array()
                : new byte[2];
        return new Edit(slot.chunk(), slot.messageAddress(), bytes);
    }

    /**
     * Makes several changes within one block (version 1) or chunk (version 2) of a header in one
     * write, so that a reader, or a crash, sees all of them or none. Returns the header as re-read.
     */
    static ObjectHeader patchTogether(FileStorage storage, ObjectHeader header, List<Edit> edits, String object) throws IOException {
        write(storage, header, edits, object);
        return ObjectHeader.read(storage, header.address(), object);
    }

    /** {@link #patchTogether} for a caller that keeps no header: the edits are written, the header not read again. */
    static void write(FileStorage storage, ObjectHeader header, List<Edit> edits, String object) throws IOException {
        int chunk = edits.get(0).chunk();
        for (Edit e : edits) if (e.chunk() != chunk) throw new IllegalArgumentException("edits in several header blocks");
        if (header.version() == 2) {
            rewriteChunk(storage, header, chunk, edits);
        } else {
            long from = Long.MAX_VALUE;
            long to = Long.MIN_VALUE;
            for (Edit e : edits) {
                from = Math.min(from, e.address());
                to = Math.max(to, e.address() + e.bytes().length);
            }
            ByteBuffer b = storage.read(from, Math.toIntExact(to - from), "object header of " + object);
            byte[] range = new byte[Math.toIntExact(to - from)];
            b.get(0, range);
            for (Edit e : edits) System.arraycopy(e.bytes(), 0, range, Math.toIntExact(e.address() - from), e.bytes().length);
            storage.write(from, range);
        }
    }

    /**
     * Replaces the body of {@code replaced}, a message of a version 2 header, by {@code newBody} of
     * another size, with {@code edits} (same-size changes at the chunk's current addresses) made in
     * the same chunk: the chunk's messages are laid out anew, the ones after it moved, the room left
     * at the end a NIL message (a gap, when smaller than a message header); when the new body does
     * not fit, the chunk's NIL messages give up their room. One write of the whole chunk with its
     * new checksum, as every rewrite of a version 2 chunk: readers and crashes see the old chunk or
     * the new one. The caller reads the header again.
     *
     * @throws Hdf5Exception when the chunk has no room for the new body, before anything is written
     */
    static void replaceBody(FileStorage storage, ObjectHeader header, Slot replaced, byte[] newBody, List<Edit> edits, String object)
            throws IOException {
        if (header.version() != 2) throw new IllegalArgumentException("only version 2 chunks are laid out anew");
        ObjectHeader.Chunk c = header.chunks().get(replaced.chunk());
        byte[] all = chunkWithEdits(storage, header, replaced.chunk(), edits);
        List<Slot> inChunk = new java.util.ArrayList<>();
        for (Slot s : header.slots()) if (s.chunk() == replaced.chunk()) inChunk.add(s);
        inChunk.sort(java.util.Comparator.comparingLong(Slot::messageAddress));
        int start = Math.toIntExact(inChunk.get(0).messageAddress() - c.address());
        int end = c.size() - 4;
        int headerSize = header.messageHeaderSize();
        for (boolean dropNils : new boolean[] {false, true}) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(all, 0, start);
            for (Slot s : inChunk) {
                int from = Math.toIntExact(s.messageAddress() - c.address());
                if (s.equals(replaced)) {
                    // The message's own header (type, flags, creation order if tracked), with the new size.
                    byte[] messageHeader = java.util.Arrays.copyOfRange(all, from, from + headerSize);
                    ByteBuffer.wrap(messageHeader).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(1, (short) newBody.length);
                    out.write(messageHeader);
                    out.write(newBody);
                } else if (!(dropNils && s.type() == ObjectHeader.NIL)) {
                    out.write(all, from, s.totalSize());
                }
            }
            int room = end - out.size();
            if (room < 0) continue;
            ByteBuffer rest = Bytes.allocate(room);
            if (room >= headerSize) ObjectHeader.putNilV2(rest, header.creationOrderTracked(), room);
            out.write(rest.array()); // else a gap, smaller than a message header: zeros
            out.write(new byte[4]); // the checksum's place
            writeChecksummed(storage, c.address(), out.toByteArray());
            return;
        }
        throw ErrorContext.of(storage.path()).object(object).error("its object header chunk at " + c.address() + " has no room for a "
                + newBody.length + "-byte message " + replaced.type() + " in place of " + replaced.bodySize() + " bytes");
    }

    /**
     * Changes messages anywhere in a header with one write that readers (and crashes) see whole:
     * the messages of every block after the first, but for {@code dropped} ones and continuation
     * and NIL messages, with {@code replaced} bodies changed (same size), are copied into one new
     * continuation block, written and published first; then one write of the first block frees
     * its own dropped messages, changes its replaced bodies, and points its first continuation
     * message at the new block (freeing any other). The old later blocks are left unreferenced.
     * A version 1 header keeps its message count: the new block gets NIL messages to make it up.
     * Returns the header as re-read.
     */
    static ObjectHeader rewriteTail(FileStorage storage, ObjectHeader header, java.util.Set<Slot> dropped,
            java.util.Map<Slot, byte[]> replaced, String object) throws IOException {
        boolean v2 = header.version() == 2;
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        int keptCount = 0;
        int firstCount = 0;
        Slot firstContinuation = null;
        List<Edit> edits = new java.util.ArrayList<>();
        for (Slot slot : header.slots()) {
            boolean continuation = slot.type() == ObjectHeaderContinuationMessage.TYPE;
            if (slot.chunk() == 0) {
                firstCount++;
                if (dropped.contains(slot) || (continuation && firstContinuation != null)) edits.add(nil(header, slot));
                else if (replaced.containsKey(slot)) edits.add(new Edit(0, slot.bodyAddress(), replaced.get(slot)));
                else if (continuation) firstContinuation = slot;
                continue;
            }
            if (dropped.contains(slot) || continuation || slot.type() == ObjectHeader.NIL) continue;
            ByteBuffer m = storage.read(slot.messageAddress(), slot.totalSize(), "message of " + object);
            byte[] message = new byte[slot.totalSize()];
            m.get(0, message);
            byte[] body = replaced.get(slot);
            if (body != null) System.arraycopy(body, 0, message, slot.headerSize(), body.length);
            kept.write(message);
            keptCount++;
        }
        if (firstContinuation == null) throw new IllegalStateException(object + ": a header with later blocks but no continuation in its first");
        byte[] block;
        if (v2) {
            block = newChunkV2(header, kept.toByteArray());
        } else {
            int padding = Math.max(0, header.messageCount() - (firstCount + keptCount + 1));
            ByteBuffer b = Bytes.allocate(kept.size() + padding * ObjectHeader.MESSAGE_HEADER_SIZE + CONTINUATION_SLACK);
            b.put(kept.toByteArray());
            for (int i = 0; i < padding; i++) ObjectHeader.putNil(b, ObjectHeader.MESSAGE_HEADER_SIZE);
            ObjectHeader.putNil(b, CONTINUATION_SLACK);
            block = b.array();
        }
        int blockSize = block.length;
        long blockAddress = storage.allocateInPlace(blockSize);
        storage.write(blockAddress, block);
        storage.publishEof();
        edits.add(new Edit(0, firstContinuation.bodyAddress(), new ObjectHeaderContinuationMessage(blockAddress, blockSize).encodeBody()));
        return patchTogether(storage, header, edits, object);
    }

    private static void rewriteChunk(FileStorage storage, ObjectHeader header, int chunk, long address, byte[] bytes) throws IOException {
        rewriteChunk(storage, header, chunk, List.of(new Edit(chunk, address, bytes)));
    }

    /** Rewrites a version 2 chunk whole, with the edits made in it, and its checksum anew: one write. */
    private static void rewriteChunk(FileStorage storage, ObjectHeader header, int chunk, List<Edit> edits) throws IOException {
        writeChecksummed(storage, header.chunks().get(chunk).address(), chunkWithEdits(storage, header, chunk, edits));
    }

    /** The bytes of a version 2 chunk as read, with {@code edits} (all in that chunk, between signature and checksum) made in them. */
    private static byte[] chunkWithEdits(FileStorage storage, ObjectHeader header, int chunk, List<Edit> edits) throws IOException {
        ObjectHeader.Chunk c = header.chunks().get(chunk);
        ByteBuffer b = storage.read(c.address(), c.size(), "object header chunk");
        byte[] all = new byte[c.size()];
        b.get(0, all);
        for (Edit e : edits) {
            int at = Math.toIntExact(e.address() - c.address());
            if (e.chunk() != chunk || at < 4 || at + e.bytes().length > c.size() - 4) {
                throw new IllegalArgumentException("an edit outside its object header chunk");
            }
            System.arraycopy(e.bytes(), 0, all, at, e.bytes().length);
        }
        return all;
    }

    /** Writes a version 2 chunk at {@code address} with the lookup3 checksum of its bytes in its last 4. */
    private static void writeChecksummed(FileStorage storage, long address, byte[] chunk) throws IOException {
        ByteBuffer.wrap(chunk).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(chunk.length - 4, Lookup3.checksum(chunk, 0, chunk.length - 4));
        storage.write(address, chunk);
    }

    /** Writes a version 2 message into a NIL slot, the rest of the slot staying NIL: one chunk rewrite. */
    private static ObjectHeader fillV2(FileStorage storage, ObjectHeader header, Slot nil, int type, int flags, byte[] body,
            String object) throws IOException {
        boolean tracked = header.creationOrderTracked();
        int size = header.messageHeaderSize() + body.length;
        ByteBuffer b = Bytes.allocate(nil.totalSize());
        ObjectHeader.putMessageV2(b, tracked, type, flags, body);
        if (nil.totalSize() > size) ObjectHeader.putNilV2(b, tracked, nil.totalSize() - size);
        rewriteChunk(storage, header, nil.chunk(), nil.messageAddress(), b.array());
        return ObjectHeader.read(storage, header.address(), object);
    }

    /** {@link #smallestNil}'s {@code chunk} for a slot in any block or chunk. */
    private static final int ANY_CHUNK = -1;

    /**
     * The smallest NIL slot (in {@code chunk}, or anywhere) that a message taking {@code size}
     * bytes, its header included, fits in exactly or with room for a NIL after it.
     */
    private static Slot smallestNil(ObjectHeader header, int size, int chunk) {
        Slot best = null;
        for (Slot s : header.findAll(ObjectHeader.NIL)) {
            if ((chunk == ANY_CHUNK || s.chunk() == chunk) && fits(header, s, size) && (best == null || s.bodySize() < best.bodySize())) {
                best = s;
            }
        }
        return best;
    }

    /** Whether a message taking {@code size} bytes fits in slot {@code s} exactly, or with room for a NIL message after it. */
    private static boolean fits(ObjectHeader header, Slot s, int size) {
        return s.totalSize() == size || s.totalSize() >= size + header.messageHeaderSize();
    }

    /** A message that may live in a continuation block (not one the engine rewrites in place) and whose place a message of {@code size} bytes fits. */
    private static Slot movable(ObjectHeader header, int size) {
        for (Slot s : header.slots()) {
            if (!pinned(s) && fits(header, s, size)) return s;
        }
        return null;
    }

    private static boolean pinned(Slot s) {
        return s.type() == DataspaceMessage.TYPE || s.type() == DataLayoutMessage.TYPE
                || s.type() == ObjectHeaderContinuationMessage.TYPE || s.type() == ObjectHeader.NIL;
    }

    /** Corrects a version 1 header's message count, the last step of a change; returns the header as re-read. */
    static ObjectHeader recount(FileStorage storage, long address, String object) throws IOException {
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
