package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
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
    /** {@code O_DIRECT} as {@code fdinfo} prints flags (octal): its value differs between architectures. */
    private static final int O_DIRECT = System.getProperty("os.arch").contains("aarch64") ? 0200000 : 040000;

    @TempDir Path dir;

    private SpaceLedger ledger(Path data) {
        return new SpaceLedger(dir.resolve("staging").resolve("out.h5.space"), data, false);
    }

    /** The flags of every descriptor this process holds open on {@code file}. */
    private static List<Integer> openFlags(Path file) throws IOException {
        List<Integer> flags = new ArrayList<>();
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (!target.equals(real)) continue;
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                    if (line.startsWith("flags:")) flags.add(Integer.parseInt(line.substring(6).trim(), 8));
                }
            }
        }
        return flags;
    }

    private byte[][] writeChunks(SegmentWriter w, Path file) throws IOException {
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
        return chunks;
    }

    @Test
    void largeChunksGoPastThePageCacheAndLandAtTheirAddresses() throws IOException {
        Path file = dir.resolve("out.h5");
        Hdf5File.create(file).close();
        try (SegmentWriter w = new SegmentWriter(ledger(file), "w1", 8 << 20, new AlignedBuffer())) {
            writeChunks(w, file);
            List<Integer> flags = openFlags(file);
            assertTrue(flags.stream().anyMatch(f -> (f & O_DIRECT) != 0), "a descriptor past the page cache: " + flags);
            assertTrue(flags.stream().anyMatch(f -> (f & O_DIRECT) == 0), "and one through it, for the end pages: " + flags);
        }
        assertTrue(openFlags(file).stream().noneMatch(f -> (f & O_DIRECT) != 0), "close() closes the direct one too");
    }

    @Test
    void withDirectIoTurnedOffNoDescriptorBypassesThePageCache() throws IOException {
        Path file = dir.resolve("out.h5");
        Hdf5File.create(file).close();
        System.setProperty(DirectChunkWrite.DISABLE_PROPERTY, "true");
        try (SegmentWriter w = new SegmentWriter(ledger(file), "w1", 8 << 20, new AlignedBuffer())) {
            writeChunks(w, file);
            List<Integer> flags = openFlags(file);
            assertFalse(flags.isEmpty());
            assertTrue(flags.stream().noneMatch(f -> (f & O_DIRECT) != 0), "no descriptor with O_DIRECT: " + flags);
        } finally {
            System.clearProperty(DirectChunkWrite.DISABLE_PROPERTY);
        }
    }
}
