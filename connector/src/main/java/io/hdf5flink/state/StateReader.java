package io.hdf5flink.state;

import io.hdf5flink.hdf5.DatasetSpec;
import java.io.DataInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputDeserializer;

/**
 * Reads checkpointed state that a {@link StateWriter} wrote, bounded: every count and length is
 * checked against a bound (and, when the input is a byte array, against the bytes left) before
 * anything is allocated from it, since a corrupt count must cost neither memory in proportion to
 * it nor anything but an {@link IOException}. Errors name the format and the field, e.g.
 * {@code corrupt writer state: open chunk count -3}.
 */
@Internal
public final class StateReader {
    /** Elements any list of the state may hold: far above real state, far below exhausting memory. */
    public static final int MAX_COUNT = 1 << 26;
    /** The longest byte array Java allocates. */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final DataInput in;
    /** The same input when it is a byte array (its bytes left bound lengths), else null. */
    private final DataInputDeserializer bytes;
    private final String format;

    private StateReader(DataInput in, DataInputDeserializer bytes, String format) {
        this.in = in;
        this.bytes = bytes;
        this.format = format;
    }

    /** Reads the bytes a {@link org.apache.flink.core.io.SimpleVersionedSerializer} is handed. */
    public static StateReader of(byte[] serialized, String format) {
        DataInputDeserializer bytes = new DataInputDeserializer(serialized);
        return new StateReader(bytes, bytes, format);
    }

    /** Reads a stream of unknown length, e.g. a {@code TypeSerializer}'s input. */
    public static StateReader of(DataInput in, String format) {
        return new StateReader(in, in instanceof DataInputDeserializer d ? d : null, format);
    }

    /** An error saying the state is corrupt, naming the format. */
    public IOException corrupt(String what) {
        return new IOException("corrupt " + format + ": " + what);
    }

    /** Reads the magic number a top-level format starts with, refusing another. */
    public void expectMagic(int magic) throws IOException {
        int found = in.readInt();
        if (found != magic) {
            throw corrupt(String.format("magic number %08x instead of %08x (these are not %s bytes)", found, magic, format));
        }
    }

    /** Refuses bytes left after the state's last field. */
    public void expectEnd() throws IOException {
        if (bytes != null && bytes.available() != 0) throw corrupt(bytes.available() + " trailing bytes");
    }

    /** An int count of 0 to {@code max}. */
    public int count(String field, int max) throws IOException {
        return checked(field, in.readInt(), max);
    }

    /** A count of 0 to {@code max} stored in one (signed) byte. */
    public int byteCount(String field, int max) throws IOException {
        return checked(field, in.readByte(), max);
    }

    /** A count of 0 to {@code max} stored in two bytes, unsigned. */
    public int shortCount(String field, int max) throws IOException {
        return checked(field, in.readUnsignedShort(), max);
    }

    private int checked(String field, int n, int max) throws IOException {
        if (n < 0 || n > max) throw corrupt(field + " " + n + " (0 to " + max + ")");
        return n;
    }

    /** A length of 0 to {@code max} bytes, no more than the bytes left. */
    public int length(String field, int max) throws IOException {
        int n = count(field, max);
        if (bytes != null && n > bytes.available()) throw corrupt(field + " " + n + ", but " + bytes.available() + " bytes left");
        return n;
    }

    /** A byte array written by {@link StateWriter#writeBytes}, of at most {@code max} bytes. */
    public byte[] readBytes(String field, int max) throws IOException {
        byte[] b = new byte[length(field, max)];
        in.readFully(b);
        return b;
    }

    /** A vector written by {@link StateWriter#writeLongs}: rank byte (at most {@link DatasetSpec#MAX_RANK}), then the values. */
    public long[] readLongs(String field) throws IOException {
        return readLongs(byteCount(field + " rank", DatasetSpec.MAX_RANK));
    }

    /** {@code n} longs, {@code n} already bounded. */
    public long[] readLongs(int n) throws IOException {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = in.readLong();
        return v;
    }

    /** A constant written by {@link StateWriter#writeEnum}, by name. */
    public <E extends Enum<E>> E readEnum(Class<E> type) throws IOException {
        String name = in.readUTF();
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw corrupt("unknown " + type.getSimpleName() + " " + name);
        }
    }

    /** Reads one element of a list. */
    @FunctionalInterface
    public interface Item<T> {
        T read(StateReader in) throws IOException;
    }

    /** A list written by {@link StateWriter#writeList}, of at most {@code max} elements. */
    public <T> List<T> readList(String field, int max, Item<T> item) throws IOException {
        int n = count(field, max);
        // Grows as elements arrive: the count alone must not size anything.
        List<T> list = new ArrayList<>(Math.min(n, 1 << 10));
        for (int i = 0; i < n; i++) list.add(item.read(this));
        return list;
    }

    /** Strings written by {@link StateWriter#writeStrings}. */
    public List<String> readStrings(String field) throws IOException {
        return readList(field, MAX_COUNT, StateReader::readUTF);
    }

    /** A string written by {@link StateWriter#writeOptionalUTF}, null when absent. */
    public String readOptionalUTF() throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    public String readUTF() throws IOException {
        return in.readUTF();
    }

    public long readLong() throws IOException {
        return in.readLong();
    }

    public int readInt() throws IOException {
        return in.readInt();
    }

    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    public short readShort() throws IOException {
        return in.readShort();
    }

    public byte readByte() throws IOException {
        return in.readByte();
    }

    public int readUnsignedByte() throws IOException {
        return in.readUnsignedByte();
    }
}
