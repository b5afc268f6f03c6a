package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The datatype message, type 0x0003 (specification IV.A.2.d), version 1, for the classes this
 * engine writes: fixed-point (class 0) and IEEE floating-point (class 1) numbers, always
 * little-endian, and fixed-length strings (class 3, NUL-padded, UTF-8) for attributes.
 * Decoding recognizes the same classes in either byte order and refuses the rest by name.
 *
 * <p>Numbers are described by size, signedness and class, not by the engine's element type, so
 * that this package depends on nothing above it: a "plain number" is what numpy and the engine
 * call a numeric dtype (1-, 2-, 4- or 8-byte integers, IEEE binary32 or binary64, no padding).
 */
public final class DatatypeMessage implements HeaderMessage {
    public static final int TYPE = 0x0003;
    private static final int CLASS_FIXED = 0;
    private static final int CLASS_FLOAT = 1;
    private static final int CLASS_STRING = 3;

    private final int typeClass;
    private final int size;
    private final boolean signed;
    /** Whether this is a plain number: a fixed-point or IEEE type numpy has a dtype for. */
    private final boolean plainNumber;
    private final boolean bigEndian;

    private DatatypeMessage(int typeClass, int size, boolean signed, boolean plainNumber, boolean bigEndian) {
        this.typeClass = typeClass;
        this.size = size;
        this.signed = signed;
        this.plainNumber = plainNumber;
        this.bigEndian = bigEndian;
    }

    /** A little-endian integer of 1, 2, 4 or 8 bytes. */
    public static DatatypeMessage fixedPoint(int size, boolean signed) {
        if (!plainSize(CLASS_FIXED, size)) throw new IllegalArgumentException("no " + size + "-byte integer type");
        return new DatatypeMessage(CLASS_FIXED, size, signed, true, false);
    }

    /** A little-endian IEEE binary32 ({@code size} 4) or binary64 ({@code size} 8). */
    public static DatatypeMessage floatingPoint(int size) {
        if (!plainSize(CLASS_FLOAT, size)) throw new IllegalArgumentException("no " + size + "-byte IEEE type");
        return new DatatypeMessage(CLASS_FLOAT, size, true, true, false);
    }

    /** A fixed-length, NUL-padded UTF-8 string of {@code size} bytes. */
    public static DatatypeMessage fixedString(int size) {
        return new DatatypeMessage(CLASS_STRING, size, false, false, false);
    }

    private static boolean plainSize(int typeClass, int size) {
        return typeClass == CLASS_FLOAT ? size == 4 || size == 8 : size == 1 || size == 2 || size == 4 || size == 8;
    }

    @Override
    public int type() { return TYPE; }

    public int size() { return size; }

    public boolean isBigEndian() { return bigEndian; }

    public boolean isFloatingPoint() { return typeClass == CLASS_FLOAT; }

    /** For fixed-point numbers: two's complement rather than unsigned. */
    public boolean isSigned() { return signed; }

    /**
     * Refuses anything but a plain number, with an exception naming what the stored type is.
     *
     * @param where the dataset or attribute the type belongs to, for the message
     */
    public void requirePlainNumber(String where) {
        if (!plainNumber) {
            throw new UnsupportedFormatException(where + ": datatype class " + className() + " of " + size
                    + " bytes is not a supported numeric type");
        }
    }

    private String className() {
        return switch (typeClass) {
            case 0 -> "fixed-point";
            case 1 -> "floating-point";
            case 2 -> "time";
            case 3 -> "string";
            case 4 -> "bitfield";
            case 5 -> "opaque";
            case 6 -> "compound";
            case 7 -> "reference";
            case 8 -> "enumerated";
            case 9 -> "variable-length";
            case 10 -> "array";
            default -> "#" + typeClass;
        };
    }

    /**
     * Whether {@link #encodeBody()} can write this type: a string, or a plain number. A decoded
     * type of another class or layout can only be read.
     */
    public boolean writable() {
        return typeClass == CLASS_STRING || plainNumber;
    }

