package io.hdf5flink.state;

import io.hdf5flink.hdf5.DataType;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * {@link DataType} as the first formats stored it, by ordinal (writer state version 2,
 * committable version 1, {@code ArrayBlock} records of snapshot version 3). The order is frozen
 * here, by name, so that those bytes keep their meaning whatever constants the enum gains or in
 * what order; newer formats store the name ({@link StateWriter#writeEnum}).
 */
@Internal
public final class DataTypeOrdinals {
    private static final List<String> FROZEN_ORDER = List.of(
            "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FLOAT32", "FLOAT64");

    private DataTypeOrdinals() {}

    public static DataType read(StateReader in) throws IOException {
        int ordinal = in.readByte();
        if (ordinal < 0 || ordinal >= FROZEN_ORDER.size()) throw in.corrupt("type ordinal " + ordinal);
        return DataType.valueOf(FROZEN_ORDER.get(ordinal));
    }

    public static void write(DataType type, StateWriter out) throws IOException {
        int ordinal = FROZEN_ORDER.indexOf(type.name());
        if (ordinal < 0) throw new IOException(type + " did not exist in the formats that stored types by ordinal");
        out.writeByte(ordinal);
    }
}
