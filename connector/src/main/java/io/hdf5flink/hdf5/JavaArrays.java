package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns Java primitive arrays into little-endian element buffers, checking that the array's
 * element kind matches the dataset's type (a {@code short[]} holds int16 or uint16 values, a
 * {@code double[]} float64, ...).
 */
final class JavaArrays {
    private JavaArrays() {}

    static ByteBuffer toBuffer(Object array, DataType type, ErrorContext where) {
        int size;
        boolean floating;
        int length;
        if (array instanceof byte[] a) { size = 1; floating = false; length = a.length; }
        else if (array instanceof short[] a) { size = 2; floating = false; length = a.length; }
        else if (array instanceof int[] a) { size = 4; floating = false; length = a.length; }
        else if (array instanceof long[] a) { size = 8; floating = false; length = a.length; }
        else if (array instanceof float[] a) { size = 4; floating = true; length = a.length; }
        else if (array instanceof double[] a) { size = 8; floating = true; length = a.length; }
        else {
            throw where.error("expected a primitive array (byte[], short[], int[], long[], float[], double[]), got "
                    + (array == null ? "null" : array.getClass().getSimpleName()));
        }
        if (size != type.size() || floating != type.isFloatingPoint()) {
            throw where.error("the dataset holds " + type + " (" + type.numpyStr() + "), got a "
                    + array.getClass().getSimpleName() + ": dtype mismatch");
        }
        ByteBuffer b = ByteBuffer.allocate(length * size).order(ByteOrder.LITTLE_ENDIAN);
        if (array instanceof byte[] a) b.put(a);
        else if (array instanceof short[] a) b.asShortBuffer().put(a);
        else if (array instanceof int[] a) b.asIntBuffer().put(a);
        else if (array instanceof long[] a) b.asLongBuffer().put(a);
        else if (array instanceof float[] a) b.asFloatBuffer().put(a);
        else b.asDoubleBuffer().put((double[]) array);
        b.rewind();
        return b;
    }
}
