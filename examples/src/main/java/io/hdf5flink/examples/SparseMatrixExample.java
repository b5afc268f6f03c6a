package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.Hdf5Sink;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Tutorial "Optimizing Sparse Data Array I/O and Storage": a 1,000,000 x 1,000,000 float64 matrix
 * (8 TB if dense) of which 1,000 random, non-overlapping (10, 10) tiles are set. Every tile is
 * written at its own offset, in random order, into four files at once (one Flink job, one sink):
 * chunks aligned with the tiles, and chunks 100 times larger, each without and with gzip. Only
 * chunks that receive data are stored; the rest of the matrix reads as the fill value, 0. Prints
 * the tutorial's file-size table.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.SparseMatrixExample [DIR [NUM_TILES [SIZE]]]</pre>
 */
public final class SparseMatrixExample {
    static final String DATASET = "/acquisition/synthetic_timeseries/data";
    /** The four variants of the tutorial: file name, chunk edge, compression. */
    static final List<Variant> VARIANTS = List.of(
            new Variant("basic_sparse_iterwrite_example.h5", 10, false, "no compression"),
            new Variant("basic_sparse_iterwrite_compressed_example.h5", 10, true, "with GZIP compression"),
            new Variant("basic_sparse_iterwrite_largechunks_example.h5", 100, false, "large chunks"),
            new Variant("basic_sparse_iterwrite_largechunks_compressed_example.h5", 100, true,
                    "large chunks with compression"));

    record Variant(String file, long chunk, boolean gzip, String title) {}

    private SparseMatrixExample() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "sparse");
        int tiles = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        long size = args.length > 2 ? Long.parseLong(args[2]) : 1_000_000;
        run(dir, size, tiles, 10, 42, System.out);
    }

    /** Writes the four files into {@code dir} and prints the size table; returns the tile origins. */
    public static long[][] run(Path dir, long size, int numTiles, int tile, long seed, PrintStream print) throws Exception {
        Path base = dir.toAbsolutePath();
        Files.createDirectories(base);
        for (Variant v : VARIANTS) Files.deleteIfExists(base.resolve(v.file()));
        long[][] origins = tileOrigins(size, numTiles, tile, seed);

        Hdf5Sink.Builder sink = Hdf5Sink.builder(base);
        for (Variant v : VARIANTS) {
            // Blocks at explicit offsets need a declared dataset: every writer cuts on the same chunk grid.
            DatasetSpec.Builder spec = DatasetSpec.builder(DataType.FLOAT64, size, size).chunks(v.chunk(), v.chunk());
            sink.declare(v.file(), DATASET, (v.gzip() ? ChunkFilters.gzip(4) : ChunkFilters.none()).applyTo(spec).build());
        }
        Path checkpoints = Files.createTempDirectory("example-checkpoints");
        try {
            StreamExecutionEnvironment env = ExampleSupport.environment(2, checkpoints);
            env.fromSequence(0, numTiles - 1)
                    .flatMap(new RandomTiles(origins, tile, seed)).returns(ArrayBlockTypeInfo.INSTANCE)
                    .sinkTo(sink.build());
            env.execute("sparse matrix into four HDF5 files");
        } finally {
            DirectoryTrees.delete(checkpoints);
        }

        double expected = (double) size * size * 8;
        double occupied = (double) numTiles * tile * tile * 8;
        double mb = 1000.0 * 1000;
        print.println("1) Sparse Matrix Size:");
        print.printf("   Expected Size :  %.2f MB%n", expected / mb);
        print.printf("   Occupied Size :  %.5f MB%n", occupied / mb);
        int n = 2;
        for (Variant v : VARIANTS) {
            long fileSize = Files.size(base.resolve(v.file()));
            print.printf("%d) HDF5 file (%s, chunks %s):%n", n++, v.title(), ExampleSupport.tuple(v.chunk(), v.chunk()));
            print.printf("   File Size     :  %.5f MB%n", fileSize / mb);
            print.printf("   Reduction     :  %.2f x%n", expected / fileSize);
        }
        return origins;
    }

    /** {@code numTiles} distinct tile-aligned origins, drawn like the tutorial's {@code randint}. */
    static long[][] tileOrigins(long size, int numTiles, int tile, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long cells = size / tile;
        Set<List<Long>> seen = new HashSet<>();
        long[][] origins = new long[numTiles][];
        for (int i = 0; i < numTiles; ) {
            long x = random.nextLong(cells) * tile;
            long y = random.nextLong(cells) * tile;
            if (seen.add(List.of(x, y))) origins[i++] = new long[] {x, y};
        }
        return origins;
    }

    /** The values of tile number {@code n}: uniform in [0, 1), like {@code np.random.rand}, little-endian, C order. */
    static byte[] tileData(long seed, long n, int tile) {
        SplittableRandom r = new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L));
        ByteBuffer b = ByteBuffer.allocate(tile * tile * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < tile * tile; k++) b.putDouble(r.nextDouble());
        return b.array();
    }

    /** The tutorial's SparseMatrixIterator: tile number n, at its origin, into every variant's file. */
    static final class RandomTiles implements FlatMapFunction<Long, ArrayBlock> {
        private static final long serialVersionUID = 1L;
        private final long[][] origins;
        private final int tile;
        private final long seed;

        RandomTiles(long[][] origins, int tile, long seed) {
            this.origins = origins;
            this.tile = tile;
            this.seed = seed;
        }

        @Override
        public void flatMap(Long n, Collector<ArrayBlock> out) {
            ArrayBlock block = ArrayBlock.at(DATASET, DataType.FLOAT64, origins[n.intValue()], new long[] {tile, tile},
                    tileData(seed, n, tile));
            for (Variant v : VARIANTS) out.collect(block.inFile(v.file()));
        }
    }
}
