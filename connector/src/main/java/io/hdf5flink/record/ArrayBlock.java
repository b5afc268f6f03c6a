package io.hdf5flink.record;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A block of a numeric array on its way into an HDF5 dataset: which file and dataset, the element
 * type, the block's shape, its elements (little-endian, C order) and where it goes, either at an
 * explicit offset (the start index on every axis, as HDMF's {@code DataChunk.selection}) or
 * appended along axis 0 after everything appended before it.
 *
 * <p>Blocks are immutable; the data array is owned by the block once built (not copied, for
 * speed: do not modify it afterwards). Flink serializes blocks with {@link ArrayBlockSerializer},
 * never Kryo.
 */
@PublicEvolving
@TypeInfo(ArrayBlockTypeInfoFactory.class)
public final class ArrayBlock {
    private final String file;
    private final String dataset;
    private final DataType type;
    private final long[] shape;
    private final long[] offset;
    private final byte[] data;

    /**
     * @param file the output file, relative to the sink's base directory; null for the sink's
     *     default file
     * @param dataset the dataset's absolute HDF5 path, e.g. {@code "/acquisition/data"}
     * @param offset the block's first element on every axis, or null to append along axis 0
     * @param data the elements, little-endian, C order; exactly {@code product(shape) * size} bytes
     */
    public ArrayBlock(String file, String dataset, DataType type, long[] shape, long[] offset, byte[] data) {
        this.file = file;
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.type = Objects.requireNonNull(type, "type");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
        this.offset = offset == null ? null : offset.clone();
        this.data = Objects.requireNonNull(data, "data");
    }

    /** A block appended along axis 0 of {@code dataset} in the sink's default file. */
    public static ArrayBlock append(String dataset, DataType type, long[] shape, byte[] data) {
        return new ArrayBlock(null, dataset, type, shape, null, data);
    }

    /** A block written at {@code offset} of {@code dataset} in the sink's default file. */
    public static ArrayBlock at(String dataset, DataType type, long[] offset, long[] shape, byte[] data) {
        return new ArrayBlock(null, dataset, type, shape, offset, data);
    }

    /** Rows appended to a 2-D dataset: {@code rows[r][c]}, all rows of equal length. */
    public static ArrayBlock appendRows(String dataset, short[][] rows) {
        int width = width(rows.length, rows.length == 0 ? 0 : rows[0].length);
        ByteBuffer b = ByteBuffer.allocate(rows.length * width * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short[] row : rows) {
            checkWidth(row.length, width);
            for (short v : row) b.putShort(v);
        }
        return append(dataset, DataType.INT16, new long[] {rows.length, width}, b.array());
    }

    /** Rows appended to a 2-D float64 dataset: {@code rows[r][c]}, all rows of equal length. */
    public static ArrayBlock appendRows(String dataset, double[][] rows) {
        int width = width(rows.length, rows.length == 0 ? 0 : rows[0].length);
        ByteBuffer b = ByteBuffer.allocate(rows.length * width * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double[] row : rows) {
            checkWidth(row.length, width);
            for (double v : row) b.putDouble(v);
        }
        return append(dataset, DataType.FLOAT64, new long[] {rows.length, width}, b.array());
    }

    /** One sample (a row of a 2-D dataset, or one element of a 1-D dataset when a single value). */
    public static ArrayBlock appendSample(String dataset, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        long[] shape = values.length == 1 ? new long[] {1} : new long[] {1, values.length};
        return append(dataset, DataType.FLOAT64, shape, b.array());
    }

    private static int width(int rows, int first) {
        if (rows == 0) throw new IllegalArgumentException("no rows");
        return first;
    }

    private static void checkWidth(int length, int width) {
        if (length != width) throw new IllegalArgumentException("rows of unequal length: " + length + " and " + width);
    }

    /** The same block in another file (relative to the sink's base directory). */
    public ArrayBlock inFile(String file) {
        return new ArrayBlock(file, dataset, type, shape, offset, data);
    }

    /** The output file relative to the sink's base directory, or null for the default file. */
    public String file() { return file; }

    public String dataset() { return dataset; }

    public DataType type() { return type; }

    public long[] shape() { return shape.clone(); }

    /** The block's first element on every axis, or null when the block is appended. */
    public long[] offset() { return offset == null ? null : offset.clone(); }

    public boolean isAppend() { return offset == null; }

    public int rank() { return shape.length; }

    /** The elements, little-endian, C order: the block's own array, not a copy. */
    public byte[] data() { return data; }

    /** Number of elements: the product of the shape. */
    public long elementCount() {
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    /**
     * Checks the block is self-consistent: a rank of 1 to 8, non-negative shape and offset, and
     * exactly as many data bytes as the shape needs.
     *
     * @throws IllegalArgumentException naming the dataset and offset at fault
     */
    public ArrayBlock validate() {
        String where = "block for " + (file == null ? "" : file + ":") + dataset
                + (offset == null ? " (append)" : " at offset " + Arrays.toString(offset));
        if (shape.length < 1 || shape.length > DatasetSpec.MAX_RANK) {
            throw new IllegalArgumentException(where + ": rank " + shape.length + " is not 1 to " + DatasetSpec.MAX_RANK);
        }
        if (offset != null && offset.length != shape.length) {
            throw new IllegalArgumentException(where + ": offset rank " + offset.length + " differs from shape rank " + shape.length);
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || (offset != null && offset[d] < 0)) {
                throw new IllegalArgumentException(where + ": negative shape or offset on axis " + d);
            }
        }
        long expected;
        try {
            expected = Math.multiplyExact(elementCount(), type.size());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (expected != data.length) {
            throw new IllegalArgumentException(where + ": shape " + Arrays.toString(shape) + " of " + type + " needs "
                    + expected + " bytes, the block has " + data.length);
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArrayBlock b && Objects.equals(file, b.file) && dataset.equals(b.dataset) && type == b.type
                && Arrays.equals(shape, b.shape) && Arrays.equals(offset, b.offset) && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(file, dataset, type, Arrays.hashCode(shape), Arrays.hashCode(offset), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "ArrayBlock{" + (file == null ? "" : file + ":") + dataset + " " + type + " shape " + Arrays.toString(shape)
                + (offset == null ? " append" : " at " + Arrays.toString(offset)) + "}";
    }
}
