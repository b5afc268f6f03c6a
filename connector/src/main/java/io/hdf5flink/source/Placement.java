package io.hdf5flink.source;

import io.hdf5flink.source.input.ArrayInput;

/**
 * Where a builder puts one input array in the output: its row 0 at {@code offset}, each of its
 * rows as an output piece of shape {@code rowShape}. Splits are planned from placements.
 */
record Placement(ArrayInput input, long rows, long[] offset, long[] rowShape) {}
