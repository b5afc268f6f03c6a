package io.hdf5flink.hdf5;

import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The numeric element types a dataset can hold. Datasets are always stored little-endian;
 * input buffers may be in either byte order (see {@link java.nio.ByteBuffer#order()}).
 */
public enum DataType {
    INT8(1, true, false, "i1"),
    INT16(2, true, false, "i2"),
    INT32(4, true, false, "i4"),
    INT64(8, true, false, "i8"),
    UINT8(1, false, false, "u1"),
    UINT16(2, false, false, "u2"),
    UINT32(4, false, false, "u4"),
    UINT64(8, false, false, "u8"),
    FLOAT32(4, true, true, "f4"),
    FLOAT64(8, true, true, "f8");

    private final int size;
    private final boolean signed;
    private final boolean floatingPoint;
    private final String numpyCode;

    DataType(int size, boolean signed, boolean floatingPoint, String numpyCode) {
        this.size = size;
        this.signed = signed;
        this.floatingPoint = floatingPoint;
        this.numpyCode = numpyCode;
    }

    /** Bytes per element. */
    public int size() { return size; }

    public boolean isSigned() { return signed; }

    public boolean isFloatingPoint() { return floatingPoint; }

    /** numpy's type string for the stored (little-endian) form, e.g. {@code "<i2"}, {@code "|u1"}. */
    public String numpyStr() {
        return (size == 1 ? "|" : "<") + numpyCode;
    }

    /** The numpy code without byte order, e.g. {@code "i2"}. */
    public String numpyCode() { return numpyCode; }

    /** Looks a type up by size, signedness and class; null when there is none. */
    public static DataType of(int size, boolean signed, boolean floatingPoint) {
        for (DataType t : values()) {
            if (t.size == size && t.floatingPoint == floatingPoint && (floatingPoint || t.signed == signed)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Parses numpy notation ({@code "<f8"}, {@code ">i2"}, {@code "|u1"}, {@code "i4"}) or a name
     * ({@code "int16"}, {@code "float32"}, {@code "uint8"}).
     *
     * @return the type with the byte order the notation states (little-endian when it states none)
     */
    public static Parsed parse(String notation) {
        String s = notation.trim().toLowerCase(Locale.ROOT);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (s.startsWith("<") || s.startsWith("|") || s.startsWith("=")) {
            s = s.substring(1);
        } else if (s.startsWith(">")) {
            order = ByteOrder.BIG_ENDIAN;
            s = s.substring(1);
        }
        for (DataType t : values()) {
            if (t.numpyCode.equals(s) || t.name().toLowerCase(Locale.ROOT).equals(s)) {
                return new Parsed(t, order);
            }
        }
        throw new IllegalArgumentException("unknown or non-numeric dtype '" + notation
                + "': expected one of i1 i2 i4 i8 u1 u2 u4 u8 f4 f8 with optional byte order < > |, or int8..uint64, float32, float64");
    }

    /** A type with the byte order of some external data. */
    public record Parsed(DataType type, ByteOrder order) {}
}
