package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * Where the fields of an IEEE 754 float lie, as the floating-point properties of a datatype
 * message state them (specification IV.A.2.d, class 1): the sign bit, the exponent's and the
 * mantissa's bit location and size, and the exponent bias. Only the three layouts numpy has
 * dtypes for are plain numbers; any other float is read as an opaque type.
 */
record IeeeLayout(int signLocation, int exponentLocation, int exponentSize, int mantissaLocation, int mantissaSize,
        long bias) {
    private static final IeeeLayout BINARY16 = new IeeeLayout(15, 10, 5, 0, 10, 15);
    private static final IeeeLayout BINARY32 = new IeeeLayout(31, 23, 8, 0, 23, 127);
    private static final IeeeLayout BINARY64 = new IeeeLayout(63, 52, 11, 0, 52, 1023);

    /** The IEEE layout of a {@code size}-byte float, or null when IEEE has none numpy uses. */
    static IeeeLayout of(int size) {
        return switch (size) {
            case 2 -> BINARY16;
            case 4 -> BINARY32;
            case 8 -> BINARY64;
            default -> null;
        };
    }

    /** Reads the 8 bytes after bit offset and precision; the sign location is in the class bit field. */
    static IeeeLayout read(ByteBuffer b, int signLocation) {
        return new IeeeLayout(signLocation, Bytes.u8(b), Bytes.u8(b), Bytes.u8(b), Bytes.u8(b), Bytes.u32(b));
    }

    /** Writes the 8 bytes after bit offset and precision. */
    void put(ByteBuffer b) {
        b.put((byte) exponentLocation).put((byte) exponentSize).put((byte) mantissaLocation).put((byte) mantissaSize);
        b.putInt((int) bias);
    }
}
