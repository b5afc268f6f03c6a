package io.hdf5flink.hdf5.filter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Chunk contents for the filter tests: noise, signals like real recordings, and edge cases. */
final class TestData {

    private TestData() {
    }

    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Little-endian int16 samples of {@code channels} interleaved channels, each
     * {@code 1000 sin(0.01 t + phase)} plus Gaussian noise: what the connector mostly stores.
     */
    static byte[] sineInt16(int samples, int channels, long seed) {
        Random r = new Random(seed);
        double[] phase = new double[channels];
        for (int c = 0; c < channels; c++) {
            phase[c] = r.nextDouble() * 2 * Math.PI;
        }
        ByteBuffer b = ByteBuffer.allocate(samples * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < samples; t++) {
            for (int c = 0; c < channels; c++) {
                b.putShort((short) Math.round(1000 * Math.sin(t * 0.01 + phase[c]) + r.nextGaussian() * 20));
            }
        }
        return b.array();
    }

    /** Values of the given element size (1, 2, 4 or 8 bytes), integer or floating point. */
    static byte[] signal(String dtype, int elements, long seed) {
        Random r = new Random(seed);
        ByteBuffer b = ByteBuffer.allocate(elements * elementSize(dtype)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < elements; i++) {
            double v = Math.sin(i * 0.01) + r.nextGaussian() * 0.02;
            switch (dtype) {
                case "<i1" -> b.put((byte) Math.round(100 * v));
                case "<i2" -> b.putShort((short) Math.round(1000 * v));
                case "<i4" -> b.putInt((int) Math.round(1e8 * v));
                case "<i8" -> b.putLong(Math.round(1e15 * v));
                case "<f4" -> b.putFloat((float) v);
                case "<f8" -> b.putDouble(v);
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        return b.array();
    }

    static int elementSize(String dtype) {
        return Integer.parseInt(dtype.substring(2));
    }

    /** Bytes {@code 0, 1, 2, ...}: long repeats, compresses extremely well. */
    static byte[] ramp(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
