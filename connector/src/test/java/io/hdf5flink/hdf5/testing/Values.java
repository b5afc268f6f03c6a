package io.hdf5flink.hdf5.testing;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Value handling shared by the description records: normalizes what each reader returns to one
 * form (integers as {@link Long}, or {@link BigInteger} past the {@code long} range; floats as
 * {@link Double}; bools as {@link Boolean}; a complex number as the list {@code [real,
 * imaginary]}; arrays as nested unmodifiable {@link List}s) and decodes or formats single
 * elements of raw little-endian data by their numpy dtype string.
 */
final class Values {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private Values() {}

    /** Normalizes a scalar, a Java array of any rank or a {@link List} of those. */
    static Object normalize(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof BigInteger big) {
            return big.compareTo(LONG_MIN) >= 0 && big.compareTo(LONG_MAX) <= 0 ? big.longValue() : big;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof CharSequence chars) {
            return chars.toString();
        }
        if (value instanceof List<?> list) {
            List<Object> result = new ArrayList<>(list.size());
            for (Object element : list) {
                result.add(normalize(element));
            }
            return Collections.unmodifiableList(result);
        }
        if (value.getClass().isArray()) {
            int length = Array.getLength(value);
            List<Object> result = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                result.add(normalize(Array.get(value, i)));
            }
            return Collections.unmodifiableList(result);
        }
        throw new IllegalArgumentException("Cannot normalize a " + value.getClass().getName() + ": " + value);
    }

    /**
     * Normalizes like {@link #normalize(Object)}, then turns every number into a {@link Double}
     * when {@code dtype} is a float or complex type, so {@code 0} and {@code 0.0} mean the same
     * float value, and every 0 or 1 into a {@link Boolean} when it is bool.
     */
    static Object normalize(Object value, String dtype) {
        Object normalized = normalize(value);
        if (isFloat(dtype) || isComplex(dtype)) return toDoubles(normalized);
        return isBool(dtype) ? toBooleans(normalized) : normalized;
    }

    private static Object toBooleans(Object normalized) {
        if (normalized instanceof List<?> list) {
            return list.stream().map(Values::toBooleans).toList();
        }
        return normalized instanceof Long number && (number == 0 || number == 1) ? (Object) (number == 1) : normalized;
    }

    private static Object toDoubles(Object normalized) {
        if (normalized instanceof List<?> list) {
            return list.stream().map(Values::toDoubles).toList();
        }
        if (normalized instanceof BigInteger big) {
            return big.doubleValue();
        }
        return normalized instanceof Long number ? (Object) number.doubleValue() : normalized;
    }

    /** The shape of a normalized value: {@code []} for a scalar, list lengths for nested lists. */
    static long[] shapeOf(Object normalized) {
        List<Long> dims = new ArrayList<>();
        Object level = normalized;
        while (level instanceof List<?> list) {
            dims.add((long) list.size());
            level = list.isEmpty() ? null : list.get(0);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Whether a numpy dtype string names a floating-point type ("<f4", ">f8", ...). */
    static boolean isFloat(String dtype) {
        return dtype != null && dtype.length() >= 3 && dtype.charAt(1) == 'f';
    }

    /** Whether a numpy dtype string names a complex type ("<c8", "<c16"), pairs of floats. */
    static boolean isComplex(String dtype) {
        return dtype != null && dtype.length() >= 3 && dtype.charAt(1) == 'c';
    }

    /** Whether a numpy dtype string names bool ("|b1"). */
    static boolean isBool(String dtype) {
        return dtype != null && dtype.length() >= 3 && dtype.charAt(1) == 'b';
    }

    /** Whether a numpy dtype string names a fixed-size number or bool ("<i2", "|u1", "<f8", "|b1", "<c8"). */
    static boolean isNumeric(String dtype) {
        return dtype != null && dtype.length() >= 3 && "iufbc".indexOf(dtype.charAt(1)) >= 0;
    }

    /** The element size in bytes of a numeric dtype string ("<i2" is 2). */
    static int elementSize(String dtype) {
        if (!isNumeric(dtype)) {
            throw new IllegalArgumentException("Not a numeric numpy dtype: " + dtype);
        }
        return Integer.parseInt(dtype.substring(2));
    }

    /**
     * Decodes element {@code index} of raw little-endian data of the given dtype as a
     * normalized value; a float16 element comes back as a double with its bit pattern in
     * hexadecimal (a string), so that NaN payloads show.
     */
    static Object element(byte[] data, long index, String dtype) {
        int size = elementSize(dtype);
        ByteBuffer buffer = ByteBuffer.wrap(data, Math.toIntExact(index * size), size).order(ByteOrder.LITTLE_ENDIAN);
        char kind = dtype.charAt(1);
        if (kind == 'c') {
            return size == 8 ? List.of((double) buffer.getFloat(), (double) buffer.getFloat())
                    : List.of(buffer.getDouble(), buffer.getDouble());
        }
        if (kind == 'b') {
            return buffer.get() != 0;
        }
        if (kind == 'f') {
            switch (size) {
                case 4: return (double) buffer.getFloat();
                case 8: return buffer.getDouble();
                default:
                    short bits = buffer.getShort();
                    return HalfFloats.toDouble(bits) + " (0x" + Integer.toHexString(Short.toUnsignedInt(bits)) + ")";
            }
        }
        long bits;
        switch (size) {
            case 1: bits = kind == 'i' ? buffer.get() : Byte.toUnsignedLong(buffer.get()); break;
            case 2: bits = kind == 'i' ? buffer.getShort() : Short.toUnsignedLong(buffer.getShort()); break;
            case 4: bits = kind == 'i' ? buffer.getInt() : Integer.toUnsignedLong(buffer.getInt()); break;
            default:
                bits = buffer.getLong();
                if (kind == 'u' && bits < 0) {
                    return new BigInteger(Long.toUnsignedString(bits));
                }
        }
        return bits;
    }

    /** Formats a normalized value for a message: strings quoted, doubles with NaN/infinity spelled out. */
    static String format(Object value) {
        if (value instanceof String s) {
            return '"' + s + '"';
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            int shown = Math.min(list.size(), 20);
            for (int i = 0; i < shown; i++) {
                out.append(i == 0 ? "" : ", ").append(format(list.get(i)));
            }
            if (shown < list.size()) {
                out.append(", ... (").append(list.size()).append(" elements)");
            }
            return out.append(']').toString();
        }
        return String.valueOf(value);
    }

    /** Formats a shape, with {@link DatasetDescription#UNLIMITED} spelled out. */
    static String formatShape(long[] shape) {
        if (shape == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            out.append(i == 0 ? "" : ", ");
            out.append(shape[i] == DatasetDescription.UNLIMITED ? "unlimited" : Long.toString(shape[i]));
        }
        return out.append(']').toString();
    }

    /** The C-order multi-dimensional index of flat element {@code flat} in {@code shape}. */
    static String indexOf(long flat, long[] shape) {
        if (shape == null || shape.length == 0) {
            return "[" + flat + "]";
        }
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            long extent = Math.max(shape[d], 1);
            index[d] = rest % extent;
            rest /= extent;
        }
        return Arrays.toString(index);
    }
}
