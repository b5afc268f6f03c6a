package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns Java primitive arrays into little-endian element buffers, checking that the array's
 * element kind holds the dataset's type: a {@code short[]} int16 or uint16 values, a
 * {@code double[]} float64, a {@code byte[]} or {@code boolean[]} bools (bytes 0 or 1), a
 * {@code short[]} the bit patterns of float16 values (Java 17 has no half float), and a
 * {@code float[]} or {@code double[]} complex64 or complex128 values as real and imaginary parts,
 * interleaved.
 */
final class JavaArrays {
    private JavaArrays() {}

    static ByteBuffer toBuffer(Object array, DataType type, ErrorContext where) {
        Class<?> component = array == null ? null : array.getClass().getComponentType();
        if (component == null || !component.isPrimitive() || component == char.class) {
            throw where.error("expected a primitive array (byte[], short[], int[], long[], float[], double[],"
                    + " boolean[]), got " + (array == null ? "null" : array.getClass().getSimpleName()));
        }
        if (component != holder(type) && !(type.isBool() && component == boolean.class)) {
            throw where.error("the dataset holds " + type + " (" + type.numpyStr() + "), got a "
                    + array.getClass().getSimpleName() + ": dtype mismatch (" + type + " values come in a "
                    + holder(type).getSimpleName() + "[])");
        }
        ByteBuffer b;
        if (array instanceof boolean[] a) {
            b = ByteBuffer.allocate(a.length);
            for (boolean v : a) b.put((byte) (v ? 1 : 0));
        } else if (array instanceof byte[] a) {
            b = ByteBuffer.allocate(a.length).put(a);
        } else if (array instanceof short[] a) {
            b = buffer(a.length, 2);
            b.asShortBuffer().put(a);
        } else if (array instanceof int[] a) {
            b = buffer(a.length, 4);
            b.asIntBuffer().put(a);
        } else if (array instanceof long[] a) {
            b = buffer(a.length, 8);
            b.asLongBuffer().put(a);
        } else if (array instanceof float[] a) {
            b = buffer(a.length, 4);
            b.asFloatBuffer().put(a);
        } else {
            double[] a = (double[]) array;
            b = buffer(a.length, 8);
            b.asDoubleBuffer().put(a);
        }
        b.rewind();
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer buffer(int length, int size) {
        return ByteBuffer.allocate(length * size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The element type of the Java array that holds values of {@code type}. */
    private static Class<?> holder(DataType type) {
        if (type == DataType.FLOAT16) return short.class;
        int size = type.componentSize();
        if (type.isFloatingPoint() || type.isComplex()) return size == 4 ? float.class : double.class;
        return switch (size) {
            case 1 -> byte.class;
            case 2 -> short.class;
            case 4 -> int.class;
            default -> long.class;
        };
    }
}
