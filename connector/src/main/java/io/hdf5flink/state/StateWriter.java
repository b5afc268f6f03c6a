package io.hdf5flink.state;

import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Writes checkpointed state in the forms {@link StateReader} reads back. */
@Internal
public final class StateWriter {
    private final DataOutput out;

    public StateWriter(DataOutput out) {
        this.out = out;
    }

    /** Writes the state {@code body} writes, as the bytes a {@link org.apache.flink.core.io.SimpleVersionedSerializer} returns. */
    public static byte[] toBytes(Body body) throws IOException {
        DataOutputSerializer bytes = new DataOutputSerializer(256);
        body.write(new StateWriter(bytes));
        return bytes.getCopyOfBuffer();
    }

    /** Writes a whole state. */
    @FunctionalInterface
    public interface Body {
        void write(StateWriter out) throws IOException;
    }

    /** Writes one element of a list. */
    @FunctionalInterface
    public interface Item<T> {
        void write(StateWriter out, T value) throws IOException;
    }

    public void writeMagic(int magic) throws IOException {
        out.writeInt(magic);
    }

    /** A vector: its rank in one byte, then the values. */
    public void writeLongs(long[] v) throws IOException {
        out.writeByte(v.length);
        for (long x : v) out.writeLong(x);
    }

    /** A byte array: its length, then the bytes. */
    public void writeBytes(byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** An enum constant by name, so that adding or reordering constants cannot change what stored bytes mean. */
    public void writeEnum(Enum<?> value) throws IOException {
        out.writeUTF(value.name());
    }

    /** A list: its size, then each element. */
    public <T> void writeList(List<T> values, Item<T> item) throws IOException {
        out.writeInt(values.size());
        for (T v : values) item.write(this, v);
    }

    public void writeStrings(List<String> values) throws IOException {
        writeList(values, StateWriter::writeUTF);
    }

    /** A string that may be null: a presence flag, then the string. */
    public void writeOptionalUTF(String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) out.writeUTF(value);
    }

    public void writeUTF(String value) throws IOException {
        out.writeUTF(value);
    }

    public void writeLong(long value) throws IOException {
        out.writeLong(value);
    }

    public void writeInt(int value) throws IOException {
        out.writeInt(value);
    }

    public void writeBoolean(boolean value) throws IOException {
        out.writeBoolean(value);
    }

    public void writeByte(int value) throws IOException {
        out.writeByte(value);
    }

    public void writeShort(int value) throws IOException {
        out.writeShort(value);
    }
}
