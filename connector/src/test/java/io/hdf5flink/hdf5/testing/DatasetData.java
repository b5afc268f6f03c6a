package io.hdf5flink.hdf5.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A dataset's full contents as raw little-endian bytes in C order, loaded on first use; or a
 * note saying why a reader could not provide them. Two known values are equal when their bytes
 * are, so floats compare bitwise (a NaN fill value equals itself).
 */
public final class DatasetData {

    private static final long PATTERN_MULTIPLIER = 0x9E3779B97F4A7C15L;
    private static final long PATTERN_INCREMENT = 0x632BE59BD9B4E019L;

    private final String source;
    private final Supplier<byte[]> loader;
    private final String unknownReason;
    private byte[] bytes;

    private DatasetData(String source, Supplier<byte[]> loader, String unknownReason) {
        this.source = source;
        this.loader = loader;
        this.unknownReason = unknownReason;
    }

    /** Data given as bytes (little-endian, C order); the array is used, not copied. */
    public static DatasetData ofBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        DatasetData data = new DatasetData("given bytes", null, null);
        data.bytes = bytes;
        return data;
    }

    /** Data given as the remaining bytes of a buffer (little-endian, C order), copied. */
    public static DatasetData ofBuffer(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return ofBytes(copy);
    }

    /** Data read from a file of raw bytes when first needed. */
    public static DatasetData ofFile(Path file) {
        return lazy(file.toString(), () -> {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read dataset data from " + file, e);
            }
        });
    }

    /** Data produced by {@code loader} when first needed; {@code source} names it in messages. */
    public static DatasetData lazy(String source, Supplier<byte[]> loader) {
        return new DatasetData(source, Objects.requireNonNull(loader, "loader"), null);
    }

    /** Data a reader cannot provide, for the given reason; comparisons skip it. */
    public static DatasetData unknown(String reason) {
        return new DatasetData(null, null, Objects.requireNonNull(reason, "reason"));
    }

    /**
     * The harness's standard test pattern, also produced by {@code reference/h5pattern.py}:
     * element {@code k} (flat C-order index) of an integer dtype holds the low bytes of
     * {@code h = k * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019} (mod 2^64); of bool, the top bit
     * of {@code h}; of a float dtype, the double {@code k * 1.1 - 3.3} rounded to the dtype; of a
     * complex dtype, that real part and the imaginary part {@code 2.5 - k * 0.7}, each rounded to
     * the dtype's parts. Elements {@code start} to {@code start + count - 1}.
     */
    public static DatasetData pattern(String dtype, long start, long count) {
        int size = Values.elementSize(dtype);
        char kind = dtype.charAt(1);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * size)).order(ByteOrder.LITTLE_ENDIAN);
        for (long k = start; k < start + count; k++) {
            long bits = k * PATTERN_MULTIPLIER + PATTERN_INCREMENT;
            switch (kind) {
                case 'f' -> putFloat(out, size, k * 1.1 - 3.3);
                case 'c' -> {
                    putFloat(out, size / 2, k * 1.1 - 3.3);
                    putFloat(out, size / 2, 2.5 - k * 0.7);
                }
                case 'b' -> out.put((byte) (bits >>> 63));
                default -> {
                    for (int b = 0; b < size; b++) {
                        out.put((byte) (bits >>> (8 * b)));
                    }
                }
            }
        }
        return ofBytes(out.array());
    }

    private static void putFloat(ByteBuffer out, int size, double value) {
        switch (size) {
            case 2 -> out.putShort(HalfFloats.fromDouble(value));
            case 4 -> out.putFloat((float) value);
            case 8 -> out.putDouble(value);
            default -> throw new IllegalArgumentException("No pattern for " + size + "-byte floats");
        }
    }

    /** Whether the bytes are available. */
    public boolean isKnown() {
        return unknownReason == null;
    }

    /** Why the bytes are not available, or {@code null} when they are. */
    public String unknownReason() {
        return unknownReason;
    }

    /** The bytes, loaded on first call; the array is shared, so callers must not modify it. */
    public synchronized byte[] bytes() {
        if (!isKnown()) {
            throw new IllegalStateException("Dataset data unknown: " + unknownReason);
        }
        if (bytes == null) {
            bytes = loader.get();
        }
        return bytes;
    }

    /**
     * Describes how this data differs from {@code expected}, or returns {@code null} when both
     * are known and equal (or either is unknown): the byte counts when they differ, else the
     * first differing element with its index and both values, and how many elements differ.
     *
     * @param dtype the numpy dtype string used to decode elements
     * @param shape the dataset's shape, to turn the flat index into coordinates
     */
    public String differenceFrom(DatasetData expected, String dtype, long[] shape) {
        if (!isKnown() || !expected.isKnown()) {
            return null;
        }
        byte[] actualBytes = bytes();
        byte[] expectedBytes = expected.bytes();
        if (Arrays.equals(actualBytes, expectedBytes)) {
            return null;
        }
        if (actualBytes.length != expectedBytes.length) {
            return actualBytes.length + " bytes of data, expected " + expectedBytes.length;
        }
        int size = Values.isNumeric(dtype) ? Values.elementSize(dtype) : 1;
        String decodeAs = Values.isNumeric(dtype) ? dtype : "|u1";
        long elements = actualBytes.length / size;
        long first = -1;
        long differing = 0;
        for (long e = 0; e < elements; e++) {
            int at = Math.toIntExact(e * size);
            if (Arrays.mismatch(actualBytes, at, at + size, expectedBytes, at, at + size) >= 0) {
                differing++;
                if (first < 0) {
                    first = e;
                }
            }
        }
        return "data element " + first + " " + Values.indexOf(first, Values.isNumeric(dtype) ? shape : null)
                + " = " + Values.format(Values.element(actualBytes, first, decodeAs))
                + ", expected " + Values.format(Values.element(expectedBytes, first, decodeAs))
                + " (" + differing + " of " + elements + " elements differ)";
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof DatasetData that)) {
            return false;
        }
        if (!isKnown() || !that.isKnown()) {
            return Objects.equals(unknownReason, that.unknownReason);
        }
        return Arrays.equals(bytes(), that.bytes());
    }

    @Override
    public int hashCode() {
        return isKnown() ? Arrays.hashCode(bytes()) : unknownReason.hashCode();
    }

    @Override
    public String toString() {
        if (!isKnown()) {
            return "unknown (" + unknownReason + ")";
        }
        return bytes == null ? "data from " + source : bytes.length + " bytes from " + source;
    }
}
