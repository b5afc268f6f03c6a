package io.hdf5flink.bench.jmh;

import io.hdf5flink.hdf5.filter.DeflateFilter;
import io.hdf5flink.hdf5.filter.ShuffleFilter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What deflate costs per level and implementation on one thread, on one shuffled (16384, 64)
 * int16 chunk of the shared recording's kind ({@link HotPathBenchmarks#recordingChunk()}), each
 * level on each implementation {@code DeflateFilter} chooses between: level 1 on Intel ISA-L (where
 * GKL's native library loads), on libdeflate (a fork with ISA-L disabled) and on the JDK's zlib (a
 * fork with both disabled); level 4, the default, on libdeflate and on zlib. One operation is one
 * 2 MiB chunk, so MB/s per core = ops/s × 2.097; each fork logs which implementations it uses and
 * prints the ratios (input bytes over the zlib stream's).
 *
 * <p>Run: {@code integration-tests/bench/jmh DeflateBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class DeflateBenchmarks {
    private static final String ISAL_OFF = "-Dhdf5flink.deflate.isal.disabled=true";
    private static final String LIBDEFLATE_OFF = "-Dhdf5flink.deflate.libdeflate.disabled=true";

    private byte[] shuffled;
    private DeflateFilter level1;
    private DeflateFilter level4;

    @Setup
    public void data() throws IOException {
        byte[] chunk = HotPathBenchmarks.recordingChunk();
        shuffled = new ShuffleFilter(2).encode(chunk, chunk.length);
        level1 = new DeflateFilter(1);
        level4 = new DeflateFilter(4);
        System.out.printf("ratio of the shuffled chunk: level 1 %.3f, level 4 %.3f%n",
                ratio(level1), ratio(level4));
    }

    private double ratio(DeflateFilter filter) throws IOException {
        return (double) shuffled.length / filter.encode(shuffled, shuffled.length).length;
    }

    /** Level 1 as the connector runs it: Intel ISA-L on x86-64 Linux and macOS. */
    @Benchmark
    public byte[] level1() throws IOException {
        return level1.encode(shuffled, shuffled.length);
    }

    /** Level 1 on libdeflate, as where ISA-L does not load (aarch64, Windows). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = ISAL_OFF)
    public byte[] level1Libdeflate() throws IOException {
        return level1.encode(shuffled, shuffled.length);
    }

    /** Level 1 on the JDK's zlib, as where neither native library loads. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = {ISAL_OFF, LIBDEFLATE_OFF})
    public byte[] level1Zlib() throws IOException {
        return level1.encode(shuffled, shuffled.length);
    }

    /** Level 4, the default, as the connector runs it: libdeflate where it loads. */
    @Benchmark
    public byte[] level4() throws IOException {
        return level4.encode(shuffled, shuffled.length);
    }

    /** Level 4 on the JDK's zlib, as where libdeflate does not load. */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = LIBDEFLATE_OFF)
    public byte[] level4Zlib() throws IOException {
        return level4.encode(shuffled, shuffled.length);
    }
}
