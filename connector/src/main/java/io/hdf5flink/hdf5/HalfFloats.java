package io.hdf5flink.hdf5;

/**
 * Rounds numbers to IEEE 754 binary16 (numpy's float16), for fill values and attributes given as
 * Java numbers: Java 17 has no half-float type. Rounding is to nearest, ties to even, in one step
 * from the double (as numpy's {@code np.float16(x)}); NaN becomes the quiet NaN numpy writes
 * ({@code 0x7e00}, with the sign kept), and values from 65520 on round to infinity.
 */
final class HalfFloats {
    /** The smallest normal binary16, 2^-14; below it values are multiples of 2^-24. */
    private static final double MIN_NORMAL = 0x1p-14;
    /** Halfway between the largest binary16, 65504, and 65536: from here on values round to infinity. */
    private static final double OVERFLOW = 65520.0;

    private HalfFloats() {}

    /** The binary16 bit pattern nearest to {@code value}. */
    static short fromDouble(double value) {
        int sign = (int) (Double.doubleToRawLongBits(value) >>> 48) & 0x8000;
        if (Double.isNaN(value)) return (short) (sign | 0x7E00);
        double magnitude = Math.abs(value);
        if (magnitude >= OVERFLOW) return (short) (sign | 0x7C00);
        if (magnitude < MIN_NORMAL) {
            // Subnormal: a count of 2^-24 steps; a count that rounds up to 1024 is the smallest normal, 0x0400.
            return (short) (sign | (int) Math.rint(magnitude * 0x1p24));
        }
        int exponent = Math.getExponent(magnitude);
        // The significand with 10 fraction bits, 1024 to 2048; 2048 carries into the exponent.
        int significand = (int) Math.rint(Math.scalb(magnitude, 10 - exponent));
        return (short) (sign | ((exponent + 15) << 10) + significand - 1024);
    }
}
