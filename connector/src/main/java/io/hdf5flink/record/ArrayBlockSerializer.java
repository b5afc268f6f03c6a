package io.hdf5flink.record;

import io.hdf5flink.hdf5.DataType;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link ArrayBlock}s on the wire: a flags byte (file present, offset
 * present), file and dataset as UTF strings, type ordinal, rank, shape, offset, then the data
 * bytes with their length. Blocks are immutable, so copies are the block itself. Lengths read
 * back are checked before anything is allocated from them.
 */
@Internal
public final class ArrayBlockSerializer extends TypeSerializer<ArrayBlock> {
    public static final ArrayBlockSerializer INSTANCE = new ArrayBlockSerializer();
    private static final long serialVersionUID = 1L;
    private static final int HAS_FILE = 1;
    private static final int HAS_OFFSET = 2;
    private static final int MAX_RANK = 32;

    @Override
    public boolean isImmutableType() { return true; }

    @Override
    public TypeSerializer<ArrayBlock> duplicate() { return this; }

    @Override
    public ArrayBlock createInstance() { return null; }

    @Override
    public ArrayBlock copy(ArrayBlock from) { return from; }

    @Override
    public ArrayBlock copy(ArrayBlock from, ArrayBlock reuse) { return from; }

    @Override
    public int getLength() { return -1; }

    @Override
    public void serialize(ArrayBlock b, DataOutputView out) throws IOException {
        long[] offset = b.offset();
        out.writeByte((b.file() != null ? HAS_FILE : 0) | (offset != null ? HAS_OFFSET : 0));
        if (b.file() != null) out.writeUTF(b.file());
        out.writeUTF(b.dataset());
        out.writeByte(b.type().ordinal());
        long[] shape = b.shape();
        out.writeByte(shape.length);
        for (long s : shape) out.writeLong(s);
        if (offset != null) for (long o : offset) out.writeLong(o);
        out.writeInt(b.data().length);
        out.write(b.data());
    }

    @Override
    public ArrayBlock deserialize(DataInputView in) throws IOException {
        int flags = in.readByte();
        String file = (flags & HAS_FILE) != 0 ? in.readUTF() : null;
        String dataset = in.readUTF();
        int typeOrdinal = in.readByte();
        if (typeOrdinal < 0 || typeOrdinal >= DataType.values().length) {
            throw new IOException("corrupt ArrayBlock: type ordinal " + typeOrdinal);
        }
        int rank = in.readByte();
        if (rank < 0 || rank > MAX_RANK) throw new IOException("corrupt ArrayBlock: rank " + rank);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = in.readLong();
        long[] offset = null;
        if ((flags & HAS_OFFSET) != 0) {
            offset = new long[rank];
            for (int i = 0; i < rank; i++) offset[i] = in.readLong();
        }
        int length = in.readInt();
        if (length < 0) throw new IOException("corrupt ArrayBlock: data length " + length);
        byte[] data = new byte[length];
        in.readFully(data);
        return new ArrayBlock(file, dataset, DataType.values()[typeOrdinal], shape, offset, data);
    }

    @Override
    public ArrayBlock deserialize(ArrayBlock reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) { return o instanceof ArrayBlockSerializer; }

    @Override
    public int hashCode() { return ArrayBlockSerializer.class.hashCode(); }

    @Override
    public TypeSerializerSnapshot<ArrayBlock> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Configuration snapshot: the serializer has no configuration, only a format version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ArrayBlock> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
