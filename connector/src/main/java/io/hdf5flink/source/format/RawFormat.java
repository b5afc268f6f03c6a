package io.hdf5flink.source.format;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * How to read a raw binary file, which says nothing about itself: its element type and byte
 * order, how many header bytes precede the elements, and its shape, whose first extent may be
 * {@value #DERIVED} to take as many rows as the file holds. Used on the client when a source is
 * built.
 */
@Internal
public record RawFormat(DataType type, ByteOrder order, long headerBytes, long[] shape) {
    /** The first extent that means: as many rows as the file holds. */
    public static final long DERIVED = -1;

    public RawFormat {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        shape = shape.clone();
        if (headerBytes < 0) throw new IllegalArgumentException("negative headerBytes " + headerBytes);
        if (shape.length < 1 || shape.length > DatasetSpec.MAX_RANK) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " must have 1 to "
                    + DatasetSpec.MAX_RANK + " axes");
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 && !(i == 0 && shape[i] == DERIVED)) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative extent; only the "
                        + "first may be " + DERIVED + " (as many rows as the file holds)");
            }
        }
    }

    /** A 1-D array of as many elements as the file holds after the header. */
    public static RawFormat vector(DataType type, ByteOrder order) {
        return new RawFormat(type, order, 0, new long[] {DERIVED});
    }

    public RawFormat withHeaderBytes(long bytes) {
        return new RawFormat(type, order, bytes, shape);
    }

    public RawFormat withShape(long... newShape) {
        return new RawFormat(type, order, headerBytes, newShape);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
