package io.hdf5flink.hdf5;

import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The element types a dataset can hold: the numeric dtypes of numpy that h5py stores as plain HDF5
 * numbers (integers, IEEE half, single and double floats), and the two h5py stores in types of
 * its own: {@link #BOOL} (an 8-bit enumeration FALSE = 0, TRUE = 1) and {@link #COMPLEX64} /
 * {@link #COMPLEX128} (a compound of the real part {@code r} and the imaginary part {@code i}),
 * so that h5py reads every one back as the dtype it was. Datasets are always stored
 * little-endian; input buffers may be in either byte order (see {@link java.nio.ByteBuffer#order()}),
 * which applies to each number an element holds ({@link #componentSize()}).
 */
public enum DataType {
    INT8(1, Kind.SIGNED, "i1"),
    INT16(2, Kind.SIGNED, "i2"),
    INT32(4, Kind.SIGNED, "i4"),
    INT64(8, Kind.SIGNED, "i8"),
    UINT8(1, Kind.UNSIGNED, "u1"),
    UINT16(2, Kind.UNSIGNED, "u2"),
    UINT32(4, Kind.UNSIGNED, "u4"),
    UINT64(8, Kind.UNSIGNED, "u8"),
    FLOAT32(4, Kind.FLOAT, "f4"),
    FLOAT64(8, Kind.FLOAT, "f8"),
    /** IEEE 754 binary16, numpy's {@code float16}. */
    FLOAT16(2, Kind.FLOAT, "f2"),
    /** numpy's {@code bool}: one byte, 0 (false) or 1 (true). */
    BOOL(1, Kind.BOOL, "b1"),
    /** A pair of float32: the real part, then the imaginary part. */
    COMPLEX64(8, Kind.COMPLEX, "c8"),
    /** A pair of float64: the real part, then the imaginary part. */
    COMPLEX128(16, Kind.COMPLEX, "c16");

    /** What an element's bytes mean: numpy's dtype kinds. */
    private enum Kind { SIGNED, UNSIGNED, FLOAT, BOOL, COMPLEX }

    private final int size;
    private final Kind kind;
    private final String numpyCode;

    DataType(int size, Kind kind, String numpyCode) {
        this.size = size;
        this.kind = kind;
        this.numpyCode = numpyCode;
    }

    /** Bytes per element. */
    public int size() { return size; }

    /**
     * Bytes of each number an element holds, the unit byte order applies to: half the size for
     * complex types (real and imaginary part), the size for all others.
     */
    public int componentSize() { return kind == Kind.COMPLEX ? size / 2 : size; }

    /**
     * Reverses the byte order of every number in {@code elements}, elements of this type: each
     * {@link #componentSize()}-byte number, so both parts of a complex element are swapped on
     * their own. Turns big-endian elements into little-endian ones and back.
     */
    public void swapByteOrder(byte[] elements) {
        int n = componentSize();
        for (int at = 0; at < elements.length; at += n) {
            for (int i = at, j = at + n - 1; i < j; i++, j--) {
                byte b = elements[i];
                elements[i] = elements[j];
                elements[j] = b;
            }
        }
    }

    /** Whether the type holds signed numbers: signed integers, and floats (also complex parts). */
    public boolean isSigned() { return kind == Kind.SIGNED || kind == Kind.FLOAT || kind == Kind.COMPLEX; }

    /** Whether elements are real IEEE floats (float16, float32, float64; complex types are not). */
    public boolean isFloatingPoint() { return kind == Kind.FLOAT; }

    /** Whether elements are complex numbers, pairs of IEEE floats of {@link #componentSize()} bytes. */
    public boolean isComplex() { return kind == Kind.COMPLEX; }

    /** Whether elements are booleans, one byte each. */
    public boolean isBool() { return kind == Kind.BOOL; }

    /** numpy's type string for the stored (little-endian) form, e.g. {@code "<i2"}, {@code "|u1"}, {@code "|b1"}. */
    public String numpyStr() {
        return (size == 1 ? "|" : "<") + numpyCode;
    }

    /** The numpy code without byte order, e.g. {@code "i2"}, {@code "c16"}. */
    public String numpyCode() { return numpyCode; }

    /** The numpy name, e.g. {@code "int16"}, {@code "bool"}, {@code "complex64"}. */
    public String numpyName() { return name().toLowerCase(Locale.ROOT); }

    /**
     * A value of this type written as text, as a fill value is given on a command line or in a
     * table's options: a number; for floats (and complex, its real part) also {@code nan},
     * {@code inf}, {@code -inf}; for bool also {@code true} and {@code false}.
     *
     * @throws NumberFormatException when the text is not such a value
     * @throws IllegalArgumentException when the value does not fit this type
     */
    public Number parseValue(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Number n;
        if (isFloatingPoint() || isComplex()) {
            n = switch (t) {
                case "nan" -> Double.NaN;
                case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
                case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(t);
            };
        } else {
            n = isBool() && (t.equals("true") || t.equals("false")) ? (Number) (t.equals("true") ? 1L : 0L) : Long.parseLong(t);
        }
        AttributeValue.encode(this, n); // the range check
        return n;
    }

    /** Looks up an integer or real float by size, signedness and class; null when there is none. */
    public static DataType of(int size, boolean signed, boolean floatingPoint) {
        for (DataType t : values()) {
            if (t.size == size && (floatingPoint ? t.kind == Kind.FLOAT
                    : t.kind == (signed ? Kind.SIGNED : Kind.UNSIGNED))) {
                return t;
            }
        }
        return null;
    }

    /**
     * Looks a type up by numpy kind character ({@code 'i'}, {@code 'u'}, {@code 'f'}, {@code 'b'},
     * {@code 'c'}) and item size in bytes, as a {@code .npy} header's dtype states them; null when
     * there is none.
     */
    public static DataType ofNumpy(char kind, int size) {
        for (DataType t : values()) {
            if (t.numpyCode.equals(kind + Integer.toString(size))) return t;
        }
        return null;
    }

    /**
     * Parses numpy notation ({@code "<f8"}, {@code ">i2"}, {@code "|u1"}, {@code "i4"},
     * {@code "|b1"}, {@code "<c8"}) or a name ({@code "int16"}, {@code "float16"}, {@code "bool"},
     * {@code "complex128"}).
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
            if (t.numpyCode.equals(s) || t.numpyName().equals(s)) {
                return new Parsed(t, order);
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + notation + "': expected one of i1 i2 i4 i8 u1 u2 u4 u8"
                + " f2 f4 f8 b1 c8 c16 with optional byte order < > |, or int8..uint64, float16, float32, float64,"
                + " bool, complex64, complex128");
    }

    /** A type with the byte order of some external data. */
    public record Parsed(DataType type, ByteOrder order) {}
}
