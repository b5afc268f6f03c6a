package io.hdf5flink.bench.jmh;

import io.hdf5flink.hdf5.filter.BitshuffleFilter;
import io.hdf5flink.hdf5.filter.BloscFilter;
import io.hdf5flink.hdf5.filter.Lz4Filter;
import io.hdf5flink.hdf5.filter.ShuffleFilter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * bitshuffle's bit transpose against the byte shuffle, one thread, on one (16384, 64) int16 chunk
 * of the shared recording's kind ({@link HotPathBenchmarks#recordingChunk()}), its 2 MiB taken as
 * elements of 2, 4 or 8 bytes: the transpose alone (bitshuffle without compression, in the
 * plugin's default blocks of 8 KiB) both ways, the byte shuffle both ways, and for scale the
 * whole codecs that use it, bitshuffle with LZ4 and Blosc with LZ4 and bit or byte shuffle, next
 * to byte shuffle + LZ4. One operation is one 2 MiB chunk, so MB/s = ops/s × 2.097; each fork
 * prints the codecs' ratios.
 *
 * <p>Run: {@code integration-tests/bench/jmh BitshuffleBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class BitshuffleBenchmarks {
    @Param({"2", "4", "8"})
    int elementSize;

    private byte[] chunk;
    private byte[] shuffledChunk;
    private byte[] transposedChunk;
    private byte[] shuffleBuffer;
    private ShuffleFilter shuffle;
    private BitshuffleFilter transpose;
    private BitshuffleFilter bitshuffleLz4;
    private BloscFilter bloscLz4Bit;
    private BloscFilter bloscLz4Byte;
    private Lz4Filter lz4;

    @Setup
    public void data() throws IOException {
        chunk = HotPathBenchmarks.recordingChunk();
        shuffle = new ShuffleFilter(elementSize);
        // Client data values: bitshuffle's compression 0 (none) or 2 (LZ4); Blosc's level 5,
        // shuffle 2 (bit) or 1 (byte), compressor 1 (LZ4).
        transpose = new BitshuffleFilter(elementSize, 0, 0, 0);
        bitshuffleLz4 = new BitshuffleFilter(elementSize, 0, 2, 0);
        bloscLz4Bit = new BloscFilter(elementSize, 5, 2, 1);
        bloscLz4Byte = new BloscFilter(elementSize, 5, 1, 1);
        lz4 = new Lz4Filter(0);
        shuffledChunk = shuffle.encode(chunk, chunk.length);
        transposedChunk = transpose.encode(chunk, chunk.length);
        shuffleBuffer = new byte[chunk.length];
        System.out.printf("element size %d: ratio of bitshuffle+lz4 %.3f, blosc lz4 5 bitshuffle %.3f, "
                + "blosc lz4 5 shuffle %.3f, shuffle+lz4 %.3f%n", elementSize, ratio(bitshuffleLz4.encode(chunk, chunk.length)),
                ratio(bloscLz4Bit.encode(chunk, chunk.length)), ratio(bloscLz4Byte.encode(chunk, chunk.length)),
                ratio(lz4.encode(shuffledChunk, shuffledChunk.length)));
    }

    private double ratio(byte[] encoded) {
        return (double) chunk.length / encoded.length;
    }

    /** The byte shuffle into a new chunk-sized array, as the four transforms here all write. */
    @Benchmark
    public byte[] byteShuffle() {
        return shuffle.encode(chunk, chunk.length);
    }

    @Benchmark
    public byte[] byteUnshuffle() throws IOException {
        return shuffle.decode(shuffledChunk, shuffledChunk.length, shuffledChunk.length);
    }

    /** The bit transpose of every 8 KiB block, into a new chunk-sized array. */
    @Benchmark
    public byte[] bitTranspose() throws IOException {
        return transpose.encode(chunk, chunk.length);
    }

    @Benchmark
    public byte[] bitUntranspose() throws IOException {
        return transpose.decode(transposedChunk, transposedChunk.length, transposedChunk.length);
    }

    @Benchmark
    public byte[] bitshuffleLz4() throws IOException {
        return bitshuffleLz4.encode(chunk, chunk.length);
    }

    @Benchmark
    public byte[] bloscLz4Bitshuffle() throws IOException {
        return bloscLz4Bit.encode(chunk, chunk.length);
    }

    @Benchmark
    public byte[] bloscLz4Shuffle() throws IOException {
        return bloscLz4Byte.encode(chunk, chunk.length);
    }

    /** What {@code --codec lz4} with shuffle does. */
    @Benchmark
    public byte[] shuffleThenLz4() {
        shuffle.encodeInto(chunk, chunk.length, shuffleBuffer);
        return lz4.encode(shuffleBuffer, chunk.length);
    }
}
