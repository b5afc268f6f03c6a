package io.hdf5flink.source;

import static io.hdf5flink.source.SourceTesting.assertChunkAligned;
import static io.hdf5flink.source.SourceTesting.assertEmits;
import static io.hdf5flink.source.SourceTesting.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.MultiFileArraySource.Layout;
import io.hdf5flink.source.reader.SplitDriver;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MultiFileArraySource} against files numpy wrote: both layouts, natural order,
 * every compression and archive kind, restore of a compressed input, and inputs that disagree.
 */
class MultiFileArraySourceTest {
    private static final long ROWS = 41;
    private static final long CHUNK_ROWS = 4;

    @TempDir
    static Path dir;

    /** Column files ch1, ch2, ch3, ch10, ch11 (in natural order) of {@value #ROWS} big-endian int16. */
    private static List<Path> columns;
    private static Path columnDir;

    @BeforeAll
    static void writeInputs() throws Exception {
        columnDir = Files.createDirectory(dir.resolve("columns"));
        NumpyFixtures numpy = new NumpyFixtures(columnDir);
        columns = new ArrayList<>();
        for (int ch : new int[] {1, 2, 3, 10, 11}) columns.add(numpy.npy("ch" + ch + ".npy", ">i2", 1, ROWS));
        numpy.write();
    }

    private static <B extends ArrayBlockSource.Builder<B>> B small(B builder, long rowBytes) {
        return builder.dataset("/data").chunkRows(CHUNK_ROWS).blockBytes(2 * CHUNK_ROWS * rowBytes)
                .splitBytes(4 * CHUNK_ROWS * rowBytes);
    }