    @Override
    public byte[] encodeBody() {
        ByteBuffer b;
        switch (typeClass) {
            case CLASS_FIXED -> {
                b = Bytes.allocate(12);
                b.put((byte) (0x10 | CLASS_FIXED));
                b.put((byte) (signed ? 0x08 : 0x00));
                b.put((byte) 0).put((byte) 0);
                b.putInt(size);
                b.putShort((short) 0); // bit offset
                b.putShort((short) (8 * size)); // bit precision
            }
            case CLASS_FLOAT -> {
                b = Bytes.allocate(20);
                boolean single = size == 4;
                b.put((byte) (0x10 | CLASS_FLOAT));
                b.put((byte) 0x20); // little-endian, mantissa normalization: msb implied
                b.put((byte) (single ? 31 : 63)); // sign bit location
                b.put((byte) 0);
                b.putInt(size);
                b.putShort((short) 0); // bit offset
                b.putShort((short) (8 * size)); // bit precision
                b.put((byte) (single ? 23 : 52)); // exponent location
                b.put((byte) (single ? 8 : 11)); // exponent size
                b.put((byte) 0); // mantissa location
                b.put((byte) (single ? 23 : 52)); // mantissa size
                b.putInt(single ? 127 : 1023); // exponent bias
            }
            case CLASS_STRING -> {
                b = Bytes.allocate(8);
                b.put((byte) (0x10 | CLASS_STRING));
                b.put((byte) (0x01 | 0x10)); // NUL pad, UTF-8
                b.put((byte) 0).put((byte) 0);
                b.putInt(size);
            }
            default -> throw new IllegalStateException();
        }
        return b.array();
    }

    /**
     * Whether the floating-point properties after the bit offset and precision describe IEEE 754
     * binary32 or binary64: sign bit on top, exponent and mantissa where IEEE puts them, the
     * standard bias and an implied leading mantissa bit.
     */
    private static boolean isIeee(ByteBuffer b, int bits0, int signLocation, int size) {
        if (b.remaining() < 8) return false;
        boolean single = size == 4;
        int exponentLocation = Bytes.u8(b);
        int exponentSize = Bytes.u8(b);
        int mantissaLocation = Bytes.u8(b);
        int mantissaSize = Bytes.u8(b);
        long bias = Bytes.u32(b);
        boolean impliedMsb = ((bits0 >> 4) & 3) == 2;
        return impliedMsb && signLocation == (single ? 31 : 63) && exponentLocation == (single ? 23 : 52)
                && exponentSize == (single ? 8 : 11) && mantissaLocation == 0 && mantissaSize == (single ? 23 : 52)
                && bias == (single ? 127 : 1023);
    }

    public static DatatypeMessage decode(ByteBuffer b) {
        Bytes.require(b, 8, "datatype message");
        int classAndVersion = Bytes.u8(b);
        int typeClass = classAndVersion & 0x0F;
        int bits0 = Bytes.u8(b);
        int bits1 = Bytes.u8(b);
        b.get();
        int size = b.getInt();
        boolean bigEndian = (bits0 & 1) != 0;
        if (typeClass == CLASS_FIXED || typeClass == CLASS_FLOAT) {
            if (typeClass == CLASS_FLOAT && (bits0 & 0x40) != 0) {
                throw new UnsupportedFormatException("VAX-ordered floating point is not supported");
            }
            Bytes.require(b, 4, "datatype properties");
            int bitOffset = Bytes.u16(b);
            int precision = Bytes.u16(b);
            boolean signed = typeClass == CLASS_FLOAT || (bits0 & 0x08) != 0;
            boolean plain = plainSize(typeClass, size);
            if (bitOffset != 0 || precision != 8 * size) {
                plain = false; // padded or partial-precision numbers are not plain numpy types
            }
            if (typeClass == CLASS_FLOAT && plain && !isIeee(b, bits0, bits1, size)) {
                plain = false; // a float of the right size with another layout (exponent, mantissa, bias)
            }
            return new DatatypeMessage(typeClass, size, signed, plain, bigEndian);
        }
        return new DatatypeMessage(typeClass, size, false, false, bigEndian);
    }
}
