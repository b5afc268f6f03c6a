package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.DatasetData;
import io.hdf5flink.hdf5.testing.ReadFixtures;
import io.hdf5flink.hdf5.testing.ReadFixtures.Fixture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's read path ({@link Hdf5DatasetReader}) against files libhdf5 wrote through h5py:
 * every layout and chunk index a user meets (h5py's default format and {@code libver='latest'},
 * contiguous, compact, a user block), the filters h5py writes, chunks never written, and chunks
 * an optional filter declined (their filter mask set). Every value must equal what h5py reads.
 */
class Hdf5DatasetReaderInteropTest {
    @TempDir static Path fixtures;
    @TempDir Path dir;

    private static Map<String, Fixture> all;

    @BeforeAll
    static void writeFixtures() {
        all = ReadFixtures.write(fixtures);
    }

    static List<String> fixtureNames() {
        return ReadFixtures.CASES;
    }

    private static Fixture fixture(String name) {
        return all.get(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureNames")
    void readsWhatH5pyReadsWholeAndInPiecesInAnyOrder(String name) throws IOException {
        Fixture f = fixture(name);
        byte[] expected = Files.readAllBytes(f.values());
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(f.file(), f.dataset())) {
            assertArrayEquals(f.shape(), r.shape(), name);
            assertEquals(f.dtype().substring(1), r.type().numpyStr().substring(1), name);
            assertEquals(name.startsWith("big_endian"), r.bigEndian(), name);
            long rows = f.shape()[0];
            int rowBytes = expected.length / (int) rows;
            assertArrayEquals(expected, littleEndian(r, read(r, 0, rows)), name + ": whole");
            // Pieces of 37 rows end inside chunks, so a chunk is carried from one read to the next.
            byte[] pieces = new byte[expected.length];
            for (long at = 0; at < rows; at += 37) {
                long n = Math.min(37, rows - at);
                System.arraycopy(read(r, at, n), 0, pieces, (int) at * rowBytes, (int) n * rowBytes);
            }
            assertArrayEquals(expected, littleEndian(r, pieces), name + ": in pieces of 37 rows");
            // Backwards: nothing assumes that reads go forwards.
            byte[] backwards = new byte[expected.length];
            for (long at = (rows - 1) / 23 * 23; at >= 0; at -= 23) {
                long n = Math.min(23, rows - at);
                System.arraycopy(read(r, at, n), 0, backwards, (int) at * rowBytes, (int) n * rowBytes);
            }
            assertArrayEquals(expected, littleEndian(r, backwards), name + ": backwards in pieces of 23 rows");
        }
    }

    @Test
    void contiguousDataIsFoundInTheFileWhereItCanBeMapped() throws IOException {
        for (String name : List.of("big_endian_contiguous", "latest_contiguous")) {
            Fixture f = fixture(name);
            try (Hdf5DatasetReader r = Hdf5DatasetReader.open(f.file(), f.dataset());
                    FileChannel ch = FileChannel.open(f.file())) {
                assertEquals(Hdf5DatasetReader.Storage.CONTIGUOUS, r.storage());
                byte[] whole = read(r, 0, f.shape()[0]);
                ByteBuffer mapped = ByteBuffer.allocate(whole.length);
                ch.read(mapped, r.contiguousOffset().orElseThrow());
                assertArrayEquals(whole, mapped.array(), name);
            }
        }
        Fixture userblock = fixture("userblock");
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(userblock.file(), "/flat");
                FileChannel ch = FileChannel.open(userblock.file())) {
            ByteBuffer mapped = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(mapped, r.contiguousOffset().orElseThrow());
            assertArrayEquals(read(r, 0, 30), mapped.array(), "a contiguous dataset after a 512-byte user block");
        }
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(fixture("contiguous_unwritten").file(), "/data")) {
            assertFalse(r.contiguousOffset().isPresent(), "storage never allocated");
        }
    }

    @Test
    void storageAndFiltersAreReported() throws IOException {
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(fixture("gzip_shuffle_2d_edges").file(), "/data")) {
            assertEquals(Hdf5DatasetReader.Storage.CHUNKED, r.storage());
            assertArrayEquals(new long[] {64, 8}, r.chunkShape());
            assertEquals(List.of(2, 1), r.filters().stream().map(d -> d.id()).toList());
        }
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(fixture("compact").file(), "/data")) {
            assertEquals(Hdf5DatasetReader.Storage.COMPACT, r.storage());
        }
    }

    @Test
    void filesTheEngineWroteReadBackWithEveryCodecItWrites() throws IOException {
        Path file = dir.resolve("engine.h5");
        List<DatasetSpec.Builder> specs = List.of(
                DatasetSpec.builder(DataType.UINT16, 0, 7).chunks(100, 7).zstd(3),
                DatasetSpec.builder(DataType.UINT16, 0, 7).chunks(100, 7).shuffle().deflate(4),
                DatasetSpec.builder(DataType.UINT16, 0, 7).chunks(96, 7).bitshuffleZstd(2),
                DatasetSpec.builder(DataType.UINT16, 0, 7).chunks(96, 7).blosc("zstd", 5, "bitshuffle"),
                DatasetSpec.builder(DataType.UINT16, 0, 7).chunks(100, 7).bzip2(9));
        long rows = 1234;
        try (Hdf5File h = Hdf5File.create(file)) {
            for (int i = 0; i < specs.size(); i++) {
                DatasetSpec spec = specs.get(i).maxShape(DatasetSpec.UNLIMITED, 7).build();
                Hdf5Dataset d = h.createDataset("/d" + i, spec);
                d.append(ByteBuffer.wrap(DatasetData.pattern("<u2", 0, rows * 7).bytes()).order(ByteOrder.LITTLE_ENDIAN));
            }
            h.commit();
        }
        assertEquals(List.of("/d0", "/d1", "/d2", "/d3", "/d4"), Hdf5DatasetReader.datasetPaths(file));
        for (int i = 0; i < specs.size(); i++) {
            try (Hdf5DatasetReader r = Hdf5DatasetReader.open(file, "/d" + i)) {
                assertArrayEquals(DatasetData.pattern("<u2", 0, rows * 7).bytes(), read(r, 0, rows), "/d" + i);
            }
        }
    }

    @Test
    void aFilterTheEngineCannotDecodeIsRefusedByIdWhenTheReaderOpens() {
        Path file = fixtures.resolve("unknown_filter.h5");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hdf5DatasetReader.open(file, "/data"));
        assertTrue(e.getMessage().startsWith(file + ":/data: ") && e.getMessage().contains("30123"), e.getMessage());
    }

    @Test
    void virtualAndExternalStorageAreRefusedSayingSoNeverReadAsFill() {
        for (String[] c : new String[][] {{"virtual.h5", "Virtual storage is not supported"},
                {"external.h5", "External Data Files"}}) {
            Path file = fixtures.resolve(c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hdf5DatasetReader.open(file, "/data"));
            assertTrue(e.getMessage().startsWith(file + ":/data: cannot be read: ") && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
    }

    @Test
    void whatIsNotADatasetOrNotHdf5IsRefusedNamingFileAndPath() throws IOException {
        Fixture nested = fixture("nested_path");
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> Hdf5DatasetReader.open(nested.file(), "/a/b"));
        assertTrue(group.getMessage().startsWith(nested.file() + ":/a/b is a group"), group.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Hdf5DatasetReader.open(nested.file(), "/a/nothing"));
        assertTrue(missing.getMessage().startsWith(nested.file() + ":/a/nothing: no such dataset"), missing.getMessage());
        assertEquals(List.of("/a/b/data"), Hdf5DatasetReader.datasetPaths(nested.file()));
        Path text = Files.writeString(dir.resolve("not.h5"), "not HDF5 at all, just text that is long enough\n".repeat(40));
        assertFalse(Hdf5DatasetReader.isHdf5File(text));
        assertTrue(Hdf5DatasetReader.isHdf5File(nested.file()));
        assertTrue(Hdf5DatasetReader.isHdf5File(fixture("userblock").file()), "signature after a user block");
        IllegalArgumentException notHdf5 = assertThrows(IllegalArgumentException.class,
                () -> Hdf5DatasetReader.open(text, "/data"));
        assertTrue(notHdf5.getMessage().startsWith(text + ":/data: "), notHdf5.getMessage());
    }

    @Test
    void attributesTheEngineWritesAreCopiedTheOthersListedWithTheReason() throws IOException {
        List<String> skipped = new ArrayList<>();
        var copied = Hdf5DatasetReader.copyableAttributes(fixture("nested_path").file(), "/a/b/data", skipped);
        assertEquals(List.of("gains", "rate", "unit", "valid"), List.copyOf(copied.keySet()));
        assertEquals(List.of("names (an array of strings)"), skipped);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}, copied.get("gains").storedData(),
                "big-endian int32 copied little-endian");
        assertArrayEquals("uV".getBytes(StandardCharsets.UTF_8), copied.get("unit").storedData());
        assertEquals(30000.0, ByteBuffer.wrap(copied.get("rate").storedData()).order(ByteOrder.LITTLE_ENDIAN).getDouble());
        assertArrayEquals(new byte[] {1}, copied.get("valid").storedData());
    }

    @Test
    void aTruncatedChunkNamesTheChunkAndTheFile() throws IOException {
        Fixture f = fixture("gzip_shuffle_2d_edges");
        Path cut = dir.resolve("cut.h5");
        Files.copy(f.file(), cut);
        try (FileChannel ch = FileChannel.open(cut, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 200);
        }
        try (Hdf5DatasetReader r = Hdf5DatasetReader.open(cut, "/data")) {
            IOException e = assertThrows(IOException.class, () -> read(r, 0, f.shape()[0]));
            assertTrue(e.getMessage().startsWith(cut + ":/data: chunk ["), e.getMessage());
        }
    }

    private static byte[] read(Hdf5DatasetReader r, long first, long rows) throws IOException {
        long rowBytes = r.type().size();
        for (int d = 1; d < r.shape().length; d++) rowBytes *= r.shape()[d];
        byte[] out = new byte[(int) (rows * rowBytes)];
        r.read(first, rows, out);
        return out;
    }

    private static byte[] littleEndian(Hdf5DatasetReader r, byte[] stored) {
        if (!r.bigEndian()) return stored;
        byte[] b = stored.clone();
        r.type().swapByteOrder(b);
        return b;
    }
}
