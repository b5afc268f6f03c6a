package io.hdf5flink.hdf5.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the interop harness itself: h5py writes files covering every numeric dtype, ranks 1 to
 * 4 and 8, unlimited dimensions, chunking, the filters we support (zstd, which libhdf5 here
 * lacks, through h5describe.py's own decoder), fill values (NaN included),
 * nested groups and attributes of every kind; the expectation is built in Java from the same
 * formulas, never read back from the file; both readers must match it, and a wrong expectation
 * must fail with a message naming the reader, the object, the field and the values.
 */
class ReferenceHarnessInteropTest {

    private static final String[] NUMERIC = {"|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f4", "<f8"};
    private static final long[][] SHAPES = {
        {37}, {5, 7}, {3, 4, 5}, {2, 3, 2, 3}, {41}, {6, 6}, {2, 5, 3}, {3, 2, 2, 2}, {6, 5}, {2, 2, 2, 2, 2, 2, 2, 3},
    };

    /** Writes the file; the numbers here are mirrored by {@link #expected()}. */
    private static final String WRITE_FIXTURE = """
            import sys
            import numpy as np, h5py, hdf5plugin, zstandard
            from h5pattern import shaped
            NUMERIC = %s
            SHAPES = %s
            with h5py.File(sys.argv[1], "w") as f:
                for dtype, shape in zip(NUMERIC, SHAPES):
                    f.create_dataset("numeric/" + dtype[1:], data=shaped(dtype, shape))
                f.create_dataset("numeric/big_endian_i4", data=shaped(">i4", (4, 5)))
                f.create_dataset("numeric/big_endian_f8", data=shaped(">f8", (9,)))
                f.create_dataset("scalar", data=np.float64(3.25))

                c = f.create_group("chunked")
                c.create_dataset("gzip_shuffle_fletcher", data=shaped("<i2", (100, 6)), maxshape=(None, 6),
                                 chunks=(16, 6), compression="gzip", compression_opts=4, shuffle=True, fletcher32=True)
                c.create_dataset("lzf", data=np.repeat(shaped("<f4", (20,)), 10), maxshape=(None,), chunks=(50,),
                                 compression="lzf")
                c.create_dataset("lzf_declined", data=shaped("<u8", (6,)), chunks=(2,), compression="lzf")
                c.create_dataset("lz4", data=shaped("<u4", (10, 100)), maxshape=(None, None), chunks=(3, 64),
                                 **hdf5plugin.LZ4())
                c.create_dataset("bzip2", data=shaped("<i8", (300,)), chunks=(64,), **hdf5plugin.BZip2())
                # libhdf5 here has no zstd plugin: write shuffled, zstd-compressed chunks directly
                z = c.create_dataset("zstd", shape=(10,), chunks=(4,), dtype="<f8", shuffle=True,
                                     compression=32015, compression_opts=(3,), allow_unknown_filter=True)
                padded = shaped("<f8", (12,))
                for start in (0, 4, 8):
                    shuffled = np.frombuffer(padded[start:start + 4].tobytes(), np.uint8).reshape(-1, 8).T.tobytes()
                    z.id.write_direct_chunk((start,), zstandard.ZstdCompressor(level=3).compress(shuffled))

                g = f.create_group("fill")
                d = g.create_dataset("nan_partial", shape=(10, 3), maxshape=(None, 3), chunks=(4, 3), dtype="<f4",
                                     fillvalue=np.nan)
                d[0:4] = shaped("<f4", (4, 3))
                g.create_dataset("nan_written", data=shaped("<f8", (7,)), chunks=(4,), fillvalue=np.nan)
                d = g.create_dataset("int_partial", shape=(9,), maxshape=(None,), chunks=(4,), dtype="<i2", fillvalue=-7)
                d[0:4] = shaped("<i2", (4,))

                deep = f.create_group("a/b/c")
                deep.attrs["depth"] = np.int16(3)
                f["a"].attrs["note"] = "nested"
                f.attrs["title"] = "harness self-test"
                f.attrs["unit"] = "\u00b5V"
                f.attrs["version"] = 7
                f.attrs["scale"] = 0.125
                f.attrs["fixed"] = np.bytes_("abc")
                f.attrs["ints"] = np.arange(4, dtype="<i4")
                f.attrs["floats"] = np.array([1.5, np.nan, -np.inf], dtype="<f4")
                f.attrs["big_u8"] = np.uint64(2**63 + 5)
                f.attrs["names"] = np.array(["x", "yz"], dtype=h5py.string_dtype())
                f.attrs["matrix"] = np.arange(6, dtype="<u2").reshape(2, 3)
                f["numeric/i2"].attrs["unit"] = "mV"
            """;

    @TempDir
    static Path directory;
    private static Path file;
    private static FileDescription h5py;
    private static FileDescription jhdf;

    @BeforeAll
    static void writeFixture() {
        file = directory.resolve("harness.h5");
        ReferenceLibrary.runPython(WRITE_FIXTURE.formatted(pythonList(NUMERIC), pythonShapes()), file.toString());
        h5py = ReferenceLibrary.describe(file, directory.resolve("h5py-data"), 3);
        jhdf = JhdfDescriber.describe(file, 3);
    }

    private static FileDescription expected() {
        ExpectedFile expected = ExpectedFile.create().superblockVersion(0);
        for (int i = 0; i < NUMERIC.length; i++) {
            String dtype = NUMERIC[i];
            long[] shape = SHAPES[i];
            expected.dataset("/numeric/" + dtype.substring(1), d -> contiguous(d.dtype(dtype).shape(shape).maxshape(shape)));
        }
        expected.dataset("/numeric/i2", d -> d.attribute("unit", "mV"));
        expected.dataset("/numeric/big_endian_i4", d -> contiguous(d.dtype(">i4").shape(4, 5).maxshape(4, 5)));
        expected.dataset("/numeric/big_endian_f8", d -> contiguous(d.dtype(">f8").shape(9).maxshape(9)));
        expected.dataset("/scalar", d -> d.dtype("<f8").shape().maxshape().layout("contiguous").filters()
                .data(le(8).putDouble(3.25).flip()).noAttributes());

        expected.dataset("/chunked/gzip_shuffle_fletcher", d -> d.dtype("<i2").shape(100, 6)
                .maxshape(ExpectedFile.UNLIMITED, 6).chunks(16, 6)
                .filters(FilterInfo.shuffle(2), FilterInfo.deflate(4), FilterInfo.fletcher32())
                .fill(0).fillValueDefined("default").fillTime("alloc").allocTime("incremental")
                .allocatedChunks(7).patternData().noAttributes());
        expected.dataset("/chunked/lzf", d -> d.dtype("<f4").shape(200).maxshape(ExpectedFile.UNLIMITED).chunks(50)
                .filters(new FilterInfo(32000, FilterInfo.OPTIONAL, new int[] {4, 261, 200}))
                .allocatedChunks(4).data(repeatEach(DatasetData.pattern("<f4", 0, 20).bytes(), 4, 10)));
        expected.dataset("/chunked/lzf_declined", d -> d.dtype("<u8").shape(6).chunks(2)
                .filters(FilterInfo.id(32000)).allocatedChunks(3).patternData());
        expected.dataset("/chunked/lz4", d -> d.dtype("<u4").shape(10, 100)
                .maxshape(ExpectedFile.UNLIMITED, ExpectedFile.UNLIMITED).chunks(3, 64)
                .filters(new FilterInfo(32004, FilterInfo.OPTIONAL, new int[] {0})).allocatedChunks(8).patternData());
        expected.dataset("/chunked/bzip2", d -> d.dtype("<i8").shape(300).maxshape(300).chunks(64)
                .filters(new FilterInfo(307, FilterInfo.OPTIONAL, new int[] {9})).allocatedChunks(5).patternData());
        expected.dataset("/chunked/zstd", d -> d.dtype("<f8").shape(10).maxshape(10).chunks(4)
                .filters(FilterInfo.shuffle(8), new FilterInfo(32015, FilterInfo.OPTIONAL, new int[] {3}))
                .allocatedChunks(3).patternData());

        ByteBuffer nanPartial = le(4 * 30);
        nanPartial.put(DatasetData.pattern("<f4", 0, 12).bytes());
        while (nanPartial.hasRemaining()) {
            nanPartial.putFloat(Float.NaN);
        }
        expected.dataset("/fill/nan_partial", d -> d.dtype("<f4").shape(10, 3).chunks(4, 3).fill(Double.NaN)
                .fillValueDefined("user").allocatedChunks(1).storedBytes(4 * 12).data(nanPartial.flip()));
        expected.dataset("/fill/nan_written", d -> d.dtype("<f8").shape(7).chunks(4).fill(Double.NaN)
                .fillValueDefined("user").allocatedChunks(2).patternData());
        ByteBuffer intPartial = le(2 * 9);
        intPartial.put(DatasetData.pattern("<i2", 0, 4).bytes());
        while (intPartial.hasRemaining()) {
            intPartial.putShort((short) -7);
        }
        expected.dataset("/fill/int_partial", d -> d.dtype("<i2").shape(9).chunks(4).fill(-7)
                .allocatedChunks(1).data(intPartial.flip()));

        expected.group("/a", g -> g.attribute("note", "nested"));
        expected.group("/a/b", ExpectedFile.GroupSpec::noAttributes);
        expected.group("/a/b/c", g -> g.attribute("depth", AttributeValue.of("<i2", 3)));
        expected.group("/chunked", ExpectedFile.GroupSpec::noAttributes);
        expected.group("/", g -> g
                .attribute("title", "harness self-test")
                .attribute("unit", "\u00b5V")
                .attribute("version", AttributeValue.of("<i8", 7))
                .attribute("scale", AttributeValue.of("<f8", 0.125))
                .attribute("fixed", AttributeValue.fixedString("abc", 3, "ascii", "nullpad"))
                .attribute("ints", AttributeValue.of("<i4", new int[] {0, 1, 2, 3}))
                .attribute("floats", AttributeValue.of("<f4", new float[] {1.5f, Float.NaN, Float.NEGATIVE_INFINITY}))
                .attribute("big_u8", AttributeValue.of("<u8", new java.math.BigInteger("9223372036854775813")))
                .attribute("names", AttributeValue.of(AttributeValue.variableStringType("utf-8"), List.of("x", "yz")))
                .attribute("matrix", AttributeValue.of("<u2", new int[][] {{0, 1, 2}, {3, 4, 5}})));
        return expected.build();
    }

    /** Contiguous, unfiltered, pattern data, default fill: what h5py makes of {@code data=}. */
    private static ExpectedFile.DatasetSpec contiguous(ExpectedFile.DatasetSpec d) {
        return d.layout("contiguous").filters().fill(0).fillValueDefined("default").fillTime("ifset")
                .allocTime("late").patternData();
    }

    @Test
    void libhdf5SeesExactlyTheExpectedFile() {
        HdfAssertions.assertSameFile(expected(), h5py, "h5py");
        // the reference must know every value here (zstd included), or the comparison skipped it
        h5py.datasets().values().forEach(d -> assertTrue(d.data().isKnown(), d.path() + ": " + d.data()));
    }

    @Test
    void jhdfSeesExactlyTheExpectedFile() {
        HdfAssertions.assertSameFile(expected(), jhdf, "jhdf");
    }

    @Test
    void bothReadersAgreeWithEachOther() {
        HdfAssertions.assertSameFile(h5py, jhdf, "jhdf");
        assertEquals(h5py.group("/"), jhdf.group("/"), "records compare by value, NaN and nested lists included");
    }

    @Test
    void jhdfLeavesUnknownWhatItCannotRead() {
        assertUnknown("/chunked/bzip2", "id=307");
        assertUnknown("/chunked/zstd", "id=32015");
        assertUnknown("/chunked/lzf_declined", "filter mask");
        assertUnknown("/fill/nan_partial", "unallocated");
        assertUnknown("/fill/int_partial", "unallocated");
        assertTrue(jhdf.dataset("/chunked/lz4").data().isKnown());
        assertTrue(jhdf.dataset("/chunked/lzf").data().isKnown());
        assertTrue(jhdf.dataset("/fill/nan_written").data().isKnown());
    }

    private static void assertUnknown(String path, String reasonPart) {
        DatasetData data = jhdf.dataset(path).data();
        assertFalse(data.isKnown(), path + " should be unknown to jhdf");
        assertTrue(data.unknownReason().contains(reasonPart), data.unknownReason());
    }

    @Test
    void chunkListsAgreeAndShowSkippedFilters() {
        List<ChunkInfo> chunks = h5py.dataset("/chunked/lzf_declined").chunkList();
        assertEquals(3, chunks.size());
        assertEquals(1, chunks.get(0).filterMask(), "LZF declines 16-byte chunks, so h5py stores them unfiltered");
        assertArrayEquals(new long[] {2}, chunks.get(1).offset());
        assertEquals(chunks, jhdf.dataset("/chunked/lzf_declined").chunkList());
        assertEquals(h5py.dataset("/chunked/lz4").chunkList(), jhdf.dataset("/chunked/lz4").chunkList());
    }

    @Test
    void wrongShapeIsReportedPrecisely() {
        FileDescription wrong = expectOnly("/numeric/i2", d -> d.shape(5, 8));
        String message = failureOf(wrong, h5py, "h5py");
        assertTrue(message.contains("h5py says /numeric/i2 shape [5, 7], expected [5, 8]"), message);
    }

    @Test
    void wrongDataNamesTheFirstDifferingElement() {
        byte[] data = DatasetData.pattern("<i4", 0, 60).bytes().clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(4 * 27, 12345);
        FileDescription wrong = expectOnly(d -> d.dtype("<i4").data(data));
        int actual = ByteBuffer.wrap(DatasetData.pattern("<i4", 27, 1).bytes()).order(ByteOrder.LITTLE_ENDIAN).getInt();
        for (FileDescription reader : List.of(h5py, jhdf)) {
            String message = failureOf(wrong, reader, "reader");
            assertTrue(message.contains("reader says /numeric/i4 data element 27 [1, 1, 2] = " + actual
                    + ", expected 12345 (1 of 60 elements differ)"), message);
        }
    }

    @Test
    void wrongMetadataIsReportedFieldByField() {
        FileDescription wrong = everything().superblockVersion(2)
                .dataset("/chunked/gzip_shuffle_fletcher", d -> d.dtype("<u2").maxshape(100, 6).chunks(8, 6)
                        .filters(FilterInfo.shuffle(2), FilterInfo.deflate(6), FilterInfo.fletcher32()).fill(1)
                        .attribute("unit", "V"))
                .group("/", g -> g.attribute("title", "other"))
                .build();
        String message = failureOf(wrong, jhdf, "jhdf");
        for (String expected : List.of(
                "jhdf says superblock version 0, expected 2",
                "jhdf says /chunked/gzip_shuffle_fletcher dtype \"<i2\", expected \"<u2\"",
                "jhdf says /chunked/gzip_shuffle_fletcher maxshape [unlimited, 6], expected [100, 6]",
                "jhdf says /chunked/gzip_shuffle_fletcher chunks [16, 6], expected [8, 6]",
                "jhdf says /chunked/gzip_shuffle_fletcher filter 1 (id 1) cd [4], expected [6]",
                "jhdf says /chunked/gzip_shuffle_fletcher has no attribute 'unit'",
                "jhdf says / attribute 'title' value \"harness self-test\", expected \"other\"",
                "jhdf says / has an unexpected attribute 'version'")) {
            assertTrue(message.contains(expected), "missing \"" + expected + "\" in:\n" + message);
        }
        // jhdf cannot tell libhdf5's default fill value from an undefined one, so leaves it unknown
        assertFalse(message.contains("fill value"), message);
        String h5pyMessage = failureOf(wrong, h5py, "h5py");
        assertTrue(h5pyMessage.contains("h5py says /chunked/gzip_shuffle_fletcher fill value 0, expected 1"), h5pyMessage);
    }

    @Test
    void missingAndUnexpectedObjectsAreReported() {
        FileDescription wrong = everything().dataset("/missing", d -> {}).group("/absent").build();
        List<String> differences = HdfAssertions.differences(wrong, h5py, "h5py");
        assertEquals(List.of("h5py finds no group /absent (it has " + h5py.groups().keySet() + ")",
                "h5py finds no dataset /missing (it has " + h5py.datasets().keySet() + ")"), differences);
        FileDescription fewer = ExpectedFile.create().group("/a/b/c").build();
        assertTrue(HdfAssertions.differences(fewer, h5py, "h5py").contains("h5py finds an unexpected dataset /scalar"));
    }

    @Test
    void nanFillValuesCompareBitwise() {
        assertEquals(Double.NaN, h5py.dataset("/fill/nan_written").fillValue());
        assertEquals(Double.NaN, jhdf.dataset("/fill/nan_written").fillValue());
        FileDescription wrong = expectOnly("/fill/nan_written", d -> d.fill(0.0));
        assertTrue(failureOf(wrong, h5py, "h5py").contains("fill value NaN, expected 0.0"));
    }

    @Test
    void h5dumpReadsTheFile() {
        String header = ReferenceLibrary.h5dump(file, "-H", "-d", "/numeric/i2");
        assertTrue(header.contains("H5T_STD_I16LE") && header.contains("( 5, 7 )"), header);
        AssertionError error = assertThrows(AssertionError.class,
                () -> ReferenceLibrary.h5dump(directory.resolve("absent.h5")));
        assertTrue(error.getMessage().contains("h5dump failed"), error.getMessage());
    }

    @Test
    void describeFailsWithLibhdf5sErrorOnANonHdf5File() throws Exception {
        Path notHdf5 = java.nio.file.Files.writeString(directory.resolve("not.h5"), "plain text");
        AssertionError error = assertThrows(AssertionError.class, () -> ReferenceLibrary.describe(notHdf5));
        assertTrue(error.getMessage().contains("h5describe.py failed") && error.getMessage().contains("OSError"),
                error.getMessage());
    }

    /** A description of the whole file that checks only one dataset of {@code /numeric/i4}'s shape. */
    private static FileDescription expectOnly(Consumer<ExpectedFile.DatasetSpec> spec) {
        return expectOnly("/numeric/i4", spec);
    }

    private static FileDescription expectOnly(String path, Consumer<ExpectedFile.DatasetSpec> spec) {
        return everything().dataset(path, spec).build();
    }

    /** An expectation naming every group and dataset of the file and checking nothing else. */
    private static ExpectedFile everything() {
        ExpectedFile expected = ExpectedFile.create();
        h5py.datasets().keySet().forEach(path -> expected.dataset(path, d -> {}));
        h5py.groups().keySet().forEach(expected::group);
        return expected;
    }

    private static String failureOf(FileDescription expected, FileDescription actual, String whoRead) {
        return assertThrows(AssertionError.class, () -> HdfAssertions.assertSameFile(expected, actual, whoRead))
                .getMessage();
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Each {@code size}-byte element of {@code elements} repeated {@code times} times, as numpy.repeat. */
    private static byte[] repeatEach(byte[] elements, int size, int times) {
        ByteBuffer out = ByteBuffer.allocate(elements.length * times);
        for (int e = 0; e < elements.length; e += size) {
            for (int t = 0; t < times; t++) {
                out.put(elements, e, size);
            }
        }
        return out.array();
    }

    private static String pythonList(String[] values) {
        return "[" + String.join(", ", java.util.Arrays.stream(values).map(v -> "\"" + v + "\"").toList()) + "]";
    }

    private static String pythonShapes() {
        StringBuilder out = new StringBuilder("[");
        for (long[] shape : SHAPES) {
            out.append("(");
            for (long dim : shape) {
                out.append(dim).append(", ");
            }
            out.append("), ");
        }
        return out.append("]").toString();
    }
}
