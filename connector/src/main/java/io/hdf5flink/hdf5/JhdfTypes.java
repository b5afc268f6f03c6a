package io.hdf5flink.hdf5;

import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OrderedDataType;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The engine's element type for a datatype as jhdf parsed it from a file: the types the engine
 * writes (integers, IEEE floats, h5py's bool enumeration and complex compound), in either byte
 * order. Anything else is refused by name, so a reader never reinterprets bytes it does not know.
 * (The engine's own mapping, {@code DataTypeMessages.typeOf}, takes an encoded datatype message,
 * and jhdf 0.13 cannot re-encode the enumeration and compound types it parsed.)
 */
final class JhdfTypes {
    /** What a refusal says is read. */
    private static final String READ = "integers, IEEE float16/32/64, and h5py's bool and complex types";

    private JhdfTypes() {}

    /** An element type and the byte order its numbers are stored in. */
    record StoredType(DataType type, boolean bigEndian) {}

    /** The element type of {@code t}, or an exception naming what it is. */
    static StoredType of(io.jhdf.object.datatype.DataType t) {
        if (t instanceof FixedPoint f && f.getBitOffset() == 0 && f.getBitPrecision() == 8 * f.getSize()
                && DataType.of(f.getSize(), f.isSigned(), false) != null) {
            return new StoredType(DataType.of(f.getSize(), f.isSigned(), false), bigEndian(f));
        }
        if (t instanceof FloatingPoint f && f.getBitOffset() == 0 && f.getBitPrecision() == 8 * f.getSize()
                && DataType.of(f.getSize(), true, true) != null) {
            return new StoredType(DataType.of(f.getSize(), true, true), bigEndian(f));
        }
        if (t instanceof EnumDataType e && e.getBaseType() instanceof FixedPoint base && base.getSize() == 1
                && e.getEnumMapping().equals(Map.of(0, "FALSE", 1, "TRUE"))) {
            return new StoredType(DataType.BOOL, false);
        }
        if (t instanceof CompoundDataType c && isComplex(c)) {
            FloatingPoint part = (FloatingPoint) c.getMembers().get(0).getDataType();
            return new StoredType(part.getSize() == 4 ? DataType.COMPLEX64 : DataType.COMPLEX128, bigEndian(part));
        }
        throw new IllegalArgumentException("its datatype (" + describe(t) + ") is not one the engine reads: " + READ);
    }

    private static boolean isComplex(CompoundDataType c) {
        List<CompoundDataType.CompoundDataMember> m = c.getMembers();
        if (m.size() != 2 || !m.get(0).getName().equals("r") || !m.get(1).getName().equals("i")) return false;
        if (!(m.get(0).getDataType() instanceof FloatingPoint r) || !(m.get(1).getDataType() instanceof FloatingPoint i)) {
            return false;
        }
        int part = r.getSize();
        return (part == 4 || part == 8) && i.getSize() == part && m.get(0).getOffset() == 0 && m.get(1).getOffset() == part
                && c.getSize() == 2 * part && r.getByteOrder() == i.getByteOrder();
    }

    private static boolean bigEndian(OrderedDataType t) {
        return t.getByteOrder() == ByteOrder.BIG_ENDIAN;
    }

    private static String describe(io.jhdf.object.datatype.DataType t) {
        return t.getClass().getSimpleName() + " of " + t.getSize() + " bytes";
    }
}
