package io.hdf5flink.sink.partition;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.hdf5.ChunkGrid;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.SinkConfig;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * The first stage of the sink's routing: cuts every block written at an explicit offset into one
 * piece per chunk it touches, so that {@link ChunkRouting} can send every piece of one chunk to
 * the same writer, which then assembles the whole chunk and filters it exactly once. Appended
 * blocks pass through whole: they are routed by dataset.
 */
@Internal
public final class BlockSplitter implements FlatMapFunction<ArrayBlock, ArrayBlock> {
    private static final long serialVersionUID = 1L;
    private final SinkConfig config;

    public BlockSplitter(SinkConfig config) {
        this.config = config;
    }

    @Override
    public void flatMap(ArrayBlock block, Collector<ArrayBlock> out) {
        if (block.isAppend()) {
            out.collect(block);
            return;
        }
        block.validate();
        long[] chunks = chunksOf(config, block);
        long[] offset = block.offset();
        long[] shape = block.shape();
        if (chunks.length != shape.length) {
            throw new IllegalArgumentException(block + ": rank " + shape.length + ", the declared chunks have rank " + chunks.length);
        }
        int size = block.type().size();
        ByteBuffer src = ByteBuffer.wrap(block.data());
        ChunkGrid.forEachOverlap(offset, shape, chunks, (origin, lo, box) -> {
            if (Arrays.equals(lo, offset) && Arrays.equals(box, shape)) {
                out.collect(block); // the block lies inside one chunk: no copy
                return;
            }
            long count = 1;
            long[] srcOrigin = new long[lo.length];
            for (int d = 0; d < lo.length; d++) {
                srcOrigin[d] = lo[d] - offset[d];
                count *= box[d];
            }
            byte[] piece = new byte[(int) (count * size)];
            BoxCopy.copy(src, shape, srcOrigin, piece, box, new long[lo.length], box, size);
            out.collect(new ArrayBlock(block.file(), block.dataset(), block.type(), box, lo, piece));
        });
    }

    /** The declared chunk shape of an explicit-offset block's dataset. */
    static long[] chunksOf(SinkConfig config, ArrayBlock block) {
        String dataset = Hdf5Paths.normalize(block.dataset());
        String file = block.file() == null ? config.defaultFile() : block.file();
        DatasetSpec spec = config.declaration(file, dataset);
        if (spec == null && (block.file() == null || block.file().equals(config.defaultFile()))) {
            spec = config.declaration(null, dataset);
        }
        if (spec == null) {
            throw new IllegalArgumentException(file + ":" + dataset + " receives blocks at explicit offsets but is not declared:"
                    + " declare its shape and chunks (every writer must cut blocks on the same chunk grid)");
        }
        return spec.chunks();
    }
}
