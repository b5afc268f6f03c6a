package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage.CompoundMember;
import io.hdf5flink.hdf5.format.DatatypeMessage.EnumMember;
import java.util.List;

/**
 * Translates between the engine's {@link DataType} and the datatype message that stores it. The
 * format package describes numbers by size, signedness and class only, so that it depends on
 * nothing above it; this is the one place that knows which message each {@link DataType} is.
 *
 * <p>bool and complex are stored as h5py stores them, so that h5py reads them back as numpy's
 * {@code bool} and {@code complex64}/{@code complex128}: an enumeration over int8 with the members
 * {@code FALSE} = 0 and {@code TRUE} = 1, and a compound of the float members {@code r} at byte 0
 * and {@code i} right after it. Reading accepts exactly those (the enumeration's members in either
 * order, over int8 or uint8); any other enumeration or compound is refused.
 */
final class DataTypeMessages {
    /** What a refusal says is supported. */
    private static final String SUPPORTED = "integers, IEEE float16/32/64, and h5py's bool and complex types";
    private static final List<EnumMember> BOOL_MEMBERS = List.of(new EnumMember("FALSE", 0), new EnumMember("TRUE", 1));

    private DataTypeMessages() {}

    /** The little-endian datatype message that stores elements of {@code type}. */
    static DatatypeMessage of(DataType type) {
        if (type.isBool()) return DatatypeMessage.enumeration(DatatypeMessage.fixedPoint(1, true), BOOL_MEMBERS);
        if (type.isComplex()) {
            int part = type.componentSize();
            return DatatypeMessage.compound(type.size(), List.of(
                    new CompoundMember("r", 0, DatatypeMessage.floatingPoint(part)),
                    new CompoundMember("i", part, DatatypeMessage.floatingPoint(part))));
        }
        return type.isFloatingPoint() ? DatatypeMessage.floatingPoint(type.size())
                : DatatypeMessage.fixedPoint(type.size(), type.isSigned());
    }

    /**
     * The element type a stored datatype holds, or an exception naming what it is.
     *
     * @param where the dataset or attribute the type belongs to, for the message
     */
    static DataType typeOf(DatatypeMessage message, String where) {
        if (message.isPlainNumber()) return DataType.of(message.size(), message.isSigned(), message.isFloatingPoint());
        if (isBool(message)) return DataType.BOOL;
        if (isComplex(message)) return message.size() == 8 ? DataType.COMPLEX64 : DataType.COMPLEX128;
        throw message.unsupported(where, SUPPORTED);
    }

    private static boolean isBool(DatatypeMessage m) {
        DatatypeMessage base = m.enumBase();
        return base != null && base.isPlainNumber() && !base.isFloatingPoint() && base.size() == 1
                && m.enumMembers().size() == 2 && m.enumMembers().containsAll(BOOL_MEMBERS);
    }

    private static boolean isComplex(DatatypeMessage m) {
        List<CompoundMember> members = m.compoundMembers();
        if (members.size() != 2) return false;
        CompoundMember r = members.get(0);
        CompoundMember i = members.get(1);
        int part = m.size() / 2;
        return (part == 4 || part == 8) && m.size() == 2 * part
                && r.name().equals("r") && r.offset() == 0 && isFloat(r.type(), part)
                && i.name().equals("i") && i.offset() == part && isFloat(i.type(), part);
    }

    private static boolean isFloat(DatatypeMessage t, int size) {
        return t.isPlainNumber() && t.isFloatingPoint() && t.size() == size;
    }
}
