package io.hdf5flink.source.reader;

import io.hdf5flink.source.split.ArraySplit;
import org.apache.flink.annotation.Internal;

/**
 * The mutable progress of a split in the reader: the next row not yet emitted. Turned back into
 * an {@link ArraySplit} when the reader is checkpointed.
 */
@Internal
final class ArraySplitState {
    private final ArraySplit split;
    private long nextRow;

    ArraySplitState(ArraySplit split) {
        this.split = split;
        this.nextRow = split.nextRow();
    }

    void setNextRow(long nextRow) {
        this.nextRow = nextRow;
    }

    ArraySplit toSplit() {
        return split.withNextRow(nextRow);
    }
}
