package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink writer's chunks land at the addresses it returns, in the space its ledger claims, and on
 * Linux they go past the page cache: the writer holds the file open with {@code O_DIRECT}, as the
 * kernel reports in {@code /proc/self/fdinfo} (not the writer's own bookkeeping).
 */
@EnabledOnOs(OS.LINUX)
class SegmentWriterTest {
    @TempDir Path dir;

    private SpaceLedger ledger(Path data) {
        return new SpaceLedger(dir.resolve("staging").resolve("out.h5.space"), data, false);
    }

    private void writeChunks(SegmentWriter w, Path file) throws IOException {
        Random random = new Random(7);
        byte[][] chunks = {new byte[3000], new byte[(1 << 20) + 17], new byte[500_000]};
        long[] at = new long[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            random.nextBytes(chunks[i]);
            at[i] = w.write(0, chunks[i], chunks[i].length);
        }
        w.endEpoch(true, true);
        byte[] written = Files.readAllBytes(file);
        for (int i = 0; i < chunks.length; i++) {
            assertArrayEquals(chunks[i], Arrays.copyOfRange(written, (int) at[i], (int) at[i] + chunks[i].length), "chunk " + i);
        }
    }

    @Test
    void largeChunksGoPastThePageCacheAndLandAtTheirAddresses() throws IOException {
        Path file = dir.resolve("out.h5");
        Hdf5File.create(file).close();
        try (SegmentWriter w = new SegmentWriter(ledger(file), "w1", 8 << 20, new AlignedBuffer())) {
            writeChunks(w, file);
            List<Integer> flags = OpenDescriptors.flags(file);
            assertTrue(OpenDescriptors.anyDirect(file), "a descriptor past the page cache: " + flags);
            assertTrue(flags.stream().anyMatch(f -> (f & OpenDescriptors.O_DIRECT) == 0), "and one through it, for the end pages: " + flags);
        }
        assertFalse(OpenDescriptors.anyDirect(file), "close() closes the direct one too");
    }

    /**
     * A commit's metadata lands after whatever segments are live; a segment's unused rest, given
     * back at the end, then stays a hole in the middle of the file. A writer of a few chunks must
     * therefore claim no more than it writes: two chunks used to claim four chunks' space, and a
     * two-chunk conversion came out twice its size.
     */
    @Test
    void aWriterOfFewChunksClaimsNoSpaceItDoesNotFill() throws IOException {
        Path file = dir.resolve("out.h5");
        Hdf5File.create(file).close();
        SpaceLedger ledger = ledger(file);
        byte[] chunk = new byte[100_000];
        try (SegmentWriter w = new SegmentWriter(ledger, "w1", 8 << 20, null)) {
            long first = w.write(0, chunk, chunk.length);
            SpaceLedger.Extent metadata = ledger.claimForever(512, 512); // a commit in between
            assertEquals(first + chunk.length, metadata.start(), "nothing claimed past the first chunk");
            long second = w.write(0, chunk, chunk.length - 10);
            assertEquals(metadata.end(), second, "the next chunk follows the metadata");
            w.endEpoch(false, true);
            assertEquals(second + chunk.length - 10, ledger.claimForever(1, 1).start(), "and nothing after it is claimed");
        }
    }

    @Test
    void withDirectIoTurnedOffNoDescriptorBypassesThePageCache() throws IOException {
        System.setProperty(DirectChunkWrite.DISABLE_PROPERTY, "true");
        try {
            assertEveryChunkGoesThroughThePageCache(new AlignedBuffer());
        } finally {
            System.clearProperty(DirectChunkWrite.DISABLE_PROPERTY);
        }
    }

    @Test
    void aWriterGivenNoDirectBufferWritesThroughThePageCache() throws IOException {
        // What a sink built with directIo(false) does.
        assertEveryChunkGoesThroughThePageCache(null);
    }

    private void assertEveryChunkGoesThroughThePageCache(AlignedBuffer buffer) throws IOException {
        Path file = dir.resolve("out.h5");
        Hdf5File.create(file).close();
        try (SegmentWriter w = new SegmentWriter(ledger(file), "w1", 8 << 20, buffer)) {
            writeChunks(w, file);
            List<Integer> flags = OpenDescriptors.flags(file);
            assertFalse(flags.isEmpty());
            assertFalse(OpenDescriptors.anyDirect(file), "no descriptor with O_DIRECT: " + flags);
        }
    }
}
