package io.hdf5flink.source;

import io.hdf5flink.source.input.ArrayInput;
import org.apache.flink.annotation.Internal;

/**
 * Where a builder puts one input array in the output: its row 0 at {@code offset}, each of its
 * rows as an output piece of shape {@code rowShape}. Made on the client when a source is built;
 * the splits planned from placements carry the same information into the job and checkpoints.
 */
@Internal
record Placement(ArrayInput input, long rows, long[] offset, long[] rowShape) {}
