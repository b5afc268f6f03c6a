package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The value of an attribute: a string (stored as a fixed-length UTF-8 string, which h5py reads
 * as {@code bytes}), or a scalar or 1-D array of any {@link DataType} (NWB-style {@code unit},
 * {@code rate}, {@code description}, {@code conversion}, ...), stored as a dataset of that type
 * is, so that h5py reads bool and complex attributes as such.
 */
public final class AttributeValue {
    private final DatatypeMessage datatype;
    private final DataspaceMessage dataspace;
    private final byte[] data;
    private final String description;

    private AttributeValue(DatatypeMessage datatype, DataspaceMessage dataspace, byte[] data, String description) {
        this.datatype = datatype;
        this.dataspace = dataspace;
        this.data = data;
        this.description = description;
    }

    /** A string attribute. */
    public static AttributeValue of(String value) {
        Objects.requireNonNull(value, "value");
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        byte[] stored = bytes.length == 0 ? new byte[1] : bytes;
        return new AttributeValue(DatatypeMessage.fixedString(stored.length), DataspaceMessage.scalar(), stored,
                '"' + value + '"');
    }

    /** A 64-bit float scalar. */
    public static AttributeValue of(double value) {
        return scalar(DataType.FLOAT64, value);
    }

    /** A 64-bit integer scalar. */
    public static AttributeValue of(long value) {
        return scalar(DataType.INT64, value);
    }

    /**
     * A scalar of the given type; the number is converted to it (integers are range-checked, bools
     * are 0 or 1, a complex number gets it as its real part).
     */
    public static AttributeValue scalar(DataType type, Number value) {
        return new AttributeValue(DataTypeMessages.of(type), DataspaceMessage.scalar(), encode(type, value),
                type + " " + value);
    }

    /** A 1-D array of the given type. */
    public static AttributeValue array(DataType type, Number... values) {
        ByteBuffer b = Bytes.allocate(values.length * type.size());
        for (Number v : values) b.put(encode(type, v));
        return new AttributeValue(DataTypeMessages.of(type),
                new DataspaceMessage(new long[] {values.length}, null), b.array(), type + "[" + values.length + "]");
    }

    /**
     * Elements of {@code type} as stored, little-endian: a scalar when {@code dims} is empty, else
     * an array of that shape (what an attribute copied from another file holds).
     */
    static AttributeValue elements(DataType type, long[] dims, byte[] littleEndian) {
        long count = 1;
        for (long d : dims) count = Math.multiplyExact(count, d);
        if (count * type.size() != littleEndian.length) {
            throw new IllegalArgumentException(littleEndian.length + " bytes are not " + count + " elements of " + type);
        }
        DataspaceMessage space = dims.length == 0 ? DataspaceMessage.scalar() : new DataspaceMessage(dims.clone(), null);
        return new AttributeValue(DataTypeMessages.of(type), space, littleEndian.clone(),
                type + (dims.length == 0 ? "" : java.util.Arrays.toString(dims)));
    }

    /** A 1-D float64 array. */
    public static AttributeValue of(double... values) {
        Number[] n = new Number[values.length];
        for (int i = 0; i < values.length; i++) n[i] = values[i];
        return array(DataType.FLOAT64, n);
    }

    /** A 1-D int64 array. */
    public static AttributeValue of(long... values) {
        Number[] n = new Number[values.length];
        for (int i = 0; i < values.length; i++) n[i] = values[i];
        return array(DataType.INT64, n);
    }

    /**
     * One element of {@code type}, little-endian, from a number: integers range-checked, bools 0 or
     * 1, floats rounded to the type, a complex number's real part (its imaginary part is 0).
     */
    static byte[] encode(DataType type, Number value) {
        ByteBuffer b = Bytes.allocate(type.size());
        if (type.isFloatingPoint() || type.isComplex()) {
            putFloat(b, type.componentSize(), value);
            if (type.isComplex()) putFloat(b, type.componentSize(), 0.0);
            return b.array();
        }
        if (value instanceof Double || value instanceof Float) {
            double d = value.doubleValue();
            if (d != Math.rint(d)) throw new IllegalArgumentException(value + " is not an integer, cannot be " + type);
        }
        long v = value.longValue();
        if (type.isBool()) {
            if (v != 0 && v != 1) throw new IllegalArgumentException(value + " is not a bool: 0 (false) or 1 (true)");
            return new byte[] {(byte) v};
        }
        int bits = 8 * type.size();
        boolean fits = type.isSigned()
                ? bits == 64 || (v >= -(1L << (bits - 1)) && v < (1L << (bits - 1)))
                : bits == 64 ? true : (v >= 0 && v < (1L << bits));
        if (!fits) throw new IllegalArgumentException(value + " does not fit in " + type);
        switch (type.size()) {
            case 1 -> b.put((byte) v);
            case 2 -> b.putShort((short) v);
            case 4 -> b.putInt((int) v);
            default -> b.putLong(v);
        }
        return b.array();
    }

    private static void putFloat(ByteBuffer b, int size, Number value) {
        switch (size) {
            case 2 -> b.putShort(HalfFloats.fromDouble(value.doubleValue()));
            case 4 -> b.putFloat(value.floatValue());
            default -> b.putDouble(value.doubleValue());
        }
    }

    /** An attribute value from its stored parts. */
    static AttributeValue of(DatatypeMessage datatype, DataspaceMessage dataspace, byte[] data) {
        return new AttributeValue(datatype, dataspace, data.clone(), "stored attribute");
    }

    /**
     * An attribute value from the stored form that {@link #storedDatatype()},
     * {@link #storedDataspace()} and {@link #storedData()} give, for clients that keep specs
     * outside HDF5 files (the connector's checkpoints).
     *
     * @throws IllegalArgumentException when the parts are not a value this engine writes
     */
    public static AttributeValue fromStoredForm(byte[] datatype, byte[] dataspace, byte[] data) {
        DatatypeMessage t;
        DataspaceMessage s;
        try {
            t = DatatypeMessage.decode(ByteBuffer.wrap(datatype).order(ByteOrder.LITTLE_ENDIAN));
            s = DataspaceMessage.decode(ByteBuffer.wrap(dataspace).order(ByteOrder.LITTLE_ENDIAN));
        } catch (Hdf5FormatException | BufferUnderflowException e) {
            throw new IllegalArgumentException("a stored form that does not decode: " + e.getMessage(), e);
        }
        // Only values this engine wrote are ever stored; another datatype would fail the next write.
        if (!t.writable()) throw new IllegalArgumentException("an unwritable datatype");
        return of(t, s, data);
    }

    /** The body of the value's HDF5 datatype message. */
    public byte[] storedDatatype() { return datatype.encodeBody(); }

    /** The body of the value's HDF5 dataspace message. */
    public byte[] storedDataspace() { return dataspace.encodeBody(); }

    /** The value's elements as stored. */
    public byte[] storedData() { return data.clone(); }

    DatatypeMessage datatype() { return datatype; }

    DataspaceMessage dataspace() { return dataspace; }

    byte[] data() { return data.clone(); }

    @Override
    public String toString() { return description; }
}
