package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The three fields of a dataset's object header that a commit rewrites in place: the current
 * dimensions in the dataspace message, the chunk index root in the data layout message, and the
 * value of the commit token attribute (when there is one). Located once when the header is read
 * (and again after it changes), and published by {@link #publish}.
 */
final class CommitFields {
    private final FileStorage storage;
    private final ObjectHeader header;
    private final ErrorContext where;
    private final Slot dataspace;
    private final int dimsFieldOffset;
    private final Slot layout;
    /** Where the index address lies in the layout message's body. */
    private final int indexAddressOffset;
    /**
     * When the layout message is still version 4: the version 3 one (its index root to be set)
     * that the first commit puts in its place, pointing at the version 1 B-tree that now indexes
     * the chunks; null when the layout is version 3 already.
     */
    private final DataLayoutMessage reindexed;
    /** Null when the dataset has no commit token attribute yet. */
    private final Slot token;
    private final int tokenDataOffset;
    private final int tokenCapacity;
    private byte[] committedToken;

    private CommitFields(FileStorage storage, ObjectHeader header, ErrorContext where, Slot dataspace, int dimsFieldOffset, Slot layout,
            int indexAddressOffset, DataLayoutMessage reindexed, Slot token, int tokenDataOffset, int tokenCapacity, byte[] committedToken) {
        this.storage = storage;
        this.header = header;
        this.where = where;
        this.dataspace = dataspace;
        this.dimsFieldOffset = dimsFieldOffset;
        this.layout = layout;
        this.indexAddressOffset = indexAddressOffset;
        this.reindexed = reindexed;
        this.token = token;
        this.tokenDataOffset = tokenDataOffset;
        this.tokenCapacity = tokenCapacity;
        this.committedToken = committedToken;
    }

    /**
     * Finds the fields in {@code header}.
     *
     * @param tokenAttribute the commit token attribute's message, or null when there is none
     * @param chunkDims the dataset's chunk shape and {@code elementSize} its element size, for the
     *     version 3 layout message that replaces a version 4 one
     * @param indexAddressOffset where the layout message's body holds the index address: a version
     *     3 message's B-tree root, a kept extensible array's header; negative for a version 4
     *     message whose index the first commit replaces
     */
    static CommitFields locate(FileStorage storage, ObjectHeader header, Slot tokenAttribute, long[] chunkDims, int elementSize,
            int indexAddressOffset, ErrorContext where) {
        Slot dataspace = header.find(DataspaceMessage.TYPE);
        Slot layout = header.find(DataLayoutMessage.TYPE);
        try {
            ByteBuffer ds = storage.read(dataspace.bodyAddress(), 1, "dataspace of " + where.object());
            int dimsFieldOffset = ds.get(0) == 1 ? DataspaceMessage.dimsOffset() : 4;
            DataLayoutMessage reindexed = indexAddressOffset < 0 ? new DataLayoutMessage(Bytes.UNDEFINED_ADDRESS, chunkDims, elementSize) : null;
            if (tokenAttribute == null) {
                return new CommitFields(storage, header, where, dataspace, dimsFieldOffset, layout, indexAddressOffset, reindexed, null, 0, 0, null);
            }
            ByteBuffer b = storage.read(tokenAttribute.bodyAddress(), tokenAttribute.bodySize(),
                    "commit token of " + where.object());
            int nameSize = b.getShort(2) & 0xFFFF;
            int typeSize = b.getShort(4) & 0xFFFF;
            int spaceSize = b.getShort(6) & 0xFFFF;
            int tokenDataOffset = 8 + Bytes.pad8(nameSize) + Bytes.pad8(typeSize) + Bytes.pad8(spaceSize);
            b.position(tokenDataOffset);
            int length = b.getInt();
            int tokenCapacity = tokenAttribute.bodySize() - tokenDataOffset - 4;
            if (length < 0 || length > tokenCapacity) {
                throw where.error("commit token claims " + length + " bytes in a field of " + tokenCapacity);
            }
            byte[] committed = new byte[length];
            b.get(committed);
            return new CommitFields(storage, header, where, dataspace, dimsFieldOffset, layout, indexAddressOffset, reindexed, tokenAttribute, tokenDataOffset,
                    tokenCapacity, committed);
        } catch (IOException e) {
            throw where.error(e.getMessage(), e);
        }
    }

    /** The attribute that reserves a commit token of {@code capacity} bytes, holding an empty token. */
    static AttributeMessage tokenAttribute(int capacity) {
        byte[] data = new byte[capacity + 4];
        return new AttributeMessage(Hdf5Dataset.COMMIT_TOKEN_ATTRIBUTE, DataTypeMessages.of(DataType.UINT8),
                new DataspaceMessage(new long[] {capacity + 4}, null), data);
    }

    boolean hasTokenField() { return token != null; }

    /** Whether the next {@link #publish} replaces a version 4 layout message (the header changes: read it again after). */
    boolean reindexes() { return reindexed != null; }

    int tokenCapacity() { return tokenCapacity; }

    /** The token stored by the last commit, or null when none was ever stored. */
    byte[] committedToken() { return committedToken; }

    /**
     * Writes the new dimensions, index root and (when not null) token: one write when the fields
     * are adjacent in the header, as in every dataset this engine creates; otherwise three
     * ordered writes. A new token is the committed one from then on.
     */
    void publish(long[] dims, long indexRoot, byte[] newToken) throws IOException {
        ByteBuffer dimsBytes = Bytes.allocate(8 * dims.length);
        for (long d : dims) dimsBytes.putLong(d);
        byte[] rootBytes = Bytes.allocate(8).putLong(0, indexRoot).array();
        byte[] tokenBytes = null;
        if (newToken != null) {
            tokenBytes = new byte[4 + tokenCapacity];
            ByteBuffer.wrap(tokenBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(newToken.length).put(newToken);
        }
        long dimsAt = dataspace.bodyAddress() + dimsFieldOffset;
        long rootAt = layout.bodyAddress() + Math.max(0, indexAddressOffset);
        long tokenAt = token == null ? -1 : token.bodyAddress() + tokenDataOffset;
        if (reindexed != null) {
            publishReindexed(new HeaderEditor.Edit(dataspace.chunk(), dimsAt, dimsBytes.array()), indexRoot,
                    tokenBytes == null ? null : new HeaderEditor.Edit(token.chunk(), tokenAt, tokenBytes));
        } else if (header.version() == 2) {
            publishInChunks(new HeaderEditor.Edit(dataspace.chunk(), dimsAt, dimsBytes.array()),
                    new HeaderEditor.Edit(layout.chunk(), rootAt, rootBytes),
                    tokenBytes == null ? null : new HeaderEditor.Edit(token.chunk(), tokenAt, tokenBytes));
        } else if (adjacent()) {
            long end = tokenBytes != null ? tokenAt + tokenBytes.length : rootAt + 8;
            ByteBuffer region = storage.read(dimsAt, (int) (end - dimsAt), "header of " + where.object());
            byte[] r = new byte[region.remaining()];
            region.get(r);
            System.arraycopy(dimsBytes.array(), 0, r, 0, dimsBytes.capacity());
            System.arraycopy(rootBytes, 0, r, (int) (rootAt - dimsAt), 8);
            if (tokenBytes != null) System.arraycopy(tokenBytes, 0, r, (int) (tokenAt - dimsAt), tokenBytes.length);
            storage.write(dimsAt, r);
        } else {
            // Index first (new entries lie beyond the old shape or replace chunks), then the shape
            // that reveals them, then the token: a crash between leaves a state the next commit of
            // the same chunks repairs, never a token claiming data that is not visible.
            storage.write(rootAt, rootBytes);
            storage.write(dimsAt, dimsBytes.array());
            if (tokenBytes != null) storage.write(tokenAt, tokenBytes);
        }
        if (newToken != null) committedToken = newToken;
    }

    /**
     * A version 2 header's chunks are checksummed, so the fields are published by rewriting the
     * chunks that hold them, each whole in one write: all three at once when one chunk holds
     * them (h5py's dataspace and layout come first in the first chunk; the token attribute lands
     * there while it has room), else in the order of the version 1 case.
     */
    private void publishInChunks(HeaderEditor.Edit dims, HeaderEditor.Edit root, HeaderEditor.Edit token) throws IOException {
        java.util.List<HeaderEditor.Edit> edits = token == null ? java.util.List.of(dims, root) : java.util.List.of(dims, root, token);
        if (edits.stream().allMatch(e -> e.chunk() == dims.chunk())) {
            HeaderEditor.write(storage, header, edits, where.object());
            return;
        }
        HeaderEditor.write(storage, header, java.util.List.of(root), where.object());
        HeaderEditor.write(storage, header, java.util.List.of(dims), where.object());
        if (token != null) HeaderEditor.write(storage, header, java.util.List.of(token), where.object());
    }

    /**
     * The first commit of a dataset whose layout was version 4: the layout message becomes version
     * 3, pointing at the version 1 B-tree that lists every chunk of the old index and the new ones,
     * in the same one write of its chunk as shape and token when they are there (they are in
     * h5py's files); else the layout first, then shape, then token, as in the version 1 case.
     */
    private void publishReindexed(HeaderEditor.Edit dims, long indexRoot, HeaderEditor.Edit token) throws IOException {
        byte[] body = new DataLayoutMessage(indexRoot, reindexed.chunkDims(), reindexed.elementSize()).encodeBody();
        java.util.List<HeaderEditor.Edit> together = new java.util.ArrayList<>();
        java.util.List<HeaderEditor.Edit> after = new java.util.ArrayList<>();
        for (HeaderEditor.Edit e : token == null ? java.util.List.of(dims) : java.util.List.of(dims, token)) {
            (e.chunk() == layout.chunk() ? together : after).add(e);
        }
        HeaderEditor.replaceBody(storage, header, layout, body, together, where.object());
        for (HeaderEditor.Edit e : after) HeaderEditor.write(storage, header, java.util.List.of(e), where.object());
    }

    /** Whether dataspace, layout and token messages follow each other, so one write covers all three. */
    private boolean adjacent() {
        return layout.messageAddress() == dataspace.bodyAddress() + dataspace.bodySize()
                && (token == null || token.messageAddress() == layout.bodyAddress() + layout.bodySize());
    }
}
