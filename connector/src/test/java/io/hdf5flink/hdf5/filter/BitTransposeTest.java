package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BitTransposeTest {

    /** The transpose by its definition, one bit at a time. */
    private static byte[] byDefinition(byte[] in, int n, int elementSize) {
        byte[] out = new byte[n * elementSize];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < elementSize; j++) {
                for (int k = 0; k < 8; k++) {
                    int bit = in[i * elementSize + j] >>> k & 1;
                    int index = (j * 8 + k) * n + i;
                    out[index >>> 3] |= (byte) (bit << (index & 7));
                }
            }
        }
        return out;
    }

    @Test
    void matchesTheDefinitionForEveryShape() {
        // Plane lengths that are and are not multiples of 64 bytes, element sizes the fast
        // paths and odd ones.
        for (int elementSize : new int[] {1, 2, 3, 4, 5, 8, 12, 16}) {
            for (int n : new int[] {8, 16, 56, 64, 72, 120, 512, 520, 1024, 1032}) {
                byte[] in = TestData.random(n * elementSize + 11, n * 31L + elementSize);
                byte[] expected = byDefinition(java.util.Arrays.copyOfRange(in, 5, 5 + n * elementSize), n, elementSize);
                byte[] out = new byte[n * elementSize + 9];
                byte[] planes = new byte[n * elementSize];
                BitTranspose.transpose(in, 5, out, 3, n, elementSize, planes);
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 3, 3 + n * elementSize),
                        n + " elements of " + elementSize);
                byte[] back = new byte[n * elementSize + 7];
                BitTranspose.untranspose(out, 3, back, 0, n, elementSize, planes);
                assertArrayEquals(java.util.Arrays.copyOfRange(in, 5, 5 + n * elementSize),
                        java.util.Arrays.copyOf(back, n * elementSize), "inverse, " + n + " elements of " + elementSize);
            }
        }
    }

    @Test
    void transposesEightByEightBitMatrices() {
        // Row m is byte m: the diagonal stays, bit k of byte m moves to bit m of byte k.
        assertEquals(0x8040201008040201L, BitTranspose.bits(0x8040201008040201L));
        assertEquals(0x00000000000000FFL, BitTranspose.bits(0x0101010101010101L));
        for (long x : new long[] {0x0123456789ABCDEFL, -1L, 0L, 0x00FF00FF00FF00FFL}) {
            assertEquals(x, BitTranspose.bits(BitTranspose.bits(x)));
        }
    }
}
