package io.hdf5flink.hdf5.testing;

import java.util.Arrays;

/**
 * IEEE 754 binary16 (numpy's float16) for the harness, which Java 17 lacks: decoding by the
 * definition of the format, and rounding by search over every finite value, so that the
 * expectations do not share the engine's rounding code.
 */
public final class HalfFloats {
    /** The non-negative finite values (bit patterns 0 to 0x7bff), ascending. */
    private static final double[] POSITIVE = new double[0x7C00];

    static {
        for (int bits = 0; bits < POSITIVE.length; bits++) POSITIVE[bits] = toDouble((short) bits);
    }

    private HalfFloats() {}

    /** The value of a binary16 bit pattern. */
    public static double toDouble(short bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        double magnitude;
        if (exponent == 0x1F) {
            magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = fraction * 0x1p-24;
        } else {
            magnitude = (1024 + fraction) * Math.pow(2, exponent - 25);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    /**
     * The binary16 nearest to {@code value}, ties to the even pattern, as numpy's
     * {@code np.float16(value)}: NaN is {@code 0x7e00} (sign kept), beyond the largest finite value
     * (65504) past the halfway point to 65536 it is infinity.
     */
    public static short fromDouble(double value) {
        int sign = Double.doubleToRawLongBits(value) < 0 ? 0x8000 : 0;
        if (Double.isNaN(value)) return (short) (sign | 0x7E00);
        double magnitude = Math.abs(value);
        if (magnitude >= 65520) return (short) (sign | 0x7C00);
        int above = Arrays.binarySearch(POSITIVE, magnitude);
        if (above >= 0) return (short) (sign | above);
        above = -above - 1; // the first value greater than the magnitude
        int below = above - 1;
        if (above == POSITIVE.length) return (short) (sign | below);
        double toBelow = magnitude - POSITIVE[below];
        double toAbove = POSITIVE[above] - magnitude;
        int nearest = toBelow < toAbove ? below : toAbove < toBelow ? above : (below % 2 == 0 ? below : above);
        return (short) (sign | nearest);
    }
}
