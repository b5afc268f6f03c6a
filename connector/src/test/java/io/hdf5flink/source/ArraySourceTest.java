package io.hdf5flink.source;

import static io.hdf5flink.source.SourceTesting.assertChunkAligned;
import static io.hdf5flink.source.SourceTesting.assertEmits;
import static io.hdf5flink.source.SourceTesting.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.reader.SplitDriver;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ArraySource} against files numpy wrote: every dtype (float16, bool and complex too; a
 * big-endian complex swaps each part on its own), byte order and .npy version, raw files, bad
 * files.
 */
class ArraySourceTest {
    private static final String[] CODES = {"i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "b1", "c8", "c16"};
    private static final long ROWS = 37;
    private static final long CHUNK_ROWS = 4;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeInputs() {
        NumpyFixtures numpy = new NumpyFixtures(dir);
        dtypes().forEach(a -> {
            String dtype = (String) a.get()[0];
            for (int version = 1; version <= 3; version++) numpy.npy(name(dtype, version), dtype, version, ROWS, 3);
        });
        numpy.npy("vector.npy", "<f8", 1, 1001);
        numpy.npy("cube.npy", ">i2", 2, 9, 4, 5);
        numpy.npy("empty.npy", "<i4", 1, 0, 7);
        numpy.raw("le.bin", "<i4", 100, 50, 5);
        numpy.raw("be.bin", ">u8", 0, 23, 2, 3);
        numpy.raw("vector.bin", ">f4", 0, 77);
        numpy.write();
    }

    static Stream<Arguments> dtypes() {
        List<Arguments> all = new ArrayList<>();
        for (String code : CODES) {
            if (code.endsWith("1")) {
                all.add(Arguments.of("|" + code));
            } else {
                all.add(Arguments.of("<" + code));
                all.add(Arguments.of(">" + code));
            }
        }
        return all.stream();
    }

    private static String name(String dtype, int version) {
        String order = dtype.startsWith(">") ? "be" : "le";
        return dtype.substring(1) + order + "-v" + version + ".npy";
    }

    /** Blocks of three chunk row-bands and splits of two blocks, so every array has several of both. */
    private static ArraySource.Builder small(ArraySource.Builder builder, long rowBytes) {
        return builder.dataset("/data").chunkRows(CHUNK_ROWS).blockBytes(3 * CHUNK_ROWS * rowBytes + 1)
                .splitBytes(6 * CHUNK_ROWS * rowBytes);
    }

    @ParameterizedTest
    @MethodSource("dtypes")
    void readsEveryVersionOfEveryDtype(String dtype) {
        DataType type = DataType.parse(dtype).type();
        for (int version = 1; version <= 3; version++) {
            Path file = dir.resolve(name(dtype, version));
            ArraySource source = small(ArraySource.npy(file), 3L * type.size()).build();
            assertEquals(type, source.getDataType());
            assertArrayEquals(new long[] {ROWS, 3}, source.getShape());
            List<ArrayBlock> blocks = assertEmits(source, NumpyFixtures.expected(file));
            assertChunkAligned(blocks, CHUNK_ROWS, 3 * CHUNK_ROWS * 3L * type.size() + 1, ROWS);
            assertEquals(4, blocks.size(), "blocks of 12, 12, 12 and 1 rows");
            assertEquals(2, source.getSplits().size(), "splits of 24 and 13 rows");
        }
    }

    @Test
    void readsOneAndThreeDimensionalArrays() {
        Path vector = dir.resolve("vector.npy");
        List<ArrayBlock> blocks = assertEmits(small(ArraySource.npy(vector), 8).build(), NumpyFixtures.expected(vector));
        assertChunkAligned(blocks, CHUNK_ROWS, 3 * CHUNK_ROWS * 8 + 1, 1001);
        assertEquals(1, blocks.get(0).rank());

        Path cube = dir.resolve("cube.npy");
        ArraySource source = small(ArraySource.npy(cube), 40).build();
        assertArrayEquals(new long[] {9, 4, 5}, source.getShape());
        blocks = assertEmits(source, NumpyFixtures.expected(cube));
        assertEquals(1, blocks.size());
        assertArrayEquals(new long[] {0, 0, 0}, blocks.get(0).offset());
        assertArrayEquals(new long[] {9, 4, 5}, blocks.get(0).shape());
    }

    @Test
    void readsAnEmptyArrayAsNoBlocks() {
        ArraySource source = ArraySource.npy(dir.resolve("empty.npy")).dataset("/data").build();
        assertArrayEquals(new long[] {0, 7}, source.getShape());
        assertEquals(List.of(), source.getSplits());
    }

    @Test
    void readsRawFilesInEitherByteOrderAfterAHeader() {
        Path le = dir.resolve("le.bin");
        ArraySource source = small(ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(-1, 5)
                .headerBytes(100), 20).build();
        assertArrayEquals(new long[] {50, 5}, source.getShape());
        assertEmits(source, NumpyFixtures.expected(le));

        Path be = dir.resolve("be.bin");
        source = small(ArraySource.raw(be, DataType.UINT64, ByteOrder.BIG_ENDIAN).shape(23, 2, 3), 48).build();
        assertEmits(source, NumpyFixtures.expected(be));

        Path vector = dir.resolve("vector.bin");
        source = small(ArraySource.raw(vector, DataType.FLOAT32, ByteOrder.BIG_ENDIAN), 4).build();
        assertArrayEquals(new long[] {77}, source.getShape());
        assertEmits(source, NumpyFixtures.expected(vector));
    }

    @Test
    void refusesRawFilesThatDisagreeWithTheirFormat() {
        Path le = dir.resolve("le.bin");
        String file = le.toString();
        // 100 + 50 * 5 * 4 bytes are not a whole number of 3-element rows after a 100-byte header.
        assertRefused(() -> ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(-1, 3).headerBytes(100)
                .dataset("/d").build(), file, "not a whole number of rows");
        assertRefused(() -> ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(51, 5).headerBytes(100)
                .dataset("/d").build(), file, "holds only 1000");
        assertRefused(() -> ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).headerBytes(5000)
                .dataset("/d").build(), file, "fewer than its 5000 header bytes");
    }

