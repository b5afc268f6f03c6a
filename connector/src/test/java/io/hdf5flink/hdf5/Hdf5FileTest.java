package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's API on its own: what it accepts, what it refuses and what it keeps across reopen. */
class Hdf5FileTest {
    @TempDir Path dir;

    /**
     * A file made with {@code createClosed} can be opened for append at every instant it exists:
     * a sink's committer opens the output while a writer creates it, and a file locked under its
     * name failed that commit ("open for writing by another writer"; seen in a convert of an HDF5
     * input). A watcher opens each file the moment it appears.
     */
    @Test
    void aFileCreatedClosedIsNeverLockedUnderItsName() throws Exception {
        int files = 300;
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        Thread watcher = new Thread(() -> {
            for (int i = 0; i < files; i++) {
                Path p = dir.resolve("f" + i + ".h5");
                while (!Files.exists(p)) Thread.onSpinWait();
                try (Hdf5File f = Hdf5File.openForAppend(p)) {
                    opened.incrementAndGet();
                } catch (Hdf5Exception e) {
                    refused.incrementAndGet();
                }
            }
        });
        watcher.start();
        for (int i = 0; i < files; i++) {
            Hdf5File.createClosed(dir.resolve("f" + i + ".h5"), Hdf5File.Options.defaults());
            // Give the watcher its turn, so each file is opened soon after it appears.
            while (opened.get() + refused.get() <= i && watcher.isAlive()) Thread.onSpinWait();
        }
        watcher.join(30_000);
        assertEquals(0, refused.get(), "opens refused as locked by another writer");
        assertEquals(files, opened.get());
        assertThrows(Hdf5Exception.class, () -> Hdf5File.createClosed(dir.resolve("f0.h5"), Hdf5File.Options.defaults()),
                "an existing file is not replaced");
    }

    private static DatasetSpec rows(int channels, int chunkRows) {
        return DatasetSpec.builder(DataType.INT16, 0, channels).maxShape(DatasetSpec.UNLIMITED, channels)
                .chunks(chunkRows, channels).shuffle().deflate(4).commitTokenCapacity(32).build();
    }

    private static short[] ramp(int from, int count) {
        short[] v = new short[count];
        for (int i = 0; i < count; i++) v[i] = (short) (from + i);
        return v;
    }

    private static short[] readAll(Hdf5Dataset d) {
        long[] shape = d.shape();
        ByteBuffer b = d.read(new long[shape.length], shape);
        short[] out = new short[b.remaining() / 2];
        b.asShortBuffer().get(out);
        return out;
    }

