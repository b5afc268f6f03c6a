package io.hdf5flink.sink.partition;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.SinkConfig;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The second stage of the sink's routing: the key of a piece is its chunk (file, dataset and chunk
 * index), the key of an appended block is its dataset, so that all pieces of one chunk, and all
 * appends to one dataset in order, reach the same writer subtask.
 */
@Internal
public final class ChunkRouting implements KeySelector<ArrayBlock, Integer> {
    private static final long serialVersionUID = 1L;
    private final SinkConfig config;

    public ChunkRouting(SinkConfig config) {
        this.config = config;
    }

    @Override
    public Integer getKey(ArrayBlock block) {
        String file = block.file() == null ? config.defaultFile() : block.file();
        int h = Objects.hash(file, block.dataset());
        if (block.isAppend()) return h;
        long[] chunks = BlockSplitter.chunksOf(config, block);
        long[] index = block.offset();
        for (int d = 0; d < index.length; d++) index[d] /= chunks[d];
        return 31 * h + Arrays.hashCode(index);
    }

    /** Sends a key to a writer subtask. */
    public static final class ToSubtask implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer key, int numPartitions) {
            return Math.floorMod(key * 0x9E3779B9, numPartitions);
        }
    }
}
