package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Single-thread throughput of the hot path, shuffle then deflate level 4, on what the connector
 * mostly stores: 64 channels of int16 {@code 1000 sin(0.01 t + phase)} plus noise, in 1 MiB
 * chunks. Prints the rates; timings depend on the machine, so only correctness is asserted.
 */
class FilterThroughputTest {

    private static final int CHANNELS = 64;
    private static final int SAMPLES_PER_CHUNK = 8192; // 64 x 8192 x 2 bytes = 1 MiB
    private static final int CHUNKS = 8;

    @Test
    void printsShuffleAndDeflateThroughput() throws IOException {
        byte[][] chunks = new byte[CHUNKS][];
        for (int i = 0; i < CHUNKS; i++) {
            chunks[i] = TestData.sineInt16(SAMPLES_PER_CHUNK, CHANNELS, i);
        }
        ShuffleFilter shuffle = new ShuffleFilter(2);
        DeflateFilter deflate = new DeflateFilter(4);
        byte[][] shuffled = new byte[CHUNKS][];
        for (int i = 0; i < CHUNKS; i++) {
            shuffled[i] = shuffle.encode(chunks[i], chunks[i].length);
        }
        // Warm up the JIT and the per-thread zlib state before timing.
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < CHUNKS; i++) {
                shuffle.encode(chunks[i], chunks[i].length);
                deflate.encode(shuffled[i], shuffled[i].length);
            }
        }
        long bytes = 0;
        long start = System.nanoTime();
        for (int round = 0; round < 40; round++) {
            for (byte[] chunk : chunks) {
                shuffle.encode(chunk, chunk.length);
                bytes += chunk.length;
            }
        }
        double shuffleMbPerS = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);

        bytes = 0;
        long compressed = 0;
        start = System.nanoTime();
        for (int round = 0; round < 3; round++) {
            for (byte[] chunk : shuffled) {
                compressed += deflate.encode(chunk, chunk.length).length;
                bytes += chunk.length;
            }
        }
        double deflateMbPerS = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
        System.out.printf("filter throughput, one thread, 1 MiB chunks of 64-channel int16 sine+noise:%n"
                + "  shuffle            %8.0f MB/s%n"
                + "  deflate level 4    %8.1f MB/s (after shuffle; ratio %.2f)%n",
                shuffleMbPerS, deflateMbPerS, (double) bytes / compressed);

        FilterPipeline p = FilterPipeline.of(
                java.util.List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4)), 2, chunks[0].length);
        EncodedChunk c = p.encode(chunks[0], chunks[0].length);
        assertArrayEquals(chunks[0], p.decode(c.data(), c.length(), c.filterMask(), chunks[0].length));
    }
}
