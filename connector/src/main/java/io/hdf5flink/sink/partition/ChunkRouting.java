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
 * appends to one dataset in order, reach the same writer subtask.
 *
 * <p>Keys go to one of {@link #BUCKETS} buckets, and each writer subtask owns a contiguous range
 * of buckets, cut exactly as Flink cuts a list of operator state into contiguous parts when it
 * restores at another parallelism (the first {@code BUCKETS % parallelism} ranges one longer).
 * A writer snapshots one state element per bucket it owns, in bucket order, each holding the open
 * chunks and append cursors of that bucket's keys; so after a rescale every writer is handed
 * exactly the state of the buckets the routing now sends it. Writers use the same functions to
 * check, after a restore, that the open chunks they were given are theirs.
 */
@Internal
public final class ChunkRouting implements KeySelector<ArrayBlock, Integer> {
    private static final long serialVersionUID = 1L;
    /**
     * The number of buckets, and so the highest parallelism of the sink's writers: Flink's own
     * default maximum parallelism. Fixed: a snapshot holds one state element per bucket.
     */
    public static final int BUCKETS = 128;
    private final SinkConfig config;

    public ChunkRouting(SinkConfig config) {
        this.config = config;
    }

    @Override
    public Integer getKey(ArrayBlock block) {
        String file = fileKey(block.file() == null ? config.defaultFile() : block.file());
        String dataset = BlockSplitter.datasetPath(block);
        if (block.isAppend()) return appendKey(file, dataset);
        return chunkKey(file, dataset, gridIndex(block.offset(), config.declaration(file, dataset).spec().chunks()));
    }

    /**
     * A chunk's index in the chunk grid: its origin divided by the chunk shape. The routing keys
     * chunks by it, and a writer checks and buckets its open chunks by the same.
     */
    public static long[] gridIndex(long[] origin, long[] chunks) {
        long[] index = origin.clone();
        for (int d = 0; d < index.length; d++) index[d] /= chunks[d];
        return index;
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

    /** Refuses a writer parallelism above {@link #BUCKETS}. */
    public static void checkParallelism(int parallelism) {
        if (parallelism > BUCKETS) {
            throw new IllegalArgumentException("the Hdf5Sink runs at most " + BUCKETS + " writer subtasks, not " + parallelism
                    + ": set the sink's parallelism to " + BUCKETS + " or less");
        }
    }

    /** The bucket of a key. */
    public static int bucket(int key) {
        return Math.floorMod(key * 0x9E3779B9, BUCKETS);
    }

    /** The first bucket owned by {@code subtask} of {@code parallelism} (≤ {@link #BUCKETS}). */
    public static int firstBucket(int subtask, int parallelism) {
        int base = BUCKETS / parallelism;
        return subtask * base + Math.min(subtask, BUCKETS % parallelism);
    }

    /** The writer subtask of {@code parallelism} (≤ {@link #BUCKETS}) that owns a bucket. */
    public static int owner(int bucket, int parallelism) {
        int base = BUCKETS / parallelism;
        int longer = BUCKETS % parallelism * (base + 1);
        return bucket < longer ? bucket / (base + 1) : BUCKETS % parallelism + (bucket - longer) / base;
    }

    /** Sends a key to the writer subtask that owns its bucket. */
    public static final class ToSubtask implements Partitioner<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(Integer key, int numPartitions) {
            return subtask(key, numPartitions);
        }

        public static int subtask(int key, int numPartitions) {
            checkParallelism(numPartitions);
            return owner(bucket(key), numPartitions);
        }
    }
}
