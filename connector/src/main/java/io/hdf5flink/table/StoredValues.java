package io.hdf5flink.table;

import io.hdf5flink.hdf5.DataType;
import java.nio.ByteBuffer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Elements as stored (little-endian) turned into the values of SQL columns: a scalar as a
 * {@code long} or {@code double} for {@link BandRow}'s typed getters to narrow, or an array.
 * {@link ColumnTypes#readable} has made sure every conversion is exact.
 */
@Internal
final class StoredValues {
    private StoredValues() {}

    /** {@code n} elements from byte {@code at}, as an array of SQL element type {@code target}. */
    static ArrayData array(ByteBuffer data, int at, int n, DataType stored, LogicalTypeRoot target) {
        int size = stored.size();
        switch (target) {
            case BOOLEAN -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = data.get(at + i) != 0;
                return new GenericArrayData(v);
            }
            case TINYINT -> {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) v[i] = (byte) integer(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            case SMALLINT -> {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) v[i] = (short) integer(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            case INTEGER -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = (int) integer(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            case BIGINT -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = integer(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            case FLOAT -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = (float) real(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            case DOUBLE -> {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = real(data, at + i * size, stored);
                return new GenericArrayData(v);
            }
            default -> throw new IllegalStateException("SQL type " + target);
        }
    }

    /** The integer element at byte {@code at}. */
    static long integer(ByteBuffer data, int at, DataType stored) {
        return switch (stored) {
            case INT8, BOOL -> data.get(at);
            case UINT8 -> data.get(at) & 0xFFL;
            case INT16 -> data.getShort(at);
            case UINT16 -> data.getShort(at) & 0xFFFFL;
            case INT32 -> data.getInt(at);
            case UINT32 -> data.getInt(at) & 0xFFFF_FFFFL;
            case INT64 -> data.getLong(at);
            default -> throw new IllegalStateException(stored + " read as an integer");
        };
    }

    /** The element at byte {@code at} as a double (exact for floats and integers of up to 32 bits). */
    static double real(ByteBuffer data, int at, DataType stored) {
        return switch (stored) {
            case FLOAT16 -> halfToFloat(data.getShort(at));
            case FLOAT32 -> data.getFloat(at);
            case FLOAT64 -> data.getDouble(at);
            default -> integer(data, at, stored);
        };
    }

    /** IEEE 754 binary16 to float, exactly (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
