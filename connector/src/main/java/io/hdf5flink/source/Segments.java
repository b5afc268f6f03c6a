package io.hdf5flink.source;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.probe.ProbedArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Input arrays placed one after the other along axis 0, in order: the segments layout of
 * {@link MultiFileArraySource} and the datasets of an {@link Hdf5Source}. All must share a dtype
 * and a row shape.
 */
record Segments(DataType type, long[] shape, List<Placement> placements) {

    /** @throws IllegalArgumentException naming the input whose dtype or row shape differs from the first's */
    static Segments of(List<ProbedArray> arrays) {
        ProbedArray first = arrays.get(0);
        List<Placement> placements = new ArrayList<>();
        long rows = 0;
        for (ProbedArray a : arrays) {
            requireType(a, first, "segment");
            if (!Arrays.equals(a.rowShape(), first.rowShape())) {
                throw new IllegalArgumentException(a.input() + ": rows of shape " + Arrays.toString(a.rowShape())
                        + ", but the first segment (" + first.input() + ") has rows of shape "
                        + Arrays.toString(first.rowShape()) + "; segments must have equal row shapes");
            }
            long[] offset = new long[a.shape().length];
            offset[0] = rows;
            placements.add(new Placement(a.input(), a.rows(), offset, a.rowShape()));
            rows = Math.addExact(rows, a.rows());
        }
        long[] shape = first.shape();
        shape[0] = rows;
        return new Segments(first.input().type(), shape, List.copyOf(placements));
    }

    static void requireType(ProbedArray a, ProbedArray first, String role) {
        if (a.input().type() != first.input().type()) {
            throw new IllegalArgumentException(a.input() + ": dtype " + a.input().type() + ", but the first " + role
                    + " (" + first.input() + ") is " + first.input().type() + "; all inputs must share a dtype");
        }
    }
}
