package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine's rounding to binary16 against the harness's ({@link io.hdf5flink.hdf5.testing.HalfFloats},
 * a search over every finite value): every value exactly, every midpoint (ties to even) and its
 * neighbours, the ranges' edges and a million random doubles. {@code DataTypesInteropTest} holds
 * both to numpy's {@code np.float16}.
 */
class HalfFloatsTest {

    @Test
    void everyValueMidpointAndNeighbourOfAMidpoint() {
        for (int bits = 0; bits < 0x7C00; bits++) {
            double value = io.hdf5flink.hdf5.testing.HalfFloats.toDouble((short) bits);
            same(value);
            same(-value);
            double next = io.hdf5flink.hdf5.testing.HalfFloats.toDouble((short) (bits + 1));
            if (bits + 1 < 0x7C00) {
                double midpoint = (value + next) / 2;
                same(midpoint);
                same(Math.nextUp(midpoint));
                same(Math.nextDown(midpoint));
                same(-midpoint);
            }
        }
    }

    @Test
    void edgesAndSpecialValues() {
        for (double v : new double[] {0.0, -0.0, 65504, 65519.99, 65520, 65536, 1e300, Double.MAX_VALUE, Double.MIN_VALUE,
                0x1p-24, 0x1p-25, Math.nextUp(0x1p-25), 0x1.8p-24, 0x1p-14, Math.nextDown(0x1p-14), 0x1.ff8p-15, 0x1.ffcp-15,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.1, 0.1, 3.3e-7}) {
            same(v);
            same(-v);
        }
        assertEquals((short) 0x7E00, HalfFloats.fromDouble(Double.NaN), "numpy's NaN");
        assertEquals((short) 0xFE00, HalfFloats.fromDouble(Double.longBitsToDouble(0xFFF8000000000000L)),
                "a negative NaN keeps its sign");
        assertEquals((short) 0x7C00, HalfFloats.fromDouble(65520), "halfway to 65536 rounds to even: infinity");
        assertEquals((short) 0x7BFF, HalfFloats.fromDouble(65519.99), "the largest finite value, 65504");
        assertEquals((short) 0x0400, HalfFloats.fromDouble(0x1.ffcp-15), "halfway from the largest subnormal: the smallest normal");
    }

    @Test
    void randomDoublesOfEveryMagnitude() {
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 1_000_000; i++) {
            same(Math.scalb(random.nextDouble(-1, 1), random.nextInt(-30, 20)));
        }
    }

    private static void same(double value) {
        short expected = io.hdf5flink.hdf5.testing.HalfFloats.fromDouble(value);
        assertEquals(expected, HalfFloats.fromDouble(value), () -> "binary16 of " + value + " (" + Double.toHexString(value) + ")");
    }
}
