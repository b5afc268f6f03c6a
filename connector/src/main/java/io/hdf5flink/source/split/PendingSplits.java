package io.hdf5flink.source.split;

import java.util.List;
import org.apache.flink.annotation.Internal;

/**
 * The enumerator's checkpoint: the splits not yet handed to any reader, in the order they will be
 * handed out. Splits already assigned are in their readers' checkpoints instead. Written with
 * {@link PendingSplitsSerializer}.
 */
@Internal
public record PendingSplits(List<ArraySplit> splits) {
    public PendingSplits {
        splits = List.copyOf(splits);
    }
}
