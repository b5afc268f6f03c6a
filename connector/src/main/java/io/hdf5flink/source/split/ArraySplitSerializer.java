package io.hdf5flink.source.split;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes {@link ArraySplit}s into checkpoints and reads them back. Version 1: split id; the
 * location (path, compression, archive, member flag and name, member compression); mapped flag,
 * data offset, element type name, big-endian flag; dataset; offset and row shape with their
 * lengths; next and end row. Enums are written by name, so reordering them cannot corrupt a
 * checkpoint; ranks are checked before anything is allocated from them.
 */
@Internal
public final class ArraySplitSerializer implements SimpleVersionedSerializer<ArraySplit> {
    public static final ArraySplitSerializer INSTANCE = new ArraySplitSerializer();

    private static final int VERSION = 1;
    private static final int MAX_RANK = 8;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(ArraySplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public ArraySplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) throw new IOException("unknown ArraySplit serialization version " + version);
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        ArraySplit split = read(in);
        if (in.available() != 0) throw new IOException("corrupt ArraySplit: " + in.available() + " trailing bytes");
        return split;
    }

    private static void write(ArraySplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.splitId());
        ArrayInput input = split.input();
        Location location = input.location();
        out.writeUTF(location.path());
        out.writeUTF(location.compression().name());
        out.writeUTF(location.archive().name());
        out.writeBoolean(location.member() != null);
        if (location.member() != null) out.writeUTF(location.member());
        out.writeUTF(location.memberCompression().name());
        out.writeBoolean(input.mapped());
        out.writeLong(input.dataOffset());
        out.writeUTF(input.type().name());
        out.writeBoolean(input.bigEndian());
        out.writeUTF(split.dataset());
        writeLongs(split.offset(), out);
        writeLongs(split.rowShape(), out);
        out.writeLong(split.nextRow());
        out.writeLong(split.endRow());
    }

    private static ArraySplit read(DataInputView in) throws IOException {
        String id = in.readUTF();
        String path = in.readUTF();
        StreamCompression compression = named(StreamCompression.class, in.readUTF());
        Archive archive = named(Archive.class, in.readUTF());
        String member = in.readBoolean() ? in.readUTF() : null;
        StreamCompression memberCompression = named(StreamCompression.class, in.readUTF());
        boolean mapped = in.readBoolean();
        long dataOffset = in.readLong();
        DataType type = named(DataType.class, in.readUTF());
        boolean bigEndian = in.readBoolean();
        String dataset = in.readUTF();
        long[] offset = readLongs(in);
        long[] rowShape = readLongs(in);
        long nextRow = in.readLong();
        long endRow = in.readLong();
        try {
            Location location = new Location(path, compression, archive, member, memberCompression);
            return new ArraySplit(id, new ArrayInput(location, mapped, dataOffset, type, bigEndian), dataset, offset,
                    rowShape, nextRow, endRow);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt ArraySplit: " + e.getMessage(), e);
        }
    }

    private static void writeLongs(long[] values, DataOutputView out) throws IOException {
        out.writeInt(values.length);
        for (long v : values) out.writeLong(v);
    }

    private static long[] readLongs(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_RANK) throw new IOException("corrupt ArraySplit: rank " + length);
        long[] values = new long[length];
        for (int i = 0; i < length; i++) values[i] = in.readLong();
        return values;
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name) throws IOException {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt ArraySplit: unknown " + type.getSimpleName() + " " + name);
        }
    }
}
