package io.hdf5flink.state;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.FilterDescription;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * A compact binary form of {@link DatasetSpec}, nested in the writer state and the committables
 * (and shipped in the job graph by the sink's dataset declarations) instead of Java
 * serialization. It carries its own version, so a spec can gain fields without a new version of
 * every format embedding it.
 *
 * <p>Version 1: the version byte; the type by name; shape, maximum shape and chunk shape;
 * the filters (id, name, flags, client data); the fill value; the attributes (name, and the
 * stored datatype, dataspace and data); the commit token capacity. Version 0, written by writer
 * state version 2 and committable version 1, had no version byte and the type by ordinal.
 */
@Internal
public final class DatasetSpecCodec {
    private static final int VERSION = 1;
    private static final int MAX_FILTERS = 32;
    private static final int MAX_CLIENT_DATA = 127;
    private static final int MAX_ATTRIBUTES = 4096;
    private static final int MAX_FIELD_BYTES = 1 << 20;

    private DatasetSpecCodec() {}

    public static void write(DatasetSpec spec, StateWriter out) throws IOException {
        out.writeByte(VERSION);
        out.writeEnum(spec.type());
        out.writeLongs(spec.shape());
        out.writeLongs(spec.maxShape());
        out.writeLongs(spec.chunks());
        out.writeByte(spec.filters().size());
        for (FilterDescription f : spec.filters()) {
            out.writeInt(f.id());
            out.writeUTF(f.name());
            out.writeShort(f.flags());
            int[] cd = f.clientData();
            out.writeByte(cd.length);
            for (int v : cd) out.writeInt(v);
        }
        out.writeBytes(spec.fillValue());
        out.writeShort(spec.attributes().size());
        for (var a : spec.attributes().entrySet()) {
            out.writeUTF(a.getKey());
            out.writeBytes(a.getValue().storedDatatype());
            out.writeBytes(a.getValue().storedDataspace());
            out.writeBytes(a.getValue().storedData());
        }
        out.writeShort(spec.commitTokenCapacity());
    }

    /**
     * Reads a spec written by {@link #write}.
     *
     * @throws IOException for any input that is not such a spec (never a runtime exception)
     */
    public static DatasetSpec read(StateReader in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) throw in.corrupt("unknown dataset spec version " + version);
        return readFields(in, in.readEnum(DataType.class));
    }

    /** Reads a spec of version 0, without a version byte and with the type by ordinal. */
    public static DatasetSpec readVersion0(StateReader in) throws IOException {
        return readFields(in, DataTypeOrdinals.read(in));
    }

    private static DatasetSpec readFields(StateReader in, DataType type) throws IOException {
        try {
            DatasetSpec.Builder b = DatasetSpec.builder(type, in.readLongs("shape")).maxShape(in.readLongs("maximum shape"))
                    .chunks(in.readLongs("chunk shape"));
            int filterCount = in.byteCount("filter count", MAX_FILTERS);
            List<FilterDescription> filters = new ArrayList<>();
            for (int i = 0; i < filterCount; i++) {
                int id = in.readInt();
                String name = in.readUTF();
                int flags = in.readShort() & 0xFFFF;
                int[] cd = new int[in.byteCount("filter client data count", MAX_CLIENT_DATA)];
                for (int j = 0; j < cd.length; j++) cd[j] = in.readInt();
                filters.add(new FilterDescription(id, name, flags, cd));
            }
            b.filters(filters).fillBytes(in.readBytes("fill value length", MAX_FIELD_BYTES));
            int attributeCount = in.shortCount("attribute count", MAX_ATTRIBUTES);
            for (int i = 0; i < attributeCount; i++) {
                String name = in.readUTF();
                b.attribute(name, readAttribute(in, name));
            }
            return b.commitTokenCapacity(in.readShort() & 0xFFFF).build();
        } catch (IllegalArgumentException e) {
            throw in.corrupt("dataset spec: " + e.getMessage());
        }
    }

    private static AttributeValue readAttribute(StateReader in, String name) throws IOException {
        byte[] datatype = in.readBytes("attribute datatype length", MAX_FIELD_BYTES);
        byte[] dataspace = in.readBytes("attribute dataspace length", MAX_FIELD_BYTES);
        byte[] data = in.readBytes("attribute data length", MAX_FIELD_BYTES);
        try {
            return AttributeValue.fromStoredForm(datatype, dataspace, data);
        } catch (IllegalArgumentException e) {
            throw in.corrupt("dataset spec: attribute '" + name + "' has " + e.getMessage());
        }
    }
}
