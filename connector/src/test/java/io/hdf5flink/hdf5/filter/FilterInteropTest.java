package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hdf5flink.hdf5.format.FilterPipelineMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filters against the reference implementations: libhdf5 1.10 with h5py's LZF filter and the
 * LZ4, bzip2, bitshuffle (Debian's 0.3.5: LZ4 inside only) and Blosc (libblosc 1.21) plugins
 * (through h5py and hdf5plugin), the zstandard library for zstd (this machine's libhdf5 has no
 * zstd plugin) and, with the bitshuffle module, for bitshuffle's zstd, and jhdf's decoders. Chunks go both ways: Java encodes
 * and libhdf5 reads the values back, and libhdf5 encodes and Java decodes. Deflate level 1 is
 * Intel ISA-L's output on x86-64 Linux and macOS, zlib's elsewhere.
 */
class FilterInteropTest {

    private static final List<String> DTYPES = List.of("<i1", "<i2", "<i4", "<i8", "<f4", "<f8");
    /** Odd, so chunks are not a power of two; 80 kB for 8-byte elements, several LZ4 blocks. */
    private static final int ELEMENTS = 10_007;

    /** A filter combination h5py users write, as a function of the element size. */
    private record Combination(String label, IntFunction<List<FilterDescription>> filters) {
    }

    private static List<Combination> combinations() {
        List<Combination> out = new ArrayList<>();
        for (int level = 1; level <= 9; level++) {
            int l = level;
            out.add(new Combination("deflate" + l, es -> List.of(FilterDescription.deflate(l))));
        }
        out.add(new Combination("shuffle", es -> List.of(FilterDescription.shuffle(es))));
        out.add(new Combination("fletcher32", es -> List.of(FilterDescription.fletcher32())));
        out.add(new Combination("shuffle+deflate", es -> List.of(FilterDescription.shuffle(es),
                FilterDescription.deflate(4))));
        out.add(new Combination("shuffle+deflate+fletcher32", es -> List.of(FilterDescription.shuffle(es),
                FilterDescription.deflate(6), FilterDescription.fletcher32())));
        out.add(new Combination("lzf", es -> List.of(FilterDescription.lzf(es * ELEMENTS))));
        out.add(new Combination("shuffle+lzf", es -> List.of(FilterDescription.shuffle(es),
                FilterDescription.lzf(es * ELEMENTS))));
        out.add(new Combination("shuffle+lzf+fletcher32", es -> List.of(FilterDescription.shuffle(es),
                FilterDescription.lzf(es * ELEMENTS), FilterDescription.fletcher32())));
        out.add(new Combination("lz4", es -> List.of(FilterDescription.lz4(0))));
        out.add(new Combination("lz4-blocks", es -> List.of(FilterDescription.lz4(4096))));
        out.add(new Combination("shuffle+lz4", es -> List.of(FilterDescription.shuffle(es), FilterDescription.lz4(0))));
        out.add(new Combination("bzip2", es -> List.of(FilterDescription.bzip2(9))));
        out.add(new Combination("shuffle+bzip2", es -> List.of(FilterDescription.shuffle(es),
                FilterDescription.bzip2(3))));
        // bitshuffle with LZ4 inside (libhdf5 here has no zstd in it: bitshuffleZstdAgainstTheReferencePieces).
        out.add(new Combination("bitshuffle-lz4", es -> List.of(KnownFilter.BITSHUFFLE.newEntry(0, "lz4", es, es * ELEMENTS))));
        out.add(new Combination("bitshuffle-lz4-blocks-of-256", es -> List.of(bitshuffle(es, 256, BitshuffleFilter.LZ4))));
        out.add(new Combination("bitshuffle-uncompressed", es -> List.of(bitshuffle(es, 0, BitshuffleFilter.NONE))));
        out.add(new Combination("bitshuffle-lz4+fletcher32", es -> List.of(
                KnownFilter.BITSHUFFLE.newEntry(0, "lz4", es, es * ELEMENTS), FilterDescription.fletcher32())));
        // Blosc: every compressor, every shuffle; zstd at level 1 has blocks of 32 KiB, so the
        // larger chunks end in a shorter block (never split, bit-shuffled only when its element
        // count is a multiple of 8).
        for (String options : List.of("lz4:shuffle", "lz4:bitshuffle", "lz4:noshuffle", "zstd:shuffle", "zlib:noshuffle",
                "snappy:bitshuffle")) {
            out.add(new Combination("blosc-" + options, es -> List.of(KnownFilter.BLOSC.newEntry(5, options, es, es * ELEMENTS))));
        }
        out.add(new Combination("blosc-zstd-1-bitshuffle", es -> List.of(KnownFilter.BLOSC.newEntry(1, "zstd:bitshuffle", es,
                es * ELEMENTS))));
        out.add(new Combination("blosc-zlib-9-shuffle+fletcher32", es -> List.of(KnownFilter.BLOSC.newEntry(9, "zlib:shuffle",
                es, es * ELEMENTS), FilterDescription.fletcher32())));
        // Compressors libhdf5 writes and this engine reads (it writes LZ4 frames for them).
        out.add(new Combination("blosc-blosclz", es -> List.of(blosc(es, BloscFilter.BLOSCLZ))));
        out.add(new Combination("blosc-lz4hc", es -> List.of(blosc(es, BloscFilter.LZ4HC))));
        return out;
    }

    private static FilterDescription bitshuffle(int es, int blockSize, int compression) {
        return withClientData(KnownFilter.BITSHUFFLE.newEntry(0, "lz4", es, es * ELEMENTS), 3, blockSize, compression);
    }

    private static FilterDescription blosc(int es, int compressor) {
        return withClientData(KnownFilter.BLOSC.newEntry(5, "", es, es * ELEMENTS), 6, compressor);
    }

    /** {@code entry} with client data values from {@code index} on replaced. */
    private static FilterDescription withClientData(FilterDescription entry, int index, int... values) {
        int[] cd = entry.clientData();
        System.arraycopy(values, 0, cd, index, values.length);
        return new FilterDescription(entry.id(), entry.name(), entry.flags(), cd);
    }

    /**
     * The pipeline with bitshuffle's version (client data 1) as Debian's plugin records it, 0.3:
     * readers ignore it, and this engine records 0.4.
     */
    private static List<FilterDescription> asThisPluginRecords(List<FilterDescription> filters) {
        return filters.stream().map(f -> f.id() == KnownFilter.BITSHUFFLE.id() ? withClientData(f, 1, 3) : f).toList();
    }

    /** What a chunk libhdf5 encodes must decode to, and with which pipeline. */
    private record Expectation(String label, List<FilterDescription> filters, byte[] raw, Path stored, int elementSize) {
    }

    /** Smooth signals (compressible) and noise (which LZF declines and LZ4 stores plain). */
    private static Map<String, byte[]> data(String dtype) {
        Map<String, byte[]> out = new HashMap<>();
        out.put("signal", TestData.signal(dtype, ELEMENTS, dtype.hashCode()));
        out.put("noise", TestData.random(ELEMENTS * TestData.elementSize(dtype), dtype.hashCode() + 1));
        return out;
    }

    @Test
    void libhdf5ReadsChunksEncodedInJava(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int n = 0;
        for (Combination c : combinations()) {
            for (String dtype : DTYPES) {
                int es = TestData.elementSize(dtype);
                for (Map.Entry<String, byte[]> d : data(dtype).entrySet()) {
                    byte[] raw = d.getValue();
                    FilterPipeline pipeline = FilterPipeline.of(c.filters().apply(es), es, raw.length);
                    EncodedChunk chunk = pipeline.encode(raw, raw.length);
                    cases.add(readJavaChunk(dir, n, dtype, pipeline, chunk, raw));
                    labels.add(c.label() + " " + dtype + " " + d.getKey() + " (mask " + chunk.filterMask() + ")");
                    n++;
                }
            }
        }
        assertLibhdf5ReadsBack(dir, cases, labels);
    }

    /**
     * Deflate runs on native libraries where their jars ship them (DeflateFilter): level 1 on
     * Intel's ISA-L, levels 2-9 on libdeflate. libhdf5 reads large chunks of each path value for
     * value, a 64-channel int16 recording (2.6 MB, shuffled and not) and noise, at levels 1, 4 (the
     * default) and 9. The test first checks that the native libraries are the paths here.
     */
    @Test
    void libhdf5ReadsLargeChunksOfEveryNativeDeflater(@TempDir Path dir) throws Exception {
        assertEquals(new DeflateLevelOneTest().expectedHere(), DeflateFilter.implementation(1));
        assertEquals(new DeflateLibdeflateTest().expectedHere(), DeflateFilter.implementation(4));
        assertEquals(new DeflateLibdeflateTest().expectedHere(), DeflateFilter.implementation(9));
        int channels = 64;
        int rows = 20_000;
        Map<String, byte[]> data = Map.of("recording", TestData.sineInt16(rows, channels, 21),
                "noise", TestData.random(rows * channels * 2, 22));
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int n = 0;
        for (int level : new int[] {1, 4, 9}) {
            for (Map.Entry<String, byte[]> d : data.entrySet()) {
                for (boolean shuffle : new boolean[] {false, true}) {
                    byte[] raw = d.getValue();
                    List<FilterDescription> filters = shuffle
                            ? List.of(FilterDescription.shuffle(2), FilterDescription.deflate(level))
                            : List.of(FilterDescription.deflate(level));
                    FilterPipeline pipeline = FilterPipeline.of(filters, 2, raw.length);
                    EncodedChunk chunk = pipeline.encode(raw, raw.length);
                    assertEquals(0, chunk.filterMask(), "deflate never declines a chunk");
                    cases.add(readJavaChunk(dir, n++, "<i2", pipeline, chunk, raw));
                    labels.add("level " + level + ", " + d.getKey() + (shuffle ? " shuffled" : "") + ", "
                            + chunk.length() + " of " + raw.length + " bytes");
                }
            }
        }
        assertLibhdf5ReadsBack(dir, cases, labels);
    }

    /** A case for the script: store a chunk the Java pipeline encoded, read it through libhdf5, compare. */
    private static Map<String, Object> readJavaChunk(Path dir, int n, String dtype, FilterPipeline pipeline,
            EncodedChunk chunk, byte[] raw) throws IOException {
        Path chunkFile = dir.resolve("chunk" + n);
        Path rawFile = dir.resolve("raw" + n);
        Files.write(chunkFile, Arrays.copyOf(chunk.data(), chunk.length()));
        Files.write(rawFile, raw);
        Map<String, Object> kase = new HashMap<>();
        kase.put("op", "read_java_chunk");
        kase.put("h5", dir.resolve("java" + n + ".h5").toString());
        kase.put("dtype", dtype);
        kase.put("elements", raw.length / TestData.elementSize(dtype));
        kase.put("filters", ReferenceLibrary.describe(pipeline.descriptions()));
        kase.put("chunk_file", chunkFile.toString());
        kase.put("filter_mask", chunk.filterMask());
        kase.put("expected_file", rawFile.toString());
        return kase;
    }

    private static void assertLibhdf5ReadsBack(Path dir, List<Map<String, Object>> cases, List<String> labels)
            throws IOException, InterruptedException {
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (!results.get(i).get("ok").asBoolean()) {
                failures.add(labels.get(i) + ": " + results.get(i).path("error").asText());
            }
        }
        assertEquals(List.of(), failures, "chunks libhdf5 could not read back");
    }

    @Test
    void javaDecodesChunksEncodedByLibhdf5(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<Expectation> expectations = new ArrayList<>();
        int n = 0;
        for (Combination c : combinations()) {
            for (String dtype : DTYPES) {
                int es = TestData.elementSize(dtype);
                for (Map.Entry<String, byte[]> d : data(dtype).entrySet()) {
                    byte[] raw = d.getValue();
                    List<FilterDescription> filters = c.filters().apply(es);
                    Path rawFile = dir.resolve("raw" + n);
                    Path outFile = dir.resolve("stored" + n);
                    Files.write(rawFile, raw);
                    Map<String, Object> kase = new HashMap<>();
                    kase.put("op", "libhdf5_chunk");
                    kase.put("h5", dir.resolve("lib" + n + ".h5").toString());
                    kase.put("dtype", dtype);
                    kase.put("elements", ELEMENTS);
                    kase.put("filters", ReferenceLibrary.describe(filters));
                    kase.put("raw_file", rawFile.toString());
                    kase.put("out_file", outFile.toString());
                    cases.add(kase);
                    expectations.add(new Expectation(c.label() + " " + dtype + " " + d.getKey(), filters, raw,
                            outFile, es));
                    n++;
                }
            }
        }
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            Expectation e = expectations.get(i);
            String label = e.label();
            List<FilterDescription> filters = e.filters();
            byte[] raw = e.raw();
            if (!r.get("ok").asBoolean()) {
                failures.add(label + ": " + r.path("error").asText());
                continue;
            }
            // libhdf5 records exactly what we asked for, names included (bitshuffle's version aside).
            if (!ReferenceLibrary.recorded(r).equals(asThisPluginRecords(filters))) {
                failures.add(label + ": libhdf5 recorded " + ReferenceLibrary.recorded(r) + ", we describe " + filters);
            }
            byte[] stored = Files.readAllBytes(e.stored());
            int mask = r.get("filter_mask").asInt();
            try {
                FilterPipeline pipeline = FilterPipeline.of(filters, e.elementSize(), raw.length);
                byte[] decoded = pipeline.decode(stored, stored.length, mask, raw.length);
                if (!Arrays.equals(raw, decoded)) {
                    failures.add(label + ": decoded values differ");
                }
                // Shuffle and the checksum are deterministic: our encoding must match byte for byte,
                // and so must our choice of declining (the mask), except that our LZF never
                // declines (jhdf ignores masks), where libhdf5's declines incompressible chunks.
                EncodedChunk ours = pipeline.encode(raw, raw.length);
                boolean deterministic = filters.stream().allMatch(f -> f.id() == 2 || f.id() == 3);
                if (deterministic && !Arrays.equals(stored, Arrays.copyOf(ours.data(), ours.length()))) {
                    failures.add(label + ": our encoding differs from libhdf5's");
                }
                // Nor do Blosc datasets of BloscLZ or LZ4HC, written here with plain LZ4, decline
                // the same chunks as libblosc.
                int expectedMask = mask;
                for (int stage = 0; stage < filters.size(); stage++) {
                    FilterDescription f = filters.get(stage);
                    if (f.id() == KnownFilter.LZF.id()) {
                        expectedMask &= ~(1 << stage);
                    } else if (f.id() == KnownFilter.BLOSC.id()
                            && (f.clientData(6) == BloscFilter.BLOSCLZ || f.clientData(6) == BloscFilter.LZ4HC)) {
                        expectedMask = expectedMask & ~(1 << stage) | ours.filterMask() & 1 << stage;
                    }
                }
                if (ours.filterMask() != expectedMask) {
                    failures.add(label + ": libhdf5 used filter mask " + mask + ", we " + ours.filterMask());
                }
            } catch (IOException ex) {
                failures.add(label + ": " + ex);
            }
        }
        assertEquals(List.of(), failures, "chunks libhdf5 wrote that Java could not decode");
    }

    @Test
    void zstdFramesInteroperateWithTheReferenceLibrary(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int n = 0;
        for (String dtype : DTYPES) {
            int es = TestData.elementSize(dtype);
            for (Map.Entry<String, byte[]> d : data(dtype).entrySet()) {
                for (boolean shuffle : new boolean[] {false, true}) {
                    byte[] raw = d.getValue();
                    List<FilterDescription> filters = shuffle
                            ? List.of(FilterDescription.shuffle(es), FilterDescription.zstd(3))
                            : List.of(FilterDescription.zstd(3));
                    // The zstd stage's input is what the reference library must see and return.
                    byte[] zstdInput = shuffle ? new ShuffleFilter(es).encode(raw, raw.length) : raw;
                    EncodedChunk chunk = FilterPipeline.of(filters, es, raw.length).encode(raw, raw.length);
                    Path chunkFile = dir.resolve("zchunk" + n);
                    Path inputFile = dir.resolve("zin" + n);
                    Files.write(chunkFile, Arrays.copyOf(chunk.data(), chunk.length()));
                    Files.write(inputFile, zstdInput);
                    cases.add(Map.of("op", "zstd_check", "chunk_file", chunkFile.toString(),
                            "expected_file", inputFile.toString()));
                    cases.add(Map.of("op", "zstd_compress", "level", 3, "raw_file", inputFile.toString(),
                            "out_file", dir.resolve("zref" + n).toString()));
                    labels.add(dtype + " " + d.getKey() + (shuffle ? " shuffled" : ""));
                    n++;
                }
            }
        }
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode check = results.get(2 * i);
            if (!check.get("ok").asBoolean()) {
                failures.add(labels.get(i) + " (Java frame): " + check.path("error").asText());
            }
            JsonNode compress = results.get(2 * i + 1);
            if (!compress.get("ok").asBoolean()) {
                failures.add(labels.get(i) + " (reference frame): " + compress.path("error").asText());
                continue;
            }
            byte[] frame = Files.readAllBytes(dir.resolve("zref" + i));
            byte[] expected = Files.readAllBytes(dir.resolve("zin" + i));
            byte[] decoded = new ZstdFilter(3).decode(frame, frame.length, expected.length);
            if (!Arrays.equals(expected, decoded)) {
                failures.add(labels.get(i) + " (reference frame): decoded bytes differ");
            }
        }
        assertEquals(List.of(), failures);
    }

    /**
     * bitshuffle with zstd inside, which Debian's bitshuffle 0.3.5 plugin lacks: the judges are
     * the bitshuffle module's transpose and the zstandard module, the framing (the same as with
     * LZ4, which libhdf5 judges above) read and written by the script. Both ways, every dtype,
     * the default block size and blocks of 64 elements.
     */
    @Test
    void bitshuffleZstdAgainstTheReferencePieces(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<BitshuffleFilter> filters = new ArrayList<>();
        int n = 0;
        for (String dtype : DTYPES) {
            int es = TestData.elementSize(dtype);
            for (Map.Entry<String, byte[]> d : data(dtype).entrySet()) {
                for (int block : new int[] {0, 64}) {
                    BitshuffleFilter filter = new BitshuffleFilter(es, block, BitshuffleFilter.ZSTD, 3);
                    byte[] raw = d.getValue();
                    Path chunkFile = dir.resolve("bz" + n);
                    Path rawFile = dir.resolve("braw" + n);
                    Files.write(chunkFile, filter.encode(raw, raw.length));
                    Files.write(rawFile, raw);
                    cases.add(Map.of("op", "bitshuffle_zstd_check", "chunk_file", chunkFile.toString(),
                            "expected_file", rawFile.toString(), "cd", List.of(0, 4, es, block, 3, 3)));
                    cases.add(Map.of("op", "bitshuffle_zstd_compress", "raw_file", rawFile.toString(),
                            "element_size", es, "block", block == 0 ? BitshuffleFilter.defaultBlockSize(es) : block,
                            "level", 3, "out_file", dir.resolve("bref" + n).toString()));
                    labels.add(dtype + " " + d.getKey() + " blocks " + block);
                    filters.add(filter);
                    n++;
                }
            }
        }
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!results.get(2 * i).get("ok").asBoolean()) {
                failures.add(labels.get(i) + " (Java chunk): " + results.get(2 * i).path("error").asText());
            }
            if (!results.get(2 * i + 1).get("ok").asBoolean()) {
                failures.add(labels.get(i) + " (reference chunk): " + results.get(2 * i + 1).path("error").asText());
                continue;
            }
            byte[] chunk = Files.readAllBytes(dir.resolve("bref" + i));
            byte[] expected = Files.readAllBytes(dir.resolve("braw" + i));
            if (!Arrays.equals(expected, filters.get(i).decode(chunk, chunk.length, expected.length))) {
                failures.add(labels.get(i) + " (reference chunk): decoded bytes differ");
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void factoriesDescribeFiltersAsH5pyRecordsThem(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<FilterDescription> expected = new ArrayList<>();
        int n = 0;
        for (int level = 1; level <= 9; level++) {
            cases.add(recordedCase(dir, n++, "gzip", "<i2", Map.of("level", level)));
            expected.add(FilterDescription.deflate(level));
        }
        for (String dtype : DTYPES) {
            cases.add(recordedCase(dir, n++, "shuffle", dtype, Map.of()));
            expected.add(FilterDescription.shuffle(TestData.elementSize(dtype)));
            cases.add(recordedCase(dir, n++, "lzf", dtype, Map.of()));
            expected.add(FilterDescription.lzf(TestData.elementSize(dtype) * ELEMENTS));
        }
        cases.add(recordedCase(dir, n++, "fletcher32", "<f8", Map.of()));
        expected.add(FilterDescription.fletcher32());
        for (int blockSize : new int[] {0, 1 << 20}) {
            cases.add(recordedCase(dir, n++, "lz4", "<i4", Map.of("block_size", blockSize)));
            expected.add(FilterDescription.lz4(blockSize));
        }
        for (int blockSize = 1; blockSize <= 9; blockSize++) {
            cases.add(recordedCase(dir, n++, "bzip2", "<i4", Map.of("block_size", blockSize)));
            expected.add(FilterDescription.bzip2(blockSize));
        }
        for (String dtype : DTYPES) {
            int es = TestData.elementSize(dtype);
            cases.add(recordedCase(dir, n++, "bitshuffle", dtype, Map.of("block_size", 0)));
            expected.add(asThisPluginRecords(List.of(KnownFilter.BITSHUFFLE.newEntry(0, "lz4", es, es * ELEMENTS))).get(0));
            cases.add(recordedCase(dir, n++, "blosc", dtype, Map.of("cname", "lz4", "level", 5, "shuffle", 1)));
            expected.add(KnownFilter.BLOSC.newEntry(5, "", es, es * ELEMENTS));
        }
        for (String options : List.of("zstd:bitshuffle", "zlib:noshuffle", "snappy:shuffle")) {
            String[] words = options.split(":");
            cases.add(recordedCase(dir, n++, "blosc", "<f8", Map.of("cname", words[0], "level", 7,
                    "shuffle", BloscFilter.SHUFFLE_NAMES.indexOf(words[1]))));
            expected.add(KnownFilter.BLOSC.newEntry(7, options, 8, 8 * ELEMENTS));
        }
        cases.add(recordedCase(dir, n, "zstd", "<i4", Map.of("level", 5)));
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(results.get(i).get("ok").asBoolean(), results.get(i).path("error").asText());
            assertEquals(List.of(expected.get(i)), ReferenceLibrary.recorded(results.get(i)));
        }
        // No zstd plugin here: h5py's flags and hdf5plugin's client data, the name from the plugin source.
        FilterDescription zstd = ReferenceLibrary.recorded(results.get(results.size() - 1)).get(0);
        FilterDescription ours = FilterDescription.zstd(5);
        assertEquals(ours.id(), zstd.id());
        assertEquals(ours.flags(), zstd.flags());
        assertArrayEquals(ours.clientData(), zstd.clientData());
    }

    private static Map<String, Object> recordedCase(Path dir, int n, String kind, String dtype, Map<String, Object> extra) {
        Map<String, Object> kase = new HashMap<>(extra);
        kase.put("op", "h5py_recorded");
        kase.put("kind", kind);
        kase.put("dtype", dtype);
        kase.put("elements", ELEMENTS);
        kase.put("h5", dir.resolve("rec" + n + ".h5").toString());
        return kase;
    }

    @Test
    void pipelineMessagesMatchTheBodiesLibhdf5Writes(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> cases = new ArrayList<>();
        List<List<FilterDescription>> expected = new ArrayList<>();
        int n = 0;
        for (String libver : List.of("earliest", "latest")) {
            cases.add(plineCase(dir, n++, libver, "<i2", Map.of("shuffle", true, "compression", "gzip",
                    "compression_opts", 4, "fletcher32", true)));
            expected.add(List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4), FilterDescription.fletcher32()));
            cases.add(plineCase(dir, n++, libver, "<f8", Map.of("shuffle", true, "compression", "lzf")));
            expected.add(List.of(FilterDescription.shuffle(8), FilterDescription.lzf(8 * ELEMENTS)));
            cases.add(plineCase(dir, n++, libver, "<i4", Map.of("compression", KnownFilter.LZ4.id(),
                    "compression_opts", List.of(0))));
            expected.add(List.of(FilterDescription.lz4(0)));
            cases.add(plineCase(dir, n++, libver, "<i4", Map.of("compression", KnownFilter.BZIP2.id(),
                    "compression_opts", List.of(7), "fletcher32", true)));
            expected.add(List.of(FilterDescription.bzip2(7), FilterDescription.fletcher32()));
            cases.add(plineCase(dir, n++, libver, "<i4", Map.of("compression", KnownFilter.BITSHUFFLE.id(),
                    "compression_opts", List.of(0, 2))));
            expected.add(asThisPluginRecords(List.of(KnownFilter.BITSHUFFLE.newEntry(0, "lz4", 4, 4 * ELEMENTS))));
            cases.add(plineCase(dir, n++, libver, "<f8", Map.of("compression", KnownFilter.BLOSC.id(),
                    "compression_opts", List.of(0, 0, 0, 0, 9, 2, 5))));
            expected.add(List.of(KnownFilter.BLOSC.newEntry(9, "zstd:bitshuffle", 8, 8 * ELEMENTS)));
        }
        List<JsonNode> results = ReferenceLibrary.run(dir, cases);
        for (int i = 0; i < results.size(); i++) {
            JsonNode r = results.get(i);
            assertTrue(r.get("ok").asBoolean(), r.path("error").asText());
            byte[] body = HexFormat.of().parseHex(r.get("body_hex").asText());
            FilterPipelineMessage decoded =
                    FilterPipelineMessage.decode(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
            boolean v1 = body[0] == 1;
            assertEquals(i < results.size() / 2, v1, "libver earliest writes version 1, latest version 2");
            if (v1) {
                assertEquals(expected.get(i), decoded.filters());
                assertEquals(HexFormat.of().formatHex(body),
                        HexFormat.of().formatHex(new FilterPipelineMessage(expected.get(i)).encodeBody()),
                        "our version 1 body must be libhdf5's, byte for byte");
            } else {
                List<FilterDescription> unnamedBelow256 = expected.get(i).stream()
                        .map(f -> f.id() < 256 ? new FilterDescription(f.id(), "", f.flags(), f.clientData()) : f)
                        .toList();
                assertEquals(unnamedBelow256, decoded.filters());
            }
        }
    }

    private static Map<String, Object> plineCase(Path dir, int n, String libver, String dtype, Map<String, Object> opts) {
        Map<String, Object> kase = new HashMap<>(opts);
        kase.put("op", "pline_body");
        kase.put("libver", libver);
        kase.put("dtype", dtype);
        kase.put("elements", ELEMENTS);
        kase.put("h5", dir.resolve("pline" + n + ".h5").toString());
        return kase;
    }

    /**
     * jhdf 0.13's decoders (deflate, shuffle, fletcher32, LZF, LZ4) read our chunks. Not its
     * bitshuffle: it fails on chunks whose last block is partial, libhdf5's own too.
     */
    @Test
    void jhdfDecodesChunksEncodedInJava() throws Exception {
        Map<Integer, io.jhdf.filter.Filter> jhdf = Map.of(
                1, new io.jhdf.filter.DeflatePipelineFilter(),
                2, new io.jhdf.filter.ByteShuffleFilter(),
                3, new io.jhdf.filter.FletcherChecksumFilter(),
                32000, new io.jhdf.filter.LzfFilter(),
                32004, new io.jhdf.filter.Lz4Filter());
        for (Combination c : combinations()) {
            for (String dtype : DTYPES) {
                int es = TestData.elementSize(dtype);
                List<FilterDescription> filters = c.filters().apply(es);
                if (!filters.stream().allMatch(f -> jhdf.containsKey(f.id()))) {
                    continue;
                }
                for (Map.Entry<String, byte[]> d : data(dtype).entrySet()) {
                    byte[] raw = d.getValue();
                    FilterPipeline pipeline = FilterPipeline.of(filters, es, raw.length);
                    EncodedChunk chunk = pipeline.encode(raw, raw.length);
                    byte[] data = Arrays.copyOf(chunk.data(), chunk.length());
                    for (int i = filters.size() - 1; i >= 0; i--) {
                        if ((chunk.filterMask() & (1 << i)) == 0) {
                            int id = filters.get(i).id();
                            byte[] in = data;
                            data = jhdf.get(id).decode(data, filters.get(i).clientData());
                            if (id == KnownFilter.FLETCHER32.id()) {
                                // jhdf 0.13 neither verifies nor strips the checksum (it warns):
                                // it must at least hand the bytes back untouched.
                                assertArrayEquals(in, data);
                                data = Arrays.copyOf(data, data.length - Fletcher32Filter.CHECKSUM_LENGTH);
                            }
                        }
                    }
                    assertArrayEquals(raw, data, c.label() + " " + dtype + " " + d.getKey());
                }
            }
        }
    }
}
