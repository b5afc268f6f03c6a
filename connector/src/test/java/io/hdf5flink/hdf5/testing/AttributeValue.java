package io.hdf5flink.hdf5.testing;

import java.util.Arrays;
import java.util.Objects;

/**
 * One attribute as a reader sees it.
 *
 * @param dtype the numpy dtype string ("<i4", "<f8") or, for strings, {@link #variableStringType}
 *     or {@link #fixedStringType} ("string(variable,utf-8)", "string(fixed,5,ascii,nullpad)")
 * @param shape the dimensions ({@code []} for a scalar), or {@code null} for an empty attribute
 *     (HDF5's null dataspace)
 * @param value the value, normalized: integers as {@link Long} (a {@link java.math.BigInteger}
 *     only past the {@code long} range), floats as {@link Double} (NaN compares equal to NaN),
 *     strings as {@link String}, booleans as {@link Boolean}, arrays as nested {@link java.util.List}s; {@code null} when empty
 */
public record AttributeValue(String dtype, long[] shape, Object value) {

    /**
     * Normalizes {@code value}, so Java arrays and boxed numbers of any width are accepted (and
     * integers stand for floats when the dtype is a float type).
     */
    public AttributeValue {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape == null ? null : shape.clone();
        value = Values.normalize(value, dtype);
    }

    /** A value whose shape follows from it: a scalar, or a Java array / list of any rank. */
    public static AttributeValue of(String dtype, Object value) {
        return new AttributeValue(dtype, Values.shapeOf(Values.normalize(value)), value);
    }

    /** A scalar variable-length UTF-8 string: what h5py writes for a Python {@code str}. */
    public static AttributeValue string(String value) {
        return new AttributeValue(variableStringType("utf-8"), new long[0], value);
    }

    /** A scalar fixed-length string: what h5py writes for {@code numpy.bytes_} (ASCII, null-padded). */
    public static AttributeValue fixedString(String value, int size, String charset, String padding) {
        return new AttributeValue(fixedStringType(size, charset, padding), new long[0], value);
    }

    /** The dtype string of a variable-length string; charset "ascii" or "utf-8". */
    public static String variableStringType(String charset) {
        return "string(variable," + charset + ")";
    }

    /** The dtype string of a fixed-length string; padding "nullterm", "nullpad" or "spacepad". */
    public static String fixedStringType(int size, String charset, String padding) {
        return "string(fixed," + size + "," + charset + "," + padding + ")";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AttributeValue that
                && dtype.equals(that.dtype)
                && Arrays.equals(shape, that.shape)
                && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), value);
    }

    @Override
    public String toString() {
        return dtype + (shape == null ? " empty" : " " + Arrays.toString(shape)) + " = " + Values.format(value);
    }
}
