package io.hdf5flink.source.probe;

import io.hdf5flink.source.input.ArrayInput;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;

/**
 * One input array whose header and length were checked on the client: where it is and its
 * shape. Builders place probed arrays in the output and plan splits from them.
 */
@Internal
public record ProbedArray(ArrayInput input, long[] shape) {

    public ProbedArray {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long rows() {
        return shape[0];
    }

    /** The shape without its first axis: the shape of one row. */
    public long[] rowShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    @Override
    public String toString() {
        return input + " " + input.type() + " " + Arrays.toString(shape);
    }
}