    /** The (rows, columns) array the column files form, little-endian. */
    private static byte[] interleaved(List<Path> files, int size) {
        List<byte[]> cols = new ArrayList<>();
        for (Path f : files) cols.add(NumpyFixtures.expected(f));
        int rows = cols.get(0).length / size;
        byte[] out = new byte[rows * files.size() * size];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols.size(); c++) {
                System.arraycopy(cols.get(c), r * size, out, (r * cols.size() + c) * size, size);
            }
        }
        return out;
    }

    private static byte[] concatenated(List<Path> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) out.writeBytes(NumpyFixtures.expected(f));
        return out.toByteArray();
    }

    @Test
    void columnsOfADirectoryInNaturalOrder() {
        MultiFileArraySource source = small(MultiFileArraySource.builder(Layout.COLUMNS).directory(columnDir), 2).build();
        assertArrayEquals(new long[] {ROWS, 5}, source.getShape());
        assertEquals(DataType.INT16, source.getDataType());
        List<ArrayBlock> blocks = assertEmits(source, interleaved(columns, 2));
        assertChunkAligned(blocks, CHUNK_ROWS, 2 * CHUNK_ROWS * 2, ROWS);
        for (ArrayBlock b : blocks) assertEquals(1, b.shape()[1], "one column per block");
        // ch10 is the fourth column: its first block is at {0, 3}.
        ArrayBlock ch10 = blocks.stream().filter(b -> b.offset()[0] == 0 && b.offset()[1] == 3).findFirst().get();
        assertArrayEquals(Arrays.copyOf(NumpyFixtures.expected(columns.get(3)), 16), ch10.data());
    }

    @Test
    void columnsOfAGlobAndOfAListInNaturalOrder() {
        MultiFileArraySource globbed =
                small(MultiFileArraySource.builder(Layout.COLUMNS).glob(columnDir + "/ch*.npy"), 2).build();
        assertEmits(globbed, interleaved(columns, 2));

        // As a shell expands ch*.npy: ch10 before ch2.
        List<Path> shellOrder = columns.stream().sorted(java.util.Comparator.comparing(Path::toString)).toList();
        MultiFileArraySource listed = small(MultiFileArraySource.builder(Layout.COLUMNS).files(shellOrder), 2).build();
        assertEmits(listed, interleaved(columns, 2));
    }

    @Test
    void rawColumnsEachCompressedDifferently() throws Exception {
        Path d = Files.createDirectory(dir.resolve("raw-columns"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        List<Path> raw = new ArrayList<>();
        for (int c = 0; c < 5; c++) raw.add(numpy.raw("c" + c + ".bin", "<f4", 0, ROWS));
        List<Path> inputs = List.of(raw.get(0), numpy.compress(raw.get(1), "gz"), numpy.compress(raw.get(2), "bz2"),
                numpy.compress(raw.get(3), "zst"), numpy.compress(raw.get(4), "xz"));
        numpy.write();
        MultiFileArraySource source = small(MultiFileArraySource.builder(Layout.COLUMNS).files(inputs)
                .raw(DataType.FLOAT32, ByteOrder.LITTLE_ENDIAN), 4).build();
        List<ArrayBlock> blocks = assertEmits(source, interleaved(raw, 4));
        assertChunkAligned(blocks, CHUNK_ROWS, 2 * CHUNK_ROWS * 4, ROWS);
        // The plain column is mapped and split by rows; each compressed one is one split.
        assertEquals(3 + 4, source.getSplits().size());
        assertEquals(4, source.getSplits().stream().filter(s -> !s.input().mapped()).count());
    }

    @Test
    void segmentsConcatenateRowsWhateverTheirLength() throws Exception {
        Path d = Files.createDirectory(dir.resolve("segments"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        List<Path> segments = List.of(numpy.npy("seg1.npy", ">f4", 1, 10, 3, 2), numpy.npy("seg2.npy", ">f4", 3, 0, 3, 2),
                numpy.npy("seg3.npy", "<f4", 2, 17, 3, 2), numpy.npy("seg10.npy", ">f4", 1, 5, 3, 2));
        Path gz = numpy.compress(segments.get(2), "gz");
        numpy.write();
        Files.delete(segments.get(2));
        Files.move(gz, d.resolve("seg3.npy.gz"));
        MultiFileArraySource source = small(MultiFileArraySource.builder(Layout.SEGMENTS).directory(d), 24).build();
        assertArrayEquals(new long[] {32, 3, 2}, source.getShape());
        List<ArrayBlock> blocks = assertEmits(source, concatenated(segments));
        assertChunkAligned(blocks, CHUNK_ROWS, 2 * CHUNK_ROWS * 24, 10, 27, 32);
        assertTrue(blocks.stream().anyMatch(b -> Arrays.equals(b.offset(), new long[] {10, 0, 0})),
                "the third segment starts at row 10, mid-chunk");
    }

    @Test
    void rawSegmentsWithAHeaderAndDerivedRows() throws Exception {
        Path d = Files.createDirectory(dir.resolve("raw-segments"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        List<Path> segments = List.of(numpy.raw("a.dat", ">u4", 16, 9, 3), numpy.raw("b.dat", ">u4", 16, 12, 3));
        numpy.write();
        MultiFileArraySource source = small(MultiFileArraySource.builder(Layout.SEGMENTS).files(segments)
                .raw(DataType.UINT32, ByteOrder.BIG_ENDIAN).shape(-1, 3).headerBytes(16), 12).build();
        assertArrayEquals(new long[] {21, 3}, source.getShape());
        assertEmits(source, concatenated(segments));
    }

    @Test
    void everyArchiveKind() throws Exception {
        Path d = Files.createDirectory(dir.resolve("archives"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        List<Path> npys = new ArrayList<>();
        List<Path> raws = new ArrayList<>();
        Map<String, Path> npyMembers = new LinkedHashMap<>();
        Map<String, Path> rawMembers = new LinkedHashMap<>();
        // Members are listed out of natural order; the source sorts them.
        for (int ch : new int[] {10, 2, 1}) {
            Path npy = numpy.npy("m" + ch + ".npy", "<i8", 1, ROWS);
            Path raw = numpy.raw("r" + ch + ".bin", ">i8", 0, ROWS);
            npyMembers.put("rec/ch" + ch + ".npy", npy);
            rawMembers.put("ch" + ch + ".bin", raw);
        }
        for (int ch : new int[] {1, 2, 10}) {
            npys.add(npyMembers.get("rec/ch" + ch + ".npy"));
            raws.add(rawMembers.get("ch" + ch + ".bin"));
        }
        Map<String, Path> gzMembers = new LinkedHashMap<>();
        npyMembers.forEach((name, npy) -> gzMembers.put(name + ".gz", numpy.compress(npy, "gz")));
        Map<String, Path> archives = new LinkedHashMap<>();
        archives.put("stored npz", numpy.npz("stored.npz", false, List.of(npys.get(2), npys.get(0), npys.get(1))));
        archives.put("compressed npz", numpy.npz("compressed.npz", true, npys));
        archives.put("stored zip", numpy.zip("stored.zip", "stored", npyMembers));
        archives.put("deflated zip", numpy.zip("deflated.zip", "deflated", npyMembers));
        archives.put("bzip2 zip", numpy.zip("bzip2.zip", "bzip2", npyMembers));
        archives.put("tar", numpy.tar("plain.tar", "w", npyMembers));
        archives.put("tar.gz", numpy.tar("plain.tar.gz", "w:gz", npyMembers));
        archives.put("tgz", numpy.tar("plain.tgz", "w:gz", npyMembers));
        archives.put("tar.bz2", numpy.tar("plain.tar.bz2", "w:bz2", npyMembers));
        archives.put("tar of .npy.gz", numpy.tar("members.tar", "w", gzMembers));
        Path rawZip = numpy.zip("raw.zip", "deflated", rawMembers);
        numpy.write();
        byte[] expected = interleaved(npys, 8);
        for (Map.Entry<String, Path> archive : archives.entrySet()) {
            MultiFileArraySource source =
                    small(MultiFileArraySource.builder(Layout.COLUMNS).files(archive.getValue()), 8).build();
            assertArrayEquals(new long[] {ROWS, 3}, source.getShape(), archive.getKey());
            assertEmits(source, expected);
            boolean mapped = Arrays.asList("stored npz", "stored zip", "tar").contains(archive.getKey());
            assertEquals(mapped, source.getSplits().get(0).input().mapped(), archive.getKey() + " is mapped");
        }
        MultiFileArraySource raw = small(MultiFileArraySource.builder(Layout.COLUMNS).files(rawZip)
                .raw(DataType.INT64, ByteOrder.BIG_ENDIAN), 8).build();
        assertEmits(raw, interleaved(raws, 8));
    }

    @Test
    void resumesACompressedInputFromItsCheckpointedRow() throws Exception {
        NumpyFixtures numpy = new NumpyFixtures(dir);
        Path zst = numpy.compress(columns.get(1), "zst");
        numpy.write();
        MultiFileArraySource source = small(MultiFileArraySource.builder(Layout.COLUMNS).files(zst), 2).build();
        ArraySplit split = source.getSplits().get(0);
        assertFalse(split.input().mapped());
        List<ArrayBlock> all = SplitDriver.read(split, source.getBlockRows());
        List<ArrayBlock> resumed = new ArrayList<>(SplitDriver.read(split, source.getBlockRows(), 3));
        long next = resumed.get(2).offset()[0] + resumed.get(2).shape()[0];
        ArraySplitSerializer serializer = ArraySplitSerializer.INSTANCE;
        ArraySplit restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split.withNextRow(next)));
        resumed.addAll(SplitDriver.read(restored, source.getBlockRows()));
        assertEquals(all, resumed);
        // Finished but not yet reported done when checkpointed: nothing to read, and the input is not opened.
        Files.delete(zst);
        assertEquals(List.of(), SplitDriver.read(split.withNextRow(split.endRow()), source.getBlockRows()));
    }

    @Test
    void refusesInputsThatDisagree() throws Exception {
        Path d = Files.createDirectory(dir.resolve("disagree"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        Path shorter = numpy.npy("short.npy", ">i2", 1, ROWS - 1);
        Path floats = numpy.npy("floats.npy", "<f4", 1, ROWS);
        Path matrix = numpy.npy("matrix.npy", ">i2", 1, ROWS, 2);
        Path wider = numpy.npy("wider.npy", ">i2", 1, 5, 3);
        numpy.write();
        Path first = columns.get(0);
        assertRefused(() -> columns(first, shorter), shorter.toString(), "40 rows", "first column (" + first + ") has 41");
        assertRefused(() -> columns(first, floats), floats.toString(), "dtype FLOAT32", "is INT16");
        assertRefused(() -> columns(first, matrix), matrix.toString(), "not 1-D");
        assertRefused(() -> MultiFileArraySource.builder(Layout.SEGMENTS).files(matrix, wider).dataset("/d").build(),
                wider.toString(), "rows of shape [3]", "has rows of shape [2]");
    }

    private static MultiFileArraySource columns(Path... files) {
        return MultiFileArraySource.builder(Layout.COLUMNS).files(files).dataset("/d").build();
    }

    @Test
    void refusesMissingTruncatedAndCorruptInputsNamingFileAndMember() throws Exception {
        Path d = Files.createDirectory(dir.resolve("bad"));
        NumpyFixtures numpy = new NumpyFixtures(d);
        Path big = numpy.npy("big.npy", "<f8", 1, 4000);
        Path zip = numpy.zip("rec.zip", "deflated", Map.of("big.npy", big));
        Path twice = numpy.tar("twice.tar", "w", List.of(Map.entry("ch.npy", big), Map.entry("ch.npy", big)));
        Path truncatedNpy = d.resolve("cut.npy");
        numpy.write();
        byte[] npy = Files.readAllBytes(big);
        Files.write(truncatedNpy, Arrays.copyOf(npy, npy.length - 8));
        NumpyFixtures compress = new NumpyFixtures(d);
        Path truncatedGz = compress.compress(truncatedNpy, "gz");
        Path gz = compress.compress(big, "gz");
        compress.write();

        assertRefused(() -> columns(columns.get(0), d.resolve("nope.npy")), d.resolve("nope.npy").toString(),
                "does not exist");
        assertRefused(() -> columns(truncatedGz), truncatedGz.toString(), "the header claims 32000 data bytes",
                "holds only 31992");

        byte[] gzBytes = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(gzBytes, gzBytes.length / 2));
        assertRefused(() -> columns(gz), gz.toString(), "corrupt or truncated compressed data");

        byte[] zipBytes = Files.readAllBytes(zip);
        for (int i = 200; i < 400; i++) zipBytes[i] ^= 0x5a;
        Files.write(zip, zipBytes);
        assertRefused(() -> columns(zip), zip + " (archive member big.npy)", "corrupt or truncated compressed data");

        assertRefused(() -> columns(twice), twice.toString(), "more than one member named ch.npy");

        Path notArray = Files.writeString(d.resolve("notes.txt"), "not an array");
        assertRefused(() -> columns(notArray), notArray.toString(), "not a .npy file (it does not start with numpy's magic");

        Path empty = Files.createDirectory(d.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultiFileArraySource.builder(Layout.COLUMNS).directory(empty).dataset("/d").build());
        assertTrue(e.getMessage().contains("holds no input files"), e.getMessage());
    }
}
