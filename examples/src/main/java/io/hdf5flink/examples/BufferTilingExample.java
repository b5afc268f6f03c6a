package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.Hdf5Sink;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Tutorial "GenericDataChunkIterator": how an array is cut into buffers that tile the chunk
 * shape exactly, within a buffer budget ({@code buffer_gb}), and how writing buffer by buffer
 * then writes every chunk once. Prints the plan for the tutorial's two cases: a
 * {@code (20000, 5000)} int32 array with a 0.2 GB budget (chunks by this project's rule: whole
 * rows, about 10 MB), and explicit {@code buffer_shape=(10000, 2500)}, {@code chunk_shape=(1000, 250)}
 * (the tutorial's four selections); and a buffer shape that does not tile, refused. With an output
 * file it then writes the second case through Flink: one block per buffer at its selection.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.BufferTilingExample [OUT.h5 [ROWS COLS BUF_ROWS BUF_COLS CHUNK_ROWS CHUNK_COLS]]</pre>
 */
public final class BufferTilingExample {
    static final String DATASET = "/test";

    private BufferTilingExample() {}

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : null;
        long[] p = {20000, 5000, 10000, 2500, 1000, 250};
        for (int i = 0; i < p.length && i + 1 < args.length; i++) p[i] = Long.parseLong(args[i + 1]);
        run(out, new long[] {p[0], p[1]}, new long[] {p[2], p[3]}, new long[] {p[4], p[5]}, System.out);
    }

    /** The value at (r, c): small integers, like the tutorial's {@code randint(0, 10)}, but reproducible. */
    static short value(long r, long c) {
        return (short) ((r * 31 + c * 17) % 10);
    }

    public static BufferPlan run(Path out, long[] shape, long[] bufferShape, long[] chunkShape, PrintStream print) throws Exception {
        long[] tutorialShape = {20000, 5000};
        long[] ruleChunks = ChunkShapeRule.chunksFor(DataType.INT32, new long[] {tutorialShape[1]}, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        BufferPlan byBudget = BufferPlan.withBudget(tutorialShape, ruleChunks, 4, 200_000_000L);
        print.printf("maxshape %s int32, chunk_shape %s, buffer_gb 0.2 -> buffer_shape %s (%.3f GB)%n",
                ExampleSupport.tuple(tutorialShape), ExampleSupport.tuple(ruleChunks), ExampleSupport.tuple(byBudget.bufferShape()),
                byBudget.bufferBytes(4) / 1e9);
        printSelections(byBudget, print);

        BufferPlan explicit = new BufferPlan(shape, chunkShape, bufferShape);
        print.printf("maxshape %s, chunk_shape %s, buffer_shape %s:%n", ExampleSupport.tuple(shape),
                ExampleSupport.tuple(chunkShape), ExampleSupport.tuple(bufferShape));
        printSelections(explicit, print);

        try {
            new BufferPlan(shape, chunkShape, new long[] {bufferShape[0], bufferShape[1] - chunkShape[1] / 2});
        } catch (IllegalArgumentException e) {
            print.println("Refused: " + e.getMessage());
        }

        if (out != null) write(out.toAbsolutePath(), explicit, print);
        return explicit;
    }

    private static void printSelections(BufferPlan plan, PrintStream print) {
        int j = 1;
        for (long[][] s : plan.selections()) {
            print.printf("Buffer number %d returns data from selection: %s%n", j++, BufferPlan.python(s));
        }
    }

    /** Writes one block per buffer; each block covers whole chunks, so each chunk is written once. */
    private static void write(Path out, BufferPlan plan, PrintStream print) throws Exception {
        Files.deleteIfExists(out);
        DatasetSpec spec = DatasetSpec.builder(DataType.INT16, plan.maxShape()).chunks(plan.chunkShape()).build();
        List<long[][]> selections = plan.selections();
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(2, checkpoints);
            env.fromSequence(0, selections.size() - 1)
                    .map(new BufferBlock(selections)).returns(ArrayBlockTypeInfo.INSTANCE)
                    .sinkTo(Hdf5Sink.builder(out.getParent()).defaultFile(out.getFileName().toString())
                            .declare(DATASET, spec).build());
            env.execute("write buffers that tile the chunks");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }
        print.printf("Wrote %d buffers into %s:%s %s int16, chunks %s, file %.1f MB%n", selections.size(), out, DATASET,
                ExampleSupport.tuple(plan.maxShape()), ExampleSupport.tuple(plan.chunkShape()), Files.size(out) / 1e6);
    }

    /** One buffer's data, read (here: computed) for its selection, as a block at the selection's start. */
    static final class BufferBlock implements MapFunction<Long, ArrayBlock> {
        private static final long serialVersionUID = 1L;
        private final List<long[][]> selections;

        BufferBlock(List<long[][]> selections) {
            this.selections = selections;
        }

        @Override
        public ArrayBlock map(Long n) {
            long[][] s = selections.get(n.intValue());
            long rows = s[0][1] - s[0][0];
            long cols = s[1][1] - s[1][0];
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(rows * cols * 2)).order(ByteOrder.LITTLE_ENDIAN);
            for (long r = s[0][0]; r < s[0][1]; r++) for (long c = s[1][0]; c < s[1][1]; c++) b.putShort(value(r, c));
            return ArrayBlock.at(DATASET, DataType.INT16, new long[] {s[0][0], s[1][0]}, new long[] {rows, cols}, b.array());
        }
    }
}
