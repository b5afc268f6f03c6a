package io.hdf5flink.bench.jmh;

import com.github.luben.zstd.Zstd;
import com.ning.compress.lzf.ChunkEncoder;
import com.ning.compress.lzf.LZFChunk;
import com.ning.compress.lzf.LZFEncoder;
import com.ning.compress.lzf.util.ChunkEncoderFactory;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.hdf5flink.hdf5.filter.LzfFilter;
import io.hdf5flink.hdf5.filter.ShuffleFilter;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
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
 * The codec libraries on Maven Central against the ones the engine uses, one thread, on one
 * shuffled (16384, 64) int16 chunk of the shared recording's kind
 * ({@link HotPathBenchmarks#recordingChunk()}): LZ4 in aircompressor (pure Java, the engine's)
 * against lz4-java (at.yawk's maintained fork, JNI and pure Java); zstd level 3 in zstd-jni (the
 * reference C library, the engine's) against aircompressor's pure-Java zstd; LZF in the engine's
 * own encoder against compress-lzf's (which it replaced). One operation is one 2 MiB chunk, so
 * MB/s per core = ops/s × 2.097; each fork prints the ratios.
 *
 * <p>Run: {@code integration-tests/bench/jmh CodecLibraryBenchmarks}; add
 * {@code -jvmArgsAppend -XX:TieredStopAtLevel=1} for the JIT tier the launcher runs with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CodecLibraryBenchmarks {
    private byte[] shuffled;
    private byte[] out;
    private final Lz4Compressor aircompressorLz4 = new Lz4Compressor();
    private final LZ4Compressor lz4JavaNative = LZ4Factory.nativeInstance().fastCompressor();
    private final LZ4Compressor lz4JavaJava = LZ4Factory.safeInstance().fastCompressor();
    private final ZstdCompressor aircompressorZstd = new ZstdCompressor();
    private final LzfFilter lzf = new LzfFilter();
    private final ChunkEncoder compressLzf = ChunkEncoderFactory.optimalNonAllocatingInstance(LZFChunk.MAX_CHUNK_LEN);
    private final byte[] compressLzfBlock = new byte[LZFEncoder.estimateMaxWorkspaceSize(LZFChunk.MAX_CHUNK_LEN)];

    @Setup
    public void data() {
        byte[] chunk = HotPathBenchmarks.recordingChunk();
        shuffled = new ShuffleFilter(2).encode(chunk, chunk.length);
        out = new byte[(int) Zstd.compressBound(shuffled.length) + (1 << 16)];
        System.out.printf("ratios: lz4 aircompressor %.3f, lz4-java native %.3f, lz4-java java %.3f, zstd-jni 3 %.3f, "
                + "aircompressor zstd %.3f, lzf engine %.3f, lzf compress-lzf %.3f%n",
                ratio(lz4Aircompressor()), ratio(lz4JavaNative()), ratio(lz4JavaJava()), ratio(zstdJni3()),
                ratio(zstdAircompressor()), ratio(lzf.encode(shuffled, shuffled.length).length), ratio(lzfCompressLzf()));
    }

    private double ratio(int compressed) {
        return (double) shuffled.length / compressed;
    }

    @Benchmark
    public int lz4Aircompressor() {
        return aircompressorLz4.compress(shuffled, 0, shuffled.length, out, 0, out.length);
    }

    @Benchmark
    public int lz4JavaNative() {
        return lz4JavaNative.compress(shuffled, 0, shuffled.length, out, 0, out.length);
    }

    @Benchmark
    public int lz4JavaJava() {
        return lz4JavaJava.compress(shuffled, 0, shuffled.length, out, 0, out.length);
    }

    @Benchmark
    public int zstdJni3() {
        return (int) Zstd.compressByteArray(out, 0, out.length, shuffled, 0, shuffled.length, 3);
    }

    @Benchmark
    public int zstdAircompressor() {
        return aircompressorZstd.compress(shuffled, 0, shuffled.length, out, 0, out.length);
    }

    @Benchmark
    public byte[] lzfEngine() {
        return lzf.encode(shuffled, shuffled.length);
    }

    /**
     * compress-lzf as the engine used it before: 64 KiB blocks into a block buffer, the payload
     * copied out, a block it stored plain rewritten as literal runs (raw LZF has no plain block).
     */
    @Benchmark
    public int lzfCompressLzf() {
        int written = 0;
        for (int start = 0; start < shuffled.length; start += LZFChunk.MAX_CHUNK_LEN) {
            int n = Math.min(LZFChunk.MAX_CHUNK_LEN, shuffled.length - start);
            int end = compressLzf.appendEncodedChunk(shuffled, start, n, compressLzfBlock, 0);
            if (compressLzfBlock[2] == LZFChunk.BLOCK_TYPE_COMPRESSED) {
                int payload = end - LZFChunk.HEADER_LEN_COMPRESSED;
                System.arraycopy(compressLzfBlock, LZFChunk.HEADER_LEN_COMPRESSED, out, written, payload);
                written += payload;
            } else {
                for (int p = start, blockEnd = start + n; p < blockEnd; p += 32) {
                    int run = Math.min(32, blockEnd - p);
                    out[written++] = (byte) (run - 1);
                    System.arraycopy(shuffled, p, out, written, run);
                    written += run;
                }
            }
        }
        return written;
    }
}
