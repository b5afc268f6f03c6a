package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact binary form of {@link DatasetSpec}, for clients that must store or ship a spec (the
 * Flink connector's state and committables) without Java serialization. The layout carries no
 * version: callers version the structure that embeds it.
 */
public final class DatasetSpecCodec {
    private static final int MAX_RANK = 32;
    private static final int MAX_FILTERS = 32;
    private static final int MAX_ATTRIBUTES = 4096;
    private static final int MAX_BYTES = 1 << 20;

    private DatasetSpecCodec() {}

    public static void write(DatasetSpec spec, DataOutput out) throws IOException {
        out.writeByte(spec.type().ordinal());
        writeLongs(out, spec.shape());
        writeLongs(out, spec.maxShape());
        writeLongs(out, spec.chunks());
        out.writeByte(spec.filters().size());
        for (FilterDescription f : spec.filters()) {
            out.writeInt(f.id());
            out.writeUTF(f.name());
            out.writeShort(f.flags());
            int[] cd = f.clientData();
            out.writeByte(cd.length);
            for (int v : cd) out.writeInt(v);
        }
        writeBytes(out, spec.fillValue());
        out.writeShort(spec.attributes().size());
        for (var a : spec.attributes().entrySet()) {
            out.writeUTF(a.getKey());
            writeBytes(out, a.getValue().datatype().encodeBody());
            writeBytes(out, a.getValue().dataspace().encodeBody());
            writeBytes(out, a.getValue().data());
        }
        out.writeShort(spec.commitTokenCapacity());
    }

    /**
     * Reads a spec written by {@link #write}.
     *
     * @throws IOException for any input that is not such a spec (never a runtime exception)
     */
    public static DatasetSpec read(DataInput in) throws IOException {
        try {
            return readUnchecked(in);
        } catch (IllegalArgumentException | io.hdf5flink.hdf5.format.Hdf5FormatException
                | java.nio.BufferUnderflowException e) {
            throw new IOException("corrupt dataset spec: " + e.getMessage(), e);
        }
    }

    private static DatasetSpec readUnchecked(DataInput in) throws IOException {
        int ordinal = in.readByte();
        if (ordinal < 0 || ordinal >= DataType.values().length) throw new IOException("corrupt dataset spec: type " + ordinal);
        DataType type = DataType.values()[ordinal];
        long[] shape = readLongs(in);
        long[] max = readLongs(in);
        long[] chunks = readLongs(in);
        int filterCount = in.readByte();
        if (filterCount < 0 || filterCount > MAX_FILTERS) throw new IOException("corrupt dataset spec: " + filterCount + " filters");
        List<FilterDescription> filters = new ArrayList<>();
        for (int i = 0; i < filterCount; i++) {
            int id = in.readInt();
            String name = in.readUTF();
            int flags = in.readShort() & 0xFFFF;
            int n = in.readByte();
            if (n < 0) throw new IOException("corrupt dataset spec: client data count " + n);
            int[] cd = new int[n];
            for (int j = 0; j < n; j++) cd[j] = in.readInt();
            filters.add(new FilterDescription(id, name, flags, cd));
        }
        byte[] fill = readBytes(in);
        int attributeCount = in.readShort() & 0xFFFF;
        if (attributeCount > MAX_ATTRIBUTES) throw new IOException("corrupt dataset spec: " + attributeCount + " attributes");
        DatasetSpec.Builder b = DatasetSpec.builder(type, shape).maxShape(max).chunks(chunks).filters(filters).fillBytes(fill);
        for (int i = 0; i < attributeCount; i++) {
            String name = in.readUTF();
            DatatypeMessage t = DatatypeMessage.decode(ByteBuffer.wrap(readBytes(in)).order(ByteOrder.LITTLE_ENDIAN));
            // write() only ever stores types it can write; another would fail the next write.
            if (!t.writable()) throw new IOException("corrupt dataset spec: attribute '" + name + "' has an unwritable datatype");
            DataspaceMessage s = DataspaceMessage.decode(ByteBuffer.wrap(readBytes(in)).order(ByteOrder.LITTLE_ENDIAN));
            b.attribute(name, AttributeValue.of(t, s, readBytes(in)));
        }
        return b.commitTokenCapacity(in.readShort() & 0xFFFF).build();
    }

    private static void writeLongs(DataOutput out, long[] v) throws IOException {
        out.writeByte(v.length);
        for (long x : v) out.writeLong(x);
    }

    private static long[] readLongs(DataInput in) throws IOException {
        int n = in.readByte();
        if (n < 0 || n > MAX_RANK) throw new IOException("corrupt dataset spec: rank " + n);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = in.readLong();
        return v;
    }

    private static void writeBytes(DataOutput out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_BYTES) throw new IOException("corrupt dataset spec: a field of " + n + " bytes");
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
