package io.hdf5flink.hdf5.filter;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The round trip a native deflater must pass before {@link DeflateFilter} uses it: its output of
 * {@link #SAMPLE} (a compressible block, then an incompressible one) must inflate back exactly
 * through the JDK's {@link Inflater}, the same zlib that libhdf5's readers use. A native library
 * that loads but computes wrong (a bad build, a CPU feature misdetected) is then refused before
 * it writes a chunk.
 */
final class DeflateSelfTest {

    /** 200,000 bytes: a short pattern with noise, then noise. */
    static final byte[] SAMPLE = sample();

    private DeflateSelfTest() {
    }

    private static byte[] sample() {
        byte[] data = new byte[200_000];
        long x = 1;
        for (int i = 0; i < data.length; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            data[i] = (byte) (i < data.length / 2 ? (i % 97) + ((x >>> 62) & 1) : x >>> 56);
        }
        return data;
    }

    /**
     * Null when {@code stream[0, length)} inflates to {@link #SAMPLE} and ends there, else what is wrong.
     *
     * @param raw true for raw deflate data, false for a zlib stream (header and Adler-32 checked)
     */
    static String inflatesBack(byte[] stream, int length, boolean raw) {
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(stream, 0, length);
            byte[] back = new byte[SAMPLE.length + 1];
            int n = inflater.inflate(back);
            if (!inflater.finished() || n != SAMPLE.length || !Arrays.equals(SAMPLE, 0, n, back, 0, n)) {
                return "the self-test's output does not inflate back to its input";
            }
            return null;
        } catch (DataFormatException e) {
            return "the self-test's output is not " + (raw ? "deflate data" : "a zlib stream") + ": " + e.getMessage();
        } finally {
            inflater.end();
        }
    }
}
