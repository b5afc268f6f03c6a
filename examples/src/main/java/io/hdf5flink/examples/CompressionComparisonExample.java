package io.hdf5flink.examples;

import io.hdf5flink.cli.DirectoryTrees;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.ChunkFilters;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * PyNWB "Advanced I/O": compression options side by side ({@code H5DataIO(compression="gzip",
 * compression_opts=...)}, {@code "lzf"}, {@code shuffle=True}) on a small synthetic recording
 * (int16, 64 channels, sines + noise, like 30 kHz electrophysiology): for each codec, with and
 * without shuffle, the compression ratio and the speed of one thread filtering and writing with
 * the append engine (best of three runs). In a Flink job every writer subtask filters on its own
 * threads, so a job's speed is about this times the cores.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.CompressionComparisonExample [MB]</pre>
 */
public final class CompressionComparisonExample {
    private CompressionComparisonExample() {}

    /** One row of the table. */
    public record Result(String codec, boolean shuffle, double ratio, double mbPerSecond, long storedBytes) {}

    static final List<String> CODECS = List.of("none", "gzip:1", "gzip:4", "gzip:9", "lzf", "lz4", "zstd:1", "zstd:3", "zstd:9",
            "bzip2:9", "bitshuffle:lz4", "bitshuffle:zstd:3", "blosc:lz4:5:shuffle", "blosc:lz4:5:bitshuffle",
            "blosc:zstd:5:shuffle", "blosc:zstd:5:bitshuffle");

    public static void main(String[] args) throws Exception {
        double mb = args.length > 0 ? Double.parseDouble(args[0]) : 16;
        run(mb, CODECS, System.out);
    }

    public static List<Result> run(double mb, List<String> codecs, PrintStream print) throws Exception {
        int channels = 64;
        // Whole chunks only: a partial last chunk is stored whole and would blur the ratios.
        int rows = (int) Math.max(1, Math.round(mb * 1e6 / (channels * 2) / 16384)) * 16384;
        ByteBuffer data = recording(rows, channels);
        Path dir = Files.createTempDirectory("compression-comparison");
        List<Result> results = new ArrayList<>();
        try {
            measure(dir, data, rows, channels, ChunkFilters.gzip(4), 1); // warm up the JIT
            print.printf(Locale.ROOT, "%d x %d int16 (%.1f MB), chunks (16384, 64), one thread:%n", rows, channels, data.remaining() / 1e6);
            print.printf(Locale.ROOT, "%-24s %-8s %7s %9s %10s%n", "codec", "shuffle", "ratio", "MB/s", "stored MB");
            for (String codec : codecs) {
                ChunkFilters parsed = ChunkFilters.parse(codec);
                // bitshuffle and Blosc shuffle as their codec text says: measured once, without the shuffle filter.
                for (boolean shuffle : parsed.codecShuffles() ? new boolean[] {false} : new boolean[] {false, true}) {
                    ChunkFilters c = shuffle ? parsed.withShuffle() : parsed;
                    Result r = measure(dir, data, rows, channels, c, 3);
                    results.add(r);
                    print.printf(Locale.ROOT, "%-24s %-8s %7.2f %9.1f %10.2f%n", codec,
                            parsed.codecShuffles() ? "own" : shuffle ? "yes" : "no", r.ratio(), r.mbPerSecond(),
                            r.storedBytes() / 1e6);
                }
            }
        } finally {
            DirectoryTrees.delete(dir);
        }
        return results;
    }

    private static Result measure(Path dir, ByteBuffer data, int rows, int channels, ChunkFilters c, int runs) throws Exception {
        double best = Double.MAX_VALUE;
        long stored = 0;
        for (int i = 0; i < runs; i++) {
            Path file = dir.resolve("c.h5");
            Files.deleteIfExists(file);
            long t0 = System.nanoTime();
            try (Hdf5File f = Hdf5File.create(file)) {
                f.createDataset("/data", c.applyTo(DatasetSpec.builder(DataType.INT16, 0, channels)
                        .maxShape(DatasetSpec.UNLIMITED, channels).chunks(16384, channels)).build())
                        .append(data.duplicate());
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            stored = Files.size(file);
        }
        double raw = data.remaining();
        return new Result(c.codecText(), c.shuffle(), raw / stored, raw / 1e6 / best, stored);
    }

    /** Sines + noise per channel, int16, like the shared benchmark recording. */
    static ByteBuffer recording(int rows, int channels) {
        SplittableRandom random = new SplittableRandom(0);
        double[] phase = new double[channels];
        for (int c = 0; c < channels; c++) phase[c] = random.nextDouble() * 6.28;
        ByteBuffer b = ByteBuffer.allocate(rows * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) {
                double u = 1 - random.nextDouble();
                double noise = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
                b.putShort((short) (1000 * Math.sin(r * 0.01 + phase[c]) + 30 * noise));
            }
        }
        return b.flip();
    }
}
