package io.hdf5flink.sink.partition;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.SinkConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The second stage of the sink's routing: the key of a piece is its chunk (file, dataset and chunk
 * index), the key of an appended block is its dataset, so that all pieces of one chunk, and all
 * appends to one dataset in order, reach the same writer subtask. Writers use the same keys to
 * check, after a restore, that the open chunks they were given are theirs.
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
        String file = fileKey(block.file() == null ? config.defaultFile() : block.file());
        String dataset = BlockSplitter.datasetPath(block);
        if (block.isAppend()) return appendKey(file, dataset);
        long[] chunks = config.declaration(file, dataset).spec().chunks();
        long[] index = block.offset();
        for (int d = 0; d < index.length; d++) index[d] /= chunks[d];
        return chunkKey(file, dataset, index);
    }

    /** A file name as routing and writers both spell it: relative and normalized. */
    public static String fileKey(String file) {
        return Path.of(file).normalize().toString();
    }

    /** The key of every appended block of a dataset. */
    public static int appendKey(String file, String dataset) {
        return Objects.hash(file, dataset);
    }

    /** The key of every piece of one chunk (by chunk index, the origin divided by the chunk shape). */
    public static int chunkKey(String file, String dataset, long[] chunkIndex) {
        return 31 * Objects.hash(file, dataset) + Arrays.hashCode(chunkIndex);
    }

    /** Sends a key to a writer subtask. */
    public static final class ToSubtask implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer key, int numPartitions) {
            return subtask(key, numPartitions);
        }

        public static int subtask(int key, int numPartitions) {
            return Math.floorMod(key * 0x9E3779B9, numPartitions);
        }
    }
}