    @Test
    void appendsInSmallBatchesSurviveReopenAndContinue() {
        Path p = dir.resolve("a.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/rec/data", rows(4, 100));
            for (int i = 0; i < 7; i++) {
                d.appendValues(ramp(i * 120, 120)); // 30 rows: chunks stay open across appends
                f.commit();
            }
            assertEquals(3, d.allocatedChunks(), "210 rows in 100-row chunks");
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            Hdf5Dataset d = f.dataset("rec/data");
            assertArrayEquals(new long[] {210, 4}, d.shape());
            d.appendValues(ramp(840, 400));
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            assertArrayEquals(ramp(0, 1240), readAll(f.dataset("/rec/data")));
        }
    }

    @Test
    void uncommittedChangesAreInvisibleAfterAbandon() {
        Path p = dir.resolve("b.h5");
        Hdf5File f = Hdf5File.create(p);
        Hdf5Dataset d = f.createDataset("/d", rows(2, 10));
        d.appendValues(ramp(0, 50));
        d.setCommitToken(new byte[] {7});
        f.commit();
        d.appendValues(ramp(50, 50));
        d.setCommitToken(new byte[] {8});
        f.abandon();
        try (Hdf5File g = Hdf5File.openForAppend(p)) {
            Hdf5Dataset e = g.dataset("/d");
            assertArrayEquals(new long[] {25, 2}, e.shape());
            assertArrayEquals(new byte[] {7}, e.commitToken());
            assertArrayEquals(ramp(0, 50), readAll(e));
        }
    }

    @Test
    void commitTokenIsAbsentUntilSetAndAddedToDatasetsWithoutRoom() {
        Path p = dir.resolve("c.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/plain", DatasetSpec.builder(DataType.FLOAT64, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(8).build());
            assertNull(d.commitToken());
            d.appendValues(new double[] {1, 2, 3});
            d.setCommitToken("cp-41".getBytes());
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            assertEquals("cp-41", new String(f.dataset("/plain").commitToken()));
        }
    }

    @Test
    void attributesCanBeAddedAndReplacedAfterCreationBeyondTheHeadersFreeSpace() {
        Path p = dir.resolve("d.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/d", rows(2, 10));
            for (int i = 0; i < 40; i++) d.setAttribute("attr" + i, AttributeValue.of((long) i));
            d.setAttribute("attr3", AttributeValue.of(-3L));
            d.setAttribute("description", AttributeValue.of("short"));
            d.setAttribute("description", AttributeValue.of("a much longer description than before"));
            f.root().setAttribute("rate", AttributeValue.of(30000.0));
            d.appendValues(ramp(0, 20));
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            List<String> names = f.dataset("/d").attributeNames();
            assertEquals(42, names.size(), names.toString());
            assertTrue(names.contains("attr39") && names.contains("description"));
            assertEquals(List.of("rate"), f.root().attributeNames());
            assertArrayEquals(ramp(0, 20), readAll(f.dataset("/d")));
        }
    }

    @Test
    void sparseWritesAllocateOnlyTouchedChunksAndReadFillElsewhere() {
        Path p = dir.resolve("e.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/m", DatasetSpec.builder(DataType.FLOAT64, 1_000_000, 1_000_000)
                    .chunks(10, 10).fillValue(Double.NaN).build());
            double[] tile = new double[100];
            for (int i = 0; i < 100; i++) tile[i] = i;
            d.writeValues(new long[] {123_450, 999_990}, new long[] {10, 10}, tile);
            d.writeValues(new long[] {5, 5}, new long[] {10, 10}, tile); // straddles four chunks
            f.commit();
            assertEquals(5, d.allocatedChunks());
            ByteBuffer b = d.read(new long[] {5, 5}, new long[] {1, 3});
            assertEquals(0.0, b.getDouble(0));
            assertEquals(2.0, b.getDouble(16));
            assertTrue(Double.isNaN(d.read(new long[] {0, 0}, new long[] {1, 1}).getDouble(0)));
        }
        assertTrue(sizeOf(p) < 200_000, "five 800-byte chunks, not a 8 TB matrix: " + sizeOf(p));
    }

    @Test
    void partialChunksBeyondTheOpenChunkBudgetAreStoredEarlyAndReadBackWhenTouchedAgain() {
        Path p = dir.resolve("budget.h5");
        int rows = 64;
        int columns = 64;
        Hdf5File.Options small = Hdf5File.Options.defaults().withOpenChunkBudgetBytes(3 * 8 * 8 * 2); // 3 chunks
        try (Hdf5File f = Hdf5File.create(p, small)) {
            Hdf5Dataset d = f.createDataset("/m", DatasetSpec.builder(DataType.INT16, rows, columns).chunks(8, 8)
                    .shuffle().deflate(1).fillValue(-1).build());
            // Column by column: every one of the 64 chunks is partial until its 8th column arrives,
            // far more than the budget holds, so chunks are evicted and read back many times.
            for (int c = 0; c < columns; c++) {
                short[] column = new short[rows];
                for (int r = 0; r < rows; r++) column[r] = (short) (r * columns + c);
                d.writeValues(new long[] {0, c}, new long[] {rows, 1}, column);
            }
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            assertArrayEquals(ramp(0, rows * columns), readAll(f.dataset("/m")));
            assertEquals(64, f.dataset("/m").allocatedChunks());
        }
    }

    @Test
    void bigEndianInputIsStoredLittleEndian() {
        Path p = dir.resolve("f.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/d", DatasetSpec.builder(DataType.INT32, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(4).build());
            ByteBuffer be = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < 6; i++) be.putInt(i * 1_000_003);
            be.flip();
            d.append(be);
            ByteBuffer back = d.read(new long[] {0}, new long[] {6});
            for (int i = 0; i < 6; i++) assertEquals(i * 1_000_003, back.getInt(4 * i));
        }
    }

    @Test
    void badInputIsRefusedByNameAndLeavesTheLastCommit() {
        Path p = dir.resolve("g.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            Hdf5Dataset d = f.createDataset("/x/data", DatasetSpec.builder(DataType.INT16, 0, 4)
                    .maxShape(100, 4).chunks(10, 4).build());
            d.appendValues(ramp(0, 40));
            f.commit();
            assertMessage(() -> d.writeRawChunk(new long[] {0}, new byte[80]), "has rank 1", "/x/data");
            assertMessage(() -> d.writeRawChunk(new long[] {5, 0}, new byte[80]), "not on the chunk grid", "/x/data");
            assertMessage(() -> d.writeRawChunk(new long[] {100, 0}, new byte[80]), "outside the maximum shape");
            assertMessage(() -> d.writeRawChunk(new long[] {0, 0}, new byte[79]), "is 80 bytes, got 79");
            assertMessage(() -> d.appendValues(new float[4]), "dtype mismatch", "g.h5");
            assertMessage(() -> d.appendValues(new short[3]), "not a whole number of rows");
            assertMessage(() -> d.writeValues(new long[] {8, 0}, new long[] {4, 4}, new short[16]), "exceeds the current shape");
            assertMessage(() -> d.writeValues(new long[] {0, 0}, new long[] {2, 4}, new short[7]), "needs 16 bytes, got 14");
            assertMessage(() -> d.appendValues(new short[4 * 91]), "cannot grow to 101");
            assertMessage(() -> d.resize(5, 4), "shrinking axis 0");
            assertMessage(() -> f.createDataset("/x/data", rows(4, 10)), "already exists");
            assertMessage(() -> f.createDataset("/x/data/y", rows(4, 10)), "is a dataset, not a group");
            assertMessage(() -> f.createDataset("/bad\0name", rows(4, 10)), "contains '/' or NUL");
            assertMessage(() -> f.dataset("/nothing"), "no object at /nothing");
        }
        try (Hdf5File f = Hdf5File.openForAppend(p)) {
            assertArrayEquals(ramp(0, 40), readAll(f.dataset("/x/data")));
        }
    }

    @Test
    void specsThatHdf5CannotHoldAreRefused() {
        assertMessage(() -> DatasetSpec.builder(DataType.INT8, 0, 0, 0, 0, 0, 0, 0, 0, 0).chunks(1, 1, 1, 1, 1, 1, 1, 1, 1).build(), "rank 9");
        assertMessage(() -> DatasetSpec.builder(DataType.INT16, 0, 4).chunks(10).build(), "has rank 1");
        assertMessage(() -> DatasetSpec.builder(DataType.FLOAT64, 0, 65536).maxShape(-1, 65536)
                .chunks(65536, 65536).build(), "limited to 2 GiB");
        assertMessage(() -> DatasetSpec.builder(DataType.INT16, 0, 4).maxShape(-1, 4).chunks(10, 8).build(),
                "exceeds the fixed maximum dimension 4");
        assertMessage(() -> DatasetSpec.builder(DataType.INT16, 0).chunks(1).deflate(4).lzf().build(), "only one compressor");
        assertMessage(() -> DatasetSpec.builder(DataType.INT8, 0).chunks(1).fillValue(300).build(), "does not fit in INT8");
    }

    @Test
    void existingFilesAreNeverOverwrittenAndOneWriterAtATime() throws Exception {
        Path p = dir.resolve("h.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            assertMessage(() -> Hdf5File.create(p), "already exists");
            assertMessage(() -> Hdf5File.openForAppend(p), "open for writing by another writer");
        }
        Hdf5File.openForAppend(p).close();
    }

    @Test
    void notHdf5AndTruncatedFilesAreRefusedByName() throws Exception {
        Path text = dir.resolve("notes.h5");
        Files.writeString(text, "just some text, not HDF5 at all".repeat(10));
        assertMessage(() -> Hdf5File.openForAppend(text), "notes.h5 is not an HDF5 file");

        Path p = dir.resolve("cut.h5");
        try (Hdf5File f = Hdf5File.create(p)) {
            f.createDataset("/d", rows(2, 10)).appendValues(ramp(0, 200));
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        assertMessage(() -> Hdf5File.openForAppend(p), "cut.h5 is truncated");
        assertMessage(() -> Hdf5File.openForAppend(dir.resolve("missing.h5")), "missing.h5 does not exist");
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... fragments) {
        Exception e = assertThrows(Exception.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    "message should contain '" + f + "': " + e.getMessage());
        }
    }
}
