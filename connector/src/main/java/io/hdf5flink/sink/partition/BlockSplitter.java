package io.hdf5flink.sink.partition;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.hdf5.ChunkGrid;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.DatasetDeclaration;
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
        block.validate();
        DatasetDeclaration declaration = config.check(block, datasetPath(block));
        if (block.isAppend()) {
            out.collect(block);
            return;
        }
        long[] chunks = declaration.spec().chunks();
        long[] offset = block.offset();
        long[] shape = block.shape();
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

    /** A block's dataset path, normalized, with an error naming the block when it is not valid. */
    public static String datasetPath(ArrayBlock block) {
        try {
            return Hdf5Paths.normalize(block.dataset());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dataset path '" + block.dataset() + "'"
                    + (block.file() == null ? "" : " in " + block.file()) + ": " + e.getMessage(), e);
        }
    }
}