    @Test
    void resumesASplitFromItsCheckpointedRow() throws Exception {
        Path file = dir.resolve(name(">f8", 2));
        ArraySource source = small(ArraySource.npy(file), 24).build();
        ArraySplit split = source.getSplits().get(0);
        List<ArrayBlock> all = SplitDriver.read(split, source.getBlockRows());
        List<ArrayBlock> before = SplitDriver.read(split, source.getBlockRows(), 1);
        long next = before.get(0).shape()[0];
        ArraySplitSerializer serializer = ArraySplitSerializer.INSTANCE;
        ArraySplit restored = serializer.deserialize(serializer.getVersion(),
                serializer.serialize(split.withNextRow(next)));
        List<ArrayBlock> after = SplitDriver.read(restored, source.getBlockRows());
        List<ArrayBlock> resumed = new ArrayList<>(before);
        resumed.addAll(after);
        assertEquals(all, resumed);
    }

    /**
     * A sparse .npy larger than 2 GiB, big-endian, with 22-byte rows so one row straddles byte
     * 2^31: the splits holding the written rows (at the start, across 2 GiB and at the end) are
     * read, and every other row in them is zero.
     */
    @Test
    void readsAroundTwoGibibytesOfASparseFileLargerThanThat() throws Exception {
        long rows = 100_000_000;
        long rowBytes = 22;
        long dataOffset = 128;
        long straddling = ((1L << 31) - dataOffset) / rowBytes;
        long[] written = {0, 1, straddling - 1, straddling, straddling + 1, rows - 2, rows - 1};
        NumpyFixtures numpy = new NumpyFixtures(dir);
        Path file = numpy.sparse("big.npy", ">u2", written, rows, 11);
        numpy.write();
        try {
            assertTrue(Files.size(file) > (1L << 31));
            ArraySource source = ArraySource.npy(file).dataset("/big").chunkRows(1000).blockBytes(1 << 20)
                    .splitBytes(4 << 20).build();
            assertEquals(source.getSplits().stream().mapToLong(s -> s.endRow() - s.nextRow()).sum(), rows);
            assertEquals(dataOffset, source.getSplits().get(0).input().dataOffset());

            byte[] expected = NumpyFixtures.expected(file);
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            boolean crossed = false;
            for (ArraySplit split : source.getSplits()) {
                if (Arrays.stream(written).noneMatch(r -> r >= split.nextRow() && r < split.endRow())) continue;
                for (ArrayBlock block : SplitDriver.read(split, source.getBlockRows())) {
                    long first = block.offset()[0];
                    crossed |= dataOffset + first * rowBytes < (1L << 31)
                            && dataOffset + (first + block.shape()[0]) * rowBytes > (1L << 31);
                    for (long r = 0; r < block.shape()[0]; r++) {
                        long row = first + r;
                        byte[] values = Arrays.copyOfRange(block.data(), (int) (r * rowBytes), (int) ((r + 1) * rowBytes));
                        if (Arrays.stream(written).anyMatch(w -> w == row)) {
                            seen.write(values);
                        } else {
                            assertArrayEquals(new byte[(int) rowBytes], values, "row " + row + " is zero");
                        }
                    }
                }
            }
            assertTrue(crossed, "a block crosses byte 2^31");
            assertArrayEquals(expected, seen.toByteArray());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void refusesMissingMalformedAndUnsupportedFiles() throws Exception {
        NumpyFixtures numpy = new NumpyFixtures(dir);
        Path objects = numpy.save("objects.npy", "np.array([{'a': 1}, None], dtype=object)");
        Path structured = numpy.save("structured.npy", "np.zeros(3, dtype=[('t', '<f8'), ('v', '<i2')])");
        Path strings = numpy.save("strings.npy", "np.array(['ab', 'cd'])");
        Path quads = numpy.save("quads.npy", "np.zeros(4, dtype=np.longdouble)");
        Path complexQuads = numpy.save("complex-quads.npy", "np.zeros(4, dtype=np.clongdouble)");
        Path fortran = numpy.save("fortran.npy", "np.asfortranarray(np.zeros((3, 4)))");
        Path scalar = numpy.save("scalar.npy", "np.float64(1.5)");
        numpy.write();
        assertRefused(() -> npy(objects), objects.toString(), "object", "not supported");
        assertRefused(() -> npy(structured), structured.toString(), "structured dtype");
        assertRefused(() -> npy(strings), strings.toString(), "unicode-string dtype '<U2'");
        assertRefused(() -> npy(quads), quads.toString(), "float128 dtype '<f16' is not supported", "float16");
        assertRefused(() -> npy(complexQuads), complexQuads.toString(), "complex256 dtype '<c32'", "complex128");
        assertRefused(() -> npy(fortran), fortran.toString(), "Fortran-order");
        assertRefused(() -> npy(scalar), scalar.toString(), "0-dimensional");

        Path missing = dir.resolve("missing.npy");
        assertRefused(() -> npy(missing), missing.toString(), "does not exist");

        byte[] good = Files.readAllBytes(dir.resolve(name("<i4", 1)));
        Path truncatedHeader = Files.write(dir.resolve("truncated-header.npy"), Arrays.copyOf(good, 40));
        assertRefused(() -> npy(truncatedHeader), truncatedHeader.toString(), "truncated .npy header");
        Path truncatedData = Files.write(dir.resolve("truncated-data.npy"), Arrays.copyOf(good, good.length - 5));
        assertRefused(() -> npy(truncatedData), truncatedData.toString(), "the header claims 444 data bytes",
                "holds only 439");
        Path text = Files.writeString(dir.resolve("text.npy"), "time,value\n0,1\n");
        assertRefused(() -> npy(text), text.toString(), "not a .npy file");
    }

    /** Issue 19: np.memmap writes raw files named .npy, and a .npy file may have any name. */
    @Test
    void decidesByContentNotByName() throws Exception {
        Path cube = dir.resolve("cube.npy");
        Path renamed = Files.copy(cube, dir.resolve("cube.dat"), StandardCopyOption.REPLACE_EXISTING);
        assertEmits(ArraySource.npy(renamed).dataset("/data").build(), NumpyFixtures.expected(cube));
        // A raw format that agrees with the header reads it by its header.
        assertEmits(ArraySource.raw(renamed, DataType.INT16, ByteOrder.BIG_ENDIAN).shape(-1, 4, 5).dataset("/data").build(),
                NumpyFixtures.expected(cube));
        assertEmits(ArraySource.raw(renamed, DataType.INT16, ByteOrder.BIG_ENDIAN).dataset("/data").build(),
                NumpyFixtures.expected(cube));
        // One that does not is refused, naming both: the header was once read as raw data.
        String file = renamed.toString();
        assertRefused(() -> ArraySource.raw(renamed, DataType.FLOAT32, ByteOrder.LITTLE_ENDIAN).dataset("/d").build(), file,
                "it is a .npy file of >i2 (9, 4, 5)", "the given dtype <f4 contradicts");
        assertRefused(() -> ArraySource.raw(renamed, DataType.INT16, ByteOrder.BIG_ENDIAN).shape(9, 20).dataset("/d").build(),
                file, "shape (9, 20)");
        assertRefused(() -> ArraySource.raw(renamed, DataType.INT16, ByteOrder.BIG_ENDIAN).headerBytes(7).dataset("/d").build(),
                file, "7 header bytes");

        Path le = dir.resolve("le.bin");
        Path memmap = Files.copy(le, dir.resolve("memmap.npy"), StandardCopyOption.REPLACE_EXISTING);
        assertEmits(ArraySource.raw(memmap, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(-1, 5).headerBytes(100)
                .dataset("/data").build(), NumpyFixtures.expected(le));
        assertRefused(() -> ArraySource.npy(memmap).dataset("/d").build(), memmap.toString(),
                "not a .npy file (it does not start with numpy's magic");
    }

    /** Issue 19: a shape covering part of a raw file dropped the rest without a word. */
    @Test
    void refusesRawShapesThatCoverPartOfTheFile() throws Exception {
        Path le = dir.resolve("le.bin");
        assertRefused(() -> ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(10, 5).headerBytes(100)
                .dataset("/d").build(), le.toString(), "holds 1000 data bytes (50 rows), more than the 200 of <i4 (10, 5)",
                "-1 as the first extent");
        assertRefused(() -> ArraySource.raw(le, DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(249).headerBytes(100)
                .dataset("/d").build(), le.toString(), "more than the 996 of <i4 (249,)");
        // Compressed inputs are decoded only up to the shape: one byte more is refused.
        Path gz = dir.resolve("le.bin.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(le));
        }
        assertRefused(() -> MultiFileArraySource.builder(MultiFileArraySource.Layout.SEGMENTS).files(gz)
                .raw(DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(10, 5).headerBytes(100).dataset("/d").build(),
                gz.toString(), "holds more than the 200 data bytes of <i4 (10, 5)");
        assertEmits(MultiFileArraySource.builder(MultiFileArraySource.Layout.SEGMENTS).files(gz)
                .raw(DataType.INT32, ByteOrder.LITTLE_ENDIAN).shape(50, 5).headerBytes(100).dataset("/data").build(),
                NumpyFixtures.expected(le));
    }

    /** Issue 19: a row larger than the default block (an 8 MiB+ frame) could not be read at all. */
    @Test
    void blocksGrowToOneChunkRowBandByDefault() {
        Path cube = dir.resolve("cube.npy"); // rows of 40 bytes
        assertEquals(209_712, ArraySource.npy(cube).dataset("/d").chunkRows(16).build().getBlockRows(),
                "8 MiB of whole 16-row bands");
        assertEquals(300_000, ArraySource.npy(cube).dataset("/d").chunkRows(300_000).build().getBlockRows(),
                "one 12 MB band");
        assertRefused(() -> ArraySource.npy(cube).dataset("/d").chunkRows(60_000_000).build(), "a chunk row-band of 60000000 rows",
                "more than the 2147483639 bytes one block can hold");
    }

    private static ArraySource npy(Path file) {
        return ArraySource.npy(file).dataset("/data").build();
    }

    @Test
    void refusesInconsistentSettings() {
        Path file = dir.resolve(name("<i2", 1));
        assertThrows(IllegalStateException.class, () -> ArraySource.npy(file).shape(3, 3));
        assertThrows(IllegalStateException.class, () -> ArraySource.npy(file).build(), "no dataset");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArraySource.npy(file).dataset("/d").chunkRows(100).blockBytes(599).build());
        assertTrue(e.getMessage().contains("cannot hold one chunk row-band of 100 rows of 6 bytes"), e.getMessage());
    }
}
