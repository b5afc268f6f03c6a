package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.SmallDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks written past the page cache: every byte lands where it was meant to, next to neighbours
 * written through the page cache on the same pages, from one thread or several; large chunks really
 * go direct on this machine's file system; and a direct write the system refuses, or a full disk,
 * ends in the page-cache path with the usual errors.
 */
class DirectChunkWriteTest {
    @TempDir Path dir;

    private static byte[] noise(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private FileChannel buffered(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    @Test
    void chunksOfEverySizeAtUnalignedOffsetsArriveWholeAndTheLargeOnesGoDirect() throws IOException {
        Path file = dir.resolve("out.h5");
        int[] lengths = {10, 5000, 70_000, (2 << 20) + 123, 4096, 65_536 + 4096, 300_000, 1};
        byte[] expected = new byte[100 + Arrays.stream(lengths).sum() + 333];
        long expectedDirect = 0;
        try (FileChannel ch = buffered(file); DirectChunkWrite w = new DirectChunkWrite(dir, file, new AlignedBuffer())) {
            int at = 100;
            for (int i = 0; i < lengths.length; i++) {
                byte[] chunk = noise(lengths[i] + 7, i); // longer than the chunk: only length bytes count
                w.write(ch, chunk, lengths[i], at);
                System.arraycopy(chunk, 0, expected, at, lengths[i]);
                long pages = (at + lengths[i]) / 4096 * 4096 - (at + 4095) / 4096 * 4096;
                if (pages >= DirectChunkWrite.MIN_DIRECT_BYTES) expectedDirect += pages;
                at += lengths[i];
            }
            byte[] metadata = noise(333, 99); // the committer's bytes right after, on the last chunk's page
            PositionalWrite.writeFully(ch, ByteBuffer.wrap(metadata), at, file);
            System.arraycopy(metadata, 0, expected, at, metadata.length);
            assertEquals(expectedDirect, w.directBytes(),
                    "the whole pages of chunks of 64 KiB and more go past the page cache (Linux, local file system)");
        }
        assertTrue(expectedDirect > 2 << 20);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void writersSharingPagesAtTheirEdgesNeverOverwriteEachOther() throws Exception {
        Path file = dir.resolve("out.h5");
        int segment = 3 * 65_536 + 1234; // unaligned: each writer's first and last page are shared
        int rounds = 40;
        byte[] expected = new byte[2 * rounds * segment];
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?>[] writers = new Future<?>[2];
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers[w] = pool.submit(() -> {
                    try (FileChannel ch = buffered(file); DirectChunkWrite direct = new DirectChunkWrite(dir, file, new AlignedBuffer())) {
                        for (int r = 0; r < rounds; r++) {
                            int at = (2 * r + writer) * segment;
                            byte[] chunk = noise(segment, at);
                            direct.write(ch, chunk, segment, at);
                        }
                        assertTrue(direct.directBytes() > 0);
                    }
                    return null;
                });
            }
            for (Future<?> f : writers) f.get();
        } finally {
            pool.shutdownNow();
        }
        for (int s = 0; s < 2 * rounds; s++) System.arraycopy(noise(segment, (long) s * segment), 0, expected, s * segment, segment);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void oneWritersBufferServesAllItsFilesAndGrowsWithTheLargestChunk() throws IOException {
        AlignedBuffer shared = new AlignedBuffer();
        Path[] files = {dir.resolve("a.h5"), dir.resolve("b.h5")};
        byte[][] expected = {new byte[0], new byte[0]};
        int[] lengths = {100_000, 300_000, 70_000, 1 << 20, 200_000};
        for (int i = 0; i < lengths.length; i++) {
            for (int f = 0; f < 2; f++) {
                byte[] chunk = noise(lengths[i], 10L * i + f);
                try (FileChannel ch = buffered(files[f]); DirectChunkWrite w = new DirectChunkWrite(dir, files[f], shared)) {
                    w.write(ch, chunk, chunk.length, expected[f].length);
                    assertTrue(w.directBytes() > 0);
                }
                byte[] grown = Arrays.copyOf(expected[f], expected[f].length + chunk.length);
                System.arraycopy(chunk, 0, grown, expected[f].length, chunk.length);
                expected[f] = grown;
            }
        }
        for (int f = 0; f < 2; f++) assertArrayEquals(expected[f], Files.readAllBytes(files[f]), files[f].toString());
    }

    @Test
    void aChunkLargerThanAPieceGoesDirectInPiecesThroughABufferOfOnePiece() throws IOException {
        Path file = dir.resolve("out.h5");
        int length = 2 * DirectChunkWrite.MAX_PIECE + 5 * 4096 + 99;
        byte[] chunk = noise(length, 5);
        AlignedBuffer buffer = new AlignedBuffer();
        try (FileChannel ch = buffered(file); DirectChunkWrite w = new DirectChunkWrite(dir, file, buffer)) {
            w.write(ch, chunk, length, 1000);
            assertEquals((1000 + length) / 4096 * 4096 - 4096, w.directBytes());
        }
        assertEquals(DirectChunkWrite.MAX_PIECE, buffer.capacity(), "the buffer holds one piece, not the chunk");
        byte[] expected = new byte[1000 + length];
        System.arraycopy(chunk, 0, expected, 1000, length);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void aDirectWriteTheSystemRefusesIsWrittenThroughThePageCacheAndDirectStaysOff() throws IOException {
        Path file = dir.resolve("out.h5");
        byte[] first = noise(200_000, 1);
        byte[] second = noise(200_000, 2);
        // Aligned to 512 bytes only: the JDK refuses a direct write at 512 on a file system of 4 KiB blocks.
        try (FileChannel ch = buffered(file); DirectChunkWrite w = new DirectChunkWrite(dir, file, new AlignedBuffer(), 512)) {
            w.write(ch, first, first.length, 512);
            w.write(ch, second, second.length, 512 + first.length);
            assertEquals(0, w.directBytes());
        }
        byte[] expected = new byte[512 + first.length + second.length];
        System.arraycopy(first, 0, expected, 512, first.length);
        System.arraycopy(second, 0, expected, 512 + first.length, second.length);
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void thePropertyTurnsItOff() throws IOException {
        Path file = dir.resolve("out.h5");
        byte[] chunk = noise(1 << 20, 3);
        System.setProperty(DirectChunkWrite.DISABLE_PROPERTY, "true");
        try (FileChannel ch = buffered(file); DirectChunkWrite w = new DirectChunkWrite(dir, file, new AlignedBuffer())) {
            w.write(ch, chunk, chunk.length, 0);
            assertEquals(0, w.directBytes());
        } finally {
            System.clearProperty(DirectChunkWrite.DISABLE_PROPERTY);
        }
        assertArrayEquals(chunk, Files.readAllBytes(file));
    }

    @Test
    void aFullDiskNamesTheFileAndOffset() throws Exception {
        try (SmallDisk small = SmallDisk.mount(dir.resolve("small"), "256k")) {
            Path file = small.path().resolve("out.h5");
            try (FileChannel ch = buffered(file); DirectChunkWrite w = new DirectChunkWrite(small.path(), file, new AlignedBuffer())) {
                IOException e = assertThrows(IOException.class, () -> w.write(ch, new byte[1 << 20], 1 << 20, 4096));
                assertTrue(e.getMessage().contains("at offset 4096 of " + file + " failed: "), e.getMessage());
                assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            }
        }
    }
}
