package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hdf5flink.hdf5.testing.DatasetData;
import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature F12: files h5py wrote in its default format (superblock 0, symbol-table groups,
 * version 1 B-tree chunk indexes, variable-length string attributes) are reopened and extended
 * by the engine: rows appended, other unlimited axes grown, compressed chunks rewritten in the
 * middle, attributes set and replaced (also where the header has no free space), groups and
 * datasets created inside h5py's groups. libhdf5 (h5py, h5dump) and jhdf must then read the old
 * and the new content, and libhdf5 must be able to keep writing to what the engine wrote.
 */
class H5pyAppendInteropTest {
    private static final long U = ExpectedFile.UNLIMITED;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @BeforeAll
    static void referenceLibraryIsThere() {
        ReferenceLibrary.requireAvailable();
    }

    /** A codec as h5py_fixture.py is asked for it and as libhdf5 reports it. */
    private record Codec(String name, Map<String, Object> fixture, IntFunction<FilterInfo[]> filters) {}

    private static final List<Codec> CODECS = List.of(
            new Codec("none", Map.of(), size -> new FilterInfo[0]),
            new Codec("gzip_shuffle", Map.of("compression", "gzip", "compression_opts", 4, "shuffle", true),
                    size -> new FilterInfo[] {FilterInfo.shuffle(size), FilterInfo.deflate(4)}),
            new Codec("fletcher32", Map.of("fletcher32", true), size -> new FilterInfo[] {FilterInfo.fletcher32()}),
            new Codec("lzf", Map.of("compression", "lzf"), size -> new FilterInfo[] {FilterInfo.id(32000)}),
            new Codec("lz4", Map.of("compression", "lz4"), size -> new FilterInfo[] {FilterInfo.id(32004)}),
            new Codec("bzip2", Map.of("compression", "bzip2", "compression_opts", 9),
                    size -> new FilterInfo[] {new FilterInfo(307, FilterInfo.OPTIONAL, new int[] {9})}));

    /** One h5py dataset of the dtype x codec matrix, with what the engine does to it. */
    private static final class Case {
        final DataType type;
        final Codec codec;
        final String path;
        final int rank;
        final long[] shape;
        final long[] maxShape;
        final long[] chunks;
        final Number fill;
        final boolean replaceUnit;
        final boolean bigAttribute;
        ArrayModel model;

        Case(int t, int c) {
            type = DataType.values()[t];
            codec = CODECS.get(c);
            path = "/matrix/" + codec.name + "/" + type.numpyCode();
            rank = 1 + (t + c) % 3;
            boolean wide = t % 2 == 0;
            switch (rank) {
                case 1 -> {
                    shape = new long[] {37};
                    maxShape = new long[] {U};
                    chunks = new long[] {8};
                }
                case 2 -> {
                    shape = new long[] {37, 5};
                    maxShape = new long[] {U, wide ? U : 5};
                    chunks = new long[] {8, 2};
                }
                default -> {
                    shape = new long[] {37, 3, 4};
                    maxShape = wide ? new long[] {U, 3, 6} : new long[] {U, U, 4};
                    chunks = new long[] {8, 2, 3};
                }
            }
            boolean even = (t + c) % 2 == 0;
            // Not one conditional expression: that would promote the integer fills to double.
            if (type.isFloatingPoint()) {
                fill = even ? Double.NaN : -2.5;
            } else if (type.isBool()) {
                fill = even ? 0L : 1L;
            } else {
                fill = even ? 0L : 7L;
            }
            replaceUnit = (t + c) % 2 == 1;
            bigAttribute = (t + 2 * c) % 3 == 0;
        }

        /** The shape after growing one more axis, as far as the maximum shape allows; null when none can grow. */
        long[] grown(long[] current) {
            for (int d = 1; d < rank; d++) {
                if (maxShape[d] == U || maxShape[d] > current[d]) {
                    long[] g = current.clone();
                    g[d] = maxShape[d] == U ? current[d] + 2 : maxShape[d];
                    return g;
                }
            }
            return null;
        }

        Map<String, Object> fixtureSpec() {
            Map<String, Object> s = new LinkedHashMap<>(codec.fixture);
            s.put("dtype", type.numpyStr());
            s.put("shape", shape);
            s.put("maxshape", Arrays.stream(maxShape).mapToObj(m -> m == U ? null : (Object) m).toList());
            s.put("chunks", chunks);
            s.put("fillvalue", fill instanceof Double dbl && dbl.isNaN() ? "nan" : fill);
            s.put("attributes", Map.of("unit", "mV", "scale", 0.5, "größe", 3));
            return s;
        }
    }

    private static List<Case> matrix() {
        List<Case> cases = new ArrayList<>();
        for (int t = 0; t < DataType.values().length; t++) {
            for (int c = 0; c < CODECS.size(); c++) cases.add(new Case(t, c));
        }
        return cases;
    }

    @Test
    void appendsGrowsPatchesAndAnnotatesEveryDtypeAndCodecH5pyWrote() {
        Path file = dir.resolve("matrix.h5");
        List<Case> cases = matrix();
        Map<String, Object> groups = new LinkedHashMap<>();
        groups.put("/", Map.of("attributes", Map.of("title", "h5py fixture")));
        groups.put("/matrix", Map.of("attributes", Map.of("count", cases.size())));
        for (Codec c : CODECS) groups.put("/matrix/" + c.name, Map.of("attributes", Map.of("codec", c.name)));
        groups.put("/bare", Map.of());
        Map<String, Object> datasets = new LinkedHashMap<>();
        for (Case k : cases) datasets.put(k.path, k.fixtureSpec());
        ReferenceLibrary.makeFixture(file, json(Map.of("groups", groups, "datasets", datasets)));

        // The headers this test fills up must really have no free space left, or it proves nothing.
        Map<String, Long> free = headerFreeSpace(file);
        assertEquals(0L, free.get("/bare"), "h5py's empty group header: " + free);
        assertEquals(0L, free.get("/"), "h5py's root header after one attribute: " + free);
        List<String> fullDatasets = cases.stream().map(k -> k.path).filter(p -> free.get(p) == 0).toList();
        assertTrue(fullDatasets.size() >= 5, "datasets whose header h5py left full: " + fullDatasets + " of " + free);

        for (Case k : cases) k.model = ArrayModel.pattern(k.type, k.shape, AttributeValue.encode(k.type, k.fill));
        ArrayModel engineData;
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (Case k : cases) {
                Hdf5Dataset d = f.dataset(k.path);
                assertArrayEquals(k.shape, d.shape(), k.path);
                assertArrayEquals(k.chunks, d.chunkShape(), k.path);
                assertArrayEquals(k.model.fill, d.fillValue(), k.path + " fill value");
                assertBytes(k.model.data, d.read(new long[k.rank], d.shape()), k.path + " as h5py wrote it");
                d.append(k.model.appendPattern(21));
            }
            f.commit();
            for (Case k : cases) {
                Hdf5Dataset d = f.dataset(k.path);
                long[] grown = k.grown(d.shape());
                if (grown != null) {
                    d.resize(grown);
                    k.model.grow(grown);
                }
                // A block in the middle: read-modify-write of stored (compressed) h5py chunks.
                long[] offset = new long[k.rank];
                long[] extent = new long[k.rank];
                offset[0] = 10;
                extent[0] = 9;
                for (int a = 1; a < k.rank; a++) {
                    offset[a] = 1;
                    extent[a] = Math.min(2, d.shape()[a] - 1);
                }
                d.write(offset, extent, k.model.writePattern(offset, extent, 900_000));
                d.append(k.model.appendPattern(5));
                if (k.replaceUnit) d.setAttribute("unit", AttributeValue.of("µV"));
                d.setAttribute("engine_rate", AttributeValue.of(30000.0));
                // A non-ASCII name h5py stored as UTF-8 bytes: found and replaced by name.
                d.setAttribute("größe", k.replaceUnit ? AttributeValue.of(4L) : AttributeValue.of("vier"));
                if (k.bigAttribute) d.setAttribute("calibration", AttributeValue.of(ramp(100)));
            }
            f.root().setAttribute("title", AttributeValue.of("appended by the engine"));
            f.root().setAttribute("session_start", AttributeValue.of(1_700_000_000L));
            f.group("/matrix").setAttribute("count", AttributeValue.of((long) cases.size() + 1));
            for (Codec c : CODECS) f.group("/matrix/" + c.name).setAttribute("checked", AttributeValue.of(1L));
            Hdf5Group bare = f.group("/bare");
            for (int i = 0; i < 4; i++) bare.setAttribute("note" + i, AttributeValue.of("note number " + i));
            f.requireGroup("/matrix/lz4/engine_group/deeper").setAttribute("made_by", AttributeValue.of("engine"));
            Hdf5Dataset made = f.createDataset("/matrix/gzip_shuffle/zz_engine", DatasetSpec.builder(DataType.INT32, 0, 3)
                    .maxShape(DatasetSpec.UNLIMITED, 3).chunks(16, 3).shuffle().deflate(4).build());
            engineData = ArrayModel.pattern(DataType.INT32, new long[] {0, 3}, new byte[4]);
            made.append(engineData.appendPattern(50));
            Hdf5Dataset inBare = f.createDataset("/bare/engine_ds", DatasetSpec.builder(DataType.FLOAT64, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(10).lz4().build());
            inBare.appendValues(new double[] {1.5, 2.5, 3.5});
        }

        // The engine reads back what it wrote, over h5py's chunks.
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (Case k : cases) {
                Hdf5Dataset d = f.dataset(k.path);
                assertArrayEquals(k.model.shape, d.shape(), k.path);
                assertBytes(k.model.data, d.read(new long[k.rank], d.shape()), k.path + " after reopen");
            }
            assertEquals(List.of("deeper"), f.group("/matrix/lz4/engine_group").memberNames());
        }

        ExpectedFile expected = ExpectedFile.create().superblockVersion(0)
                .group("/", g -> g.attribute("title", fixed("appended by the engine"))
                        .attribute("session_start", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", 1_700_000_000L)))
                .group("/matrix", g -> g.attribute("count", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", cases.size() + 1)))
                .group("/bare", g -> {
                    for (int i = 0; i < 4; i++) g.attribute("note" + i, fixed("note number " + i));
                })
                .group("/matrix/lz4/engine_group", ExpectedFile.GroupSpec::noAttributes)
                .group("/matrix/lz4/engine_group/deeper", g -> g.attribute("made_by", fixed("engine")))
                .dataset("/matrix/gzip_shuffle/zz_engine", d -> d.dtype("<i4").shape(50, 3).maxshape(U, 3).chunks(16, 3)
                        .filters(FilterInfo.shuffle(4), FilterInfo.deflate(4)).noAttributes().data(engineData.data))
                .dataset("/bare/engine_ds", d -> d.dtype("<f8").shape(3).maxshape(U).chunks(10)
                        .filters(FilterInfo.id(32004)).data(doubles(1.5, 2.5, 3.5)));
        for (Codec c : CODECS) {
            expected.group("/matrix/" + c.name, g -> g.attribute("codec", c.name)
                    .attribute("checked", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", 1L)));
        }
        for (Case k : cases) {
            expected.dataset(k.path, d -> {
                d.dtype(k.type.numpyStr()).shape(k.model.shape).maxshape(k.maxShape).chunks(k.chunks)
                        .filters(k.codec.filters.apply(k.type.size()))
                        .fill(k.type.isComplex() ? List.of(k.fill.doubleValue(), 0.0) : k.fill).data(k.model.data);
                if (k.replaceUnit) d.attribute("unit", fixed("µV")); else d.attribute("unit", "mV");
                d.attribute("scale", io.hdf5flink.hdf5.testing.AttributeValue.of("<f8", 0.5));
                d.attribute("engine_rate", io.hdf5flink.hdf5.testing.AttributeValue.of("<f8", 30000.0));
                d.attribute("größe", k.replaceUnit ? io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", 4L) : fixed("vier"));
                if (k.bigAttribute) d.attribute("calibration", io.hdf5flink.hdf5.testing.AttributeValue.of("<f8", ramp(100)));
            });
        }
        HdfAssertions.assertReadableByAll(file, expected.build());
        h5dumpAll(file, cases.stream().filter(k -> k.codec.name.equals("lzf")).map(k -> k.path).toList());
    }

    @Test
    void groupOfFourHundredH5pyMembersTakesNewMembersInOrderBothWays() {
        Path file = dir.resolve("big-group.h5");
        // h5py inserts 400 members in shuffled order: libhdf5 builds its own multi-level B-tree of
        // half-full symbol table nodes (8 entries each at most, 32 children per internal node).
        JsonNode made = runJson("""
                import sys, json, random, h5py, numpy as np
                from h5pattern import pattern
                names = ["m%03d" % i for i in range(0, 800, 2)]
                random.Random(7).shuffle(names)
                with h5py.File(sys.argv[1], "w") as f:
                    g = f.create_group("big")
                    for n in names:
                        if n.endswith("00"):
                            g.create_dataset(n, data=pattern("<i2", 0, 6), maxshape=(None,), chunks=(4,))
                        else:
                            g.create_group(n)
                print(json.dumps({"level": btree_level(sys.argv[1], "/big")}))
                """, file.toString());
        assertTrue(made.get("level").intValue() >= 1, "h5py's group B-tree must have more than one level: " + made);

        TreeMap<String, Boolean> members = new TreeMap<>(SymbolTableGroup.NAME_ORDER);
        for (int i = 0; i < 800; i += 2) members.put(String.format("m%03d", i), i % 100 == 0);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/big").memberNames());
            for (String n : List.of("!first", "m001", "m401", "m799", "zz_last", "m555x")) {
                f.requireGroup("/big/" + n);
                members.put(n, false);
            }
            for (int i = 3; i < 120; i += 4) {
                f.requireGroup(String.format("/big/m%03d", i));
                members.put(String.format("m%03d", i), false);
            }
            Hdf5Dataset d = f.createDataset("/big/m250_data", DatasetSpec.builder(DataType.INT16, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(4).build());
            d.append(ByteBuffer.wrap(DatasetData.pattern("<i2", 0, 6).bytes()).order(ByteOrder.LITTLE_ENDIAN));
            members.put("m250_data", true);
            assertEquals(List.copyOf(members.keySet()), f.group("/big").memberNames());
        }
        assertH5pyLists(file, "/big", members.keySet());

        // libhdf5 now inserts into the tree the engine wrote (full leaves, no sibling pointers).
        String added = runPython("""
                import sys, h5py
                with h5py.File(sys.argv[1], "a") as f:
                    g = f["big"]
                    for i in range(601, 800, 4):
                        g.create_group("m%03d" % i)
                    g.create_group("a_h5py")
                print("ok")
                """, file.toString());
        assertEquals("ok", added.strip());
        for (int i = 601; i < 800; i += 4) members.put(String.format("m%03d", i), false);
        members.put("a_h5py", false);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/big").memberNames());
            f.requireGroup("/big/m600_engine_again");
            members.put("m600_engine_again", false);
        }
        assertH5pyLists(file, "/big", members.keySet());

        ExpectedFile expected = ExpectedFile.create().superblockVersion(0);
        for (Map.Entry<String, Boolean> m : members.entrySet()) {
            if (m.getValue()) {
                expected.dataset("/big/" + m.getKey(), d -> d.dtype("<i2").shape(6).maxshape(U).chunks(4).patternData());
            } else {
                expected.group("/big/" + m.getKey(), ExpectedFile.GroupSpec::noAttributes);
            }
        }
        HdfAssertions.assertReadableByAll(file, expected.build());
        ReferenceLibrary.h5dump(file, "-H");
    }

    @Test
    void h5pyKeepsAppendingToWhatTheEngineAppendedAndTheEngineAfterIt() {
        Path file = dir.resolve("reverse.h5");
        ReferenceLibrary.makeFixture(file, json(Map.of("groups", Map.of("/rev", Map.of("attributes", Map.of("run", 7))),
                "datasets", Map.of(
                        "/rev/i2", Map.of("dtype", "<i2", "shape", List.of(40, 6), "maxshape", Arrays.asList(null, 6),
                                "chunks", List.of(4, 3), "compression", "gzip", "shuffle", true,
                                "attributes", Map.of("unit", "mV")),
                        "/rev/f8", Map.of("dtype", "<f8", "shape", List.of(10), "maxshape", Arrays.asList((Object) null),
                                "chunks", List.of(2), "compression", "lz4", "fillvalue", "nan")))));

        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            // 300 rows: 150 more chunks, so the engine writes a two-level index of its own.
            f.dataset("/rev/i2").append(patternRows("<i2", 40 * 6, 300 * 6));
            f.dataset("/rev/f8").append(patternRows("<f8", 10, 131));
            Hdf5Dataset i2 = f.dataset("/rev/i2");
            for (int i = 0; i < 12; i++) i2.setAttribute("engine_" + i, AttributeValue.of((long) i));
            Hdf5Dataset made = f.createDataset("/rev/engine_made/data", DatasetSpec.builder(DataType.UINT32, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(2).bzip2(9).build());
            made.append(patternRows("<u4", 0, 9));
            f.commit();
            assertTrue(i2.indexDepth() >= 2, "the engine's index of 170 chunks has more than one level");
        }

        // libhdf5 appends more than 64 chunks to each: it must split the B-tree nodes the engine wrote.
        assertArrayEquals(new long[] {540, 6}, ReferenceLibrary.appendWithH5py(file, "/rev/i2", 200));
        assertArrayEquals(new long[] {291}, ReferenceLibrary.appendWithH5py(file, "/rev/f8", 150));
        assertArrayEquals(new long[] {159}, ReferenceLibrary.appendWithH5py(file, "/rev/engine_made/data", 150));
        runPython("""
                import sys, h5py
                with h5py.File(sys.argv[1], "a") as f:
                    f["rev/i2"].attrs["h5py_after_engine"] = "yes"
                    f["rev/engine_made"].create_group("h5py_group").attrs["n"] = 3
                """, file.toString());

        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Dataset i2 = f.dataset("/rev/i2");
            assertBytes(DatasetData.pattern("<i2", 0, 540 * 6).bytes(), i2.read(new long[2], i2.shape()), "/rev/i2 after h5py");
            Hdf5Dataset f8 = f.dataset("/rev/f8");
            assertBytes(DatasetData.pattern("<f8", 0, 291).bytes(), f8.read(new long[1], f8.shape()), "/rev/f8 after h5py");
            i2.append(patternRows("<i2", 540 * 6, 100 * 6));
            f8.append(patternRows("<f8", 291, 9));
            f.dataset("/rev/engine_made/data").append(patternRows("<u4", 159, 41));
            i2.setCommitToken("after-h5py".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("data", "h5py_group"), f.group("/rev/engine_made").memberNames());
        }
        // A third round: libhdf5 splits nodes again, now beside nodes the engine moved (copy-on-write)
        // away from slots that libhdf5's sibling pointers still name.
        assertArrayEquals(new long[] {800, 6}, ReferenceLibrary.appendWithH5py(file, "/rev/i2", 160));
        assertArrayEquals(new long[] {300}, ReferenceLibrary.appendWithH5py(file, "/rev/engine_made/data", 100));
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Dataset i2 = f.dataset("/rev/i2");
            assertBytes(DatasetData.pattern("<i2", 0, 800 * 6).bytes(), i2.read(new long[2], i2.shape()), "/rev/i2 after round 3");
            assertEquals("after-h5py", new String(i2.commitToken(), StandardCharsets.UTF_8));
        }

        ExpectedFile expected = ExpectedFile.create().superblockVersion(0)
                .group("/rev", g -> g.attribute("run", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", 7)))
                .group("/rev/engine_made", ExpectedFile.GroupSpec::noAttributes)
                .group("/rev/engine_made/h5py_group", g -> g.attribute("n", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", 3)))
                .dataset("/rev/i2", d -> {
                    d.dtype("<i2").shape(800, 6).maxshape(U, 6).chunks(4, 3)
                            .filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).allocatedChunks(400).patternData()
                            .attribute("unit", "mV").attribute("h5py_after_engine", "yes")
                            .attribute(Hdf5Dataset.COMMIT_TOKEN_ATTRIBUTE, tokenAttribute("after-h5py"));
                    for (int i = 0; i < 12; i++) d.attribute("engine_" + i, io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", i));
                })
                .dataset("/rev/f8", d -> d.dtype("<f8").shape(300).maxshape(U).chunks(2).filters(FilterInfo.id(32004))
                        .fill(Double.NaN).allocatedChunks(150).noAttributes().patternData())
                .dataset("/rev/engine_made/data", d -> d.dtype("<u4").shape(300).maxshape(U).chunks(2)
                        .filters(new FilterInfo(307, FilterInfo.OPTIONAL, new int[] {9})).allocatedChunks(150)
                        .noAttributes().patternData());
        HdfAssertions.assertReadableByAll(file, expected.build());
        ReferenceLibrary.h5dump(file);
    }

    @Test
    void sparseEmptyAndFixedShapeH5pyDatasets() {
        Path file = dir.resolve("sparse.h5");
        ReferenceLibrary.makeFixture(file, json(Map.of("datasets", Map.of(
                "/sparse", Map.of("dtype", "<i2", "shape", List.of(30, 4), "maxshape", Arrays.asList(null, 4),
                        "chunks", List.of(8, 4), "compression", "gzip", "fillvalue", -1, "data", "none"),
                "/empty", Map.of("dtype", "<f8", "shape", List.of(0, 3), "maxshape", Arrays.asList(null, null),
                        "chunks", List.of(4, 2), "fletcher32", true, "fillvalue", "nan", "data", "none"),
                "/fixed", Map.of("dtype", "<u2", "shape", List.of(20, 5), "chunks", List.of(6, 5),
                        "compression", "lz4")))));
        // Early allocation: libhdf5 allocates (and fills) every chunk of the extent at creation and on growth.
        runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "a") as f:
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
                    d = f.create_dataset("early", shape=(20, 3), maxshape=(None, 3), chunks=(4, 3), dtype="<i8",
                                         compression="gzip", fillvalue=5, dcpl=dcpl)
                    d[:10] = pattern("<i8", 0, 30).reshape(10, 3)
                """, file.toString());
        ArrayModel early = ArrayModel.filled(DataType.INT64, new long[] {20, 3}, AttributeValue.encode(DataType.INT64, 5));
        early.writePattern(new long[] {0, 0}, new long[] {10, 3}, 0);
        ArrayModel sparse = ArrayModel.filled(DataType.INT16, new long[] {30, 4}, AttributeValue.encode(DataType.INT16, -1));
        ArrayModel empty = ArrayModel.filled(DataType.FLOAT64, new long[] {0, 3}, AttributeValue.encode(DataType.FLOAT64, Double.NaN));
        ArrayModel fixedShape = ArrayModel.pattern(DataType.UINT16, new long[] {20, 5}, new byte[2]);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Dataset s = f.dataset("/sparse");
            assertEquals(0, s.allocatedChunks(), "h5py allocated nothing");
            assertBytes(sparse.data, s.read(new long[2], s.shape()), "/sparse reads as fill");
            s.write(new long[] {9, 1}, new long[] {12, 2}, sparse.writePattern(new long[] {9, 1}, new long[] {12, 2}, 77));
            s.append(sparse.appendPattern(3));
            Hdf5Dataset e = f.dataset("/empty");
            e.append(empty.appendPattern(5));
            e.resize(5, 4);
            empty.grow(new long[] {5, 4});
            e.append(empty.appendPattern(2));
            Hdf5Dataset x = f.dataset("/fixed");
            x.write(new long[] {4, 0}, new long[] {5, 5}, fixedShape.writePattern(new long[] {4, 0}, new long[] {5, 5}, 1000));
            Hdf5Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Hdf5Exception.class,
                    () -> x.appendValues(new short[5]));
            assertTrue(refused.getMessage().contains("cannot grow to 21"), refused.getMessage());
            Hdf5Dataset ea = f.dataset("/early");
            assertEquals(5, ea.allocatedChunks(), "libhdf5 allocated the whole extent");
            assertBytes(early.data, ea.read(new long[2], ea.shape()), "/early as h5py wrote it");
            ea.write(new long[] {13, 1}, new long[] {2, 2}, early.writePattern(new long[] {13, 1}, new long[] {2, 2}, 5000));
            ea.append(early.appendPattern(6));
        }
        ReferenceLibrary.appendWithH5py(file, "/early", 10);
        early.appendPattern(10);
        HdfAssertions.assertReadableByAll(file, ExpectedFile.create().superblockVersion(0)
                .dataset("/sparse", d -> d.dtype("<i2").shape(33, 4).maxshape(U, 4).chunks(8, 4)
                        .filters(FilterInfo.deflate(4)).fill(-1).allocatedChunks(4).data(sparse.data))
                .dataset("/empty", d -> d.dtype("<f8").shape(7, 4).maxshape(U, U).chunks(4, 2)
                        .filters(FilterInfo.fletcher32()).fill(Double.NaN).allocatedChunks(4).data(empty.data))
                .dataset("/early", d -> d.dtype("<i8").shape(36, 3).maxshape(U, 3).chunks(4, 3)
                        .filters(FilterInfo.deflate(4)).fill(5).allocTime("early").allocatedChunks(9).data(early.data))
                .dataset("/fixed", d -> d.dtype("<u2").shape(20, 5).maxshape(20, 5).chunks(6, 5)
                        .filters(FilterInfo.id(32004)).allocatedChunks(4).data(fixedShape.data))
                .build());
        ReferenceLibrary.h5dump(file);
    }

    /**
     * Superblock version 1: h5py's low-level API with non-default B-tree K values (group leaf K
     * 2, group internal K 4, chunk index K 4). The engine must size and split its nodes by the
     * file's K values, not libhdf5's defaults.
     */
    @Test
    void nonDefaultBTreeKValuesInSuperblockVersion1() {
        Path file = dir.resolve("k-values.h5");
        JsonNode made = runJson("""
                import sys, json, os, ctypes, h5py
                from h5pattern import pattern
                # h5py does not wrap H5Pset_sym_k / H5Pset_istore_k: call the libhdf5 it loaded.
                lib = next(l.split()[-1] for l in open("/proc/self/maps")
                           if os.path.basename(l.split()[-1]).startswith("libhdf5") and "_hl" not in l)
                hdf5 = ctypes.CDLL(lib)
                fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
                assert hdf5.H5Pset_sym_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(4), ctypes.c_uint(2)) >= 0
                assert hdf5.H5Pset_istore_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(4)) >= 0
                fid = h5py.h5f.create(sys.argv[1].encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
                with h5py.File(fid) as f:
                    g = f.create_group("g")
                    for i in range(0, 60, 2):
                        g.create_group("m%02d" % i)
                    d = g.create_dataset("d", shape=(50, 2), maxshape=(None, 2), chunks=(2, 2), dtype="<i4",
                                         compression="gzip", shuffle=True)
                    d[...] = pattern("<i4", 0, 100).reshape(50, 2)
                    version = f.id.get_create_plist().get_version()[0]
                print(json.dumps({"superblock": version, "level": btree_level(sys.argv[1], "/g")}))
                """, file.toString());
        assertEquals(1, made.get("superblock").intValue(), made.toString());
        assertTrue(made.get("level").intValue() >= 1, made.toString());
        TreeMap<String, Boolean> members = new TreeMap<>(SymbolTableGroup.NAME_ORDER);
        for (int i = 0; i < 60; i += 2) members.put(String.format("m%02d", i), false);
        members.put("d", true);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/g").memberNames());
            Hdf5Dataset d = f.dataset("/g/d");
            assertBytes(DatasetData.pattern("<i4", 0, 100).bytes(), d.read(new long[2], d.shape()), "/g/d");
            d.append(patternRows("<i4", 100, 2 * 150)); // 75 more chunks: several levels at 2K = 8
            for (int i = 1; i < 60; i += 2) {
                f.requireGroup(String.format("/g/m%02d", i));
                members.put(String.format("m%02d", i), false);
            }
        }
        assertH5pyLists(file, "/g", members.keySet());
        ReferenceLibrary.appendWithH5py(file, "/g/d", 40);
        runPython("""
                import sys, h5py
                with h5py.File(sys.argv[1], "a") as f:
                    for i in range(60, 80):
                        f["g"].create_group("m%02d" % i)
                """, file.toString());
        for (int i = 60; i < 80; i++) members.put(String.format("m%02d", i), false);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/g").memberNames());
            f.dataset("/g/d").append(patternRows("<i4", 2 * 240, 2 * 10));
        }
        ExpectedFile expected = ExpectedFile.create().superblockVersion(1)
                .dataset("/g/d", d -> d.dtype("<i4").shape(250, 2).maxshape(U, 2).chunks(2, 2)
                        .filters(FilterInfo.shuffle(4), FilterInfo.deflate(4)).allocatedChunks(125).patternData());
        for (String m : members.keySet()) if (!members.get(m)) expected.group("/g/" + m, ExpectedFile.GroupSpec::noAttributes);
        HdfAssertions.assertReadableByAll(file, expected.build());
        ReferenceLibrary.h5dump(file, "-H");
    }

    /**
     * Deletions leave holes: freed names in the local heap's free list, emptied symbol table
     * nodes, NIL messages where attributes were. The engine adds members and attributes after
     * h5py deleted some, then libhdf5 deletes members the engine added (removing entries from
     * B-tree nodes the engine wrote) and adds more, and the engine reads the result.
     */
    @Test
    void membersAndAttributesAfterDeletionsOnBothSides() {
        Path file = dir.resolve("deletions.h5");
        runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "w") as f:
                    g = f.create_group("g")
                    for i in range(40):
                        g.create_group("m%02d" % i)
                    d = g.create_dataset("data", data=pattern("<f4", 0, 30), maxshape=(None,), chunks=(8,))
                    for i in range(30):
                        d.attrs["a%02d" % i] = i
                    for i in list(range(0, 12)) + [20, 25, 33]:
                        del g["m%02d" % i]
                    for i in (1, 2, 3, 17, 28):
                        del d.attrs["a%02d" % i]
                """, file.toString());
        TreeMap<String, Boolean> members = new TreeMap<>(SymbolTableGroup.NAME_ORDER);
        for (int i = 12; i < 40; i++) if (i != 20 && i != 25 && i != 33) members.put(String.format("m%02d", i), false);
        members.put("data", true);
        Map<String, io.hdf5flink.hdf5.testing.AttributeValue> attrs = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            if (i != 1 && i != 2 && i != 3 && i != 17 && i != 28) {
                attrs.put(String.format("a%02d", i), io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", i));
            }
        }
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/g").memberNames());
            for (String n : List.of("m00", "m05", "m20", "m99", "e1", "e2")) {
                f.requireGroup("/g/" + n);
                members.put(n, false);
            }
            Hdf5Dataset d = f.dataset("/g/data");
            d.setAttribute("a02", AttributeValue.of(-2L));        // where h5py deleted one: a NIL to reuse
            d.setAttribute("a27", AttributeValue.of("replaced")); // in the continuation block libhdf5 added
            d.setAttribute("engine", AttributeValue.of(1.25));
            d.append(patternRows("<f4", 30, 10));
            attrs.put("a02", io.hdf5flink.hdf5.testing.AttributeValue.of("<i8", -2));
            attrs.put("a27", fixed("replaced"));
            attrs.put("engine", io.hdf5flink.hdf5.testing.AttributeValue.of("<f8", 1.25));
        }
        runPython("""
                import sys, h5py
                with h5py.File(sys.argv[1], "a") as f:
                    g = f["g"]
                    for n in ("m00", "m05", "e1", "m13", "m14", "m15", "m16", "m17"):
                        del g[n]
                    for i in range(100, 130):
                        g.create_group("n%d" % i)
                    del g["data"].attrs["engine"]
                    g["data"].attrs["h5py_again"] = "yes"
                """, file.toString());
        for (String n : List.of("m00", "m05", "e1", "m13", "m14", "m15", "m16", "m17")) members.remove(n);
        for (int i = 100; i < 130; i++) members.put("n" + i, false);
        attrs.remove("engine");
        attrs.put("h5py_again", io.hdf5flink.hdf5.testing.AttributeValue.string("yes"));
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.copyOf(members.keySet()), f.group("/g").memberNames());
            f.requireGroup("/g/last");
            members.put("last", false);
        }
        assertH5pyLists(file, "/g", members.keySet());
        ExpectedFile expected = ExpectedFile.create().superblockVersion(0)
                .dataset("/g/data", d -> {
                    d.dtype("<f4").shape(40).maxshape(U).chunks(8).patternData();
                    attrs.forEach(d::attribute);
                });
        for (String m : members.keySet()) if (!members.get(m)) expected.group("/g/" + m, ExpectedFile.GroupSpec::noAttributes);
        HdfAssertions.assertReadableByAll(file, expected.build());
        ReferenceLibrary.h5dump(file);
    }

    /**
     * Dimension scales (as NWB files use for timestamps) are attributes holding object
     * references: DIMENSION_LIST on the data, REFERENCE_LIST and CLASS on the scale. The engine
     * extends both datasets and adds attributes (moving messages to continuation blocks); the
     * references must still resolve.
     */
    @Test
    void dimensionScalesStayAttachedWhileBothDatasetsGrow() {
        Path file = dir.resolve("scales.h5");
        runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "w") as f:
                    d = f.create_dataset("acq/data", data=pattern("<i2", 0, 20).reshape(10, 2), maxshape=(None, 2),
                                         chunks=(4, 2), compression="gzip", shuffle=True)
                    t = f.create_dataset("acq/timestamps", data=pattern("<f8", 0, 10), maxshape=(None,), chunks=(4,))
                    t.make_scale("time")
                    d.dims[0].attach_scale(t)
                    d.dims[0].label = "t"
                """, file.toString());
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Dataset d = f.dataset("/acq/data");
            Hdf5Dataset t = f.dataset("/acq/timestamps");
            d.append(patternRows("<i2", 20, 14));
            t.append(patternRows("<f8", 10, 7));
            for (int i = 0; i < 6; i++) {
                d.setAttribute("note" + i, AttributeValue.of("attribute number " + i));
                t.setAttribute("note" + i, AttributeValue.of((long) i));
            }
        }
        String out = runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "r") as f:
                    d, t = f["acq/data"], f["acq/timestamps"]
                    assert d.dims[0].label == "t", d.dims[0].label
                    assert d.dims[0][0] == t and d.dims[0][0].name == "/acq/timestamps", d.dims[0][0]
                    assert h5py.h5ds.is_scale(t.id) and t.attrs["NAME"] == b"time", dict(t.attrs)
                    assert (d[...] == pattern("<i2", 0, 34).reshape(17, 2)).all()
                    assert (d.dims[0][0][...] == pattern("<f8", 0, 17)).all()
                    assert d.attrs["note5"] == b"attribute number 5" and t.attrs["note5"] == 5
                print("ok")
                """, file.toString());
        assertEquals("ok", out.strip());
        ReferenceLibrary.h5dump(file);
    }

    @Test
    void commitTokenOnH5pyDatasetsWithoutReservedRoom() {
        Path file = dir.resolve("token.h5");
        ReferenceLibrary.makeFixture(file, json(Map.of("datasets", Map.of(
                "/tok/roomy", Map.of("dtype", "<f4", "shape", List.of(12), "maxshape", Arrays.asList((Object) null),
                        "chunks", List.of(5)),
                "/tok/full", Map.of("dtype", "<i2", "shape", List.of(12, 2), "maxshape", Arrays.asList(null, 2),
                        "chunks", List.of(4, 2), "compression", "gzip", "shuffle", true,
                        "attributes", Map.of("unit", "mV"))))));
        Map<String, Long> free = headerFreeSpace(file);
        assertTrue(free.get("/tok/roomy") >= 100, "room for the token attribute: " + free);
        assertEquals(0L, free.get("/tok/full"), "no room for the token attribute: " + free);

        String[] paths = {"/tok/roomy", "/tok/full"};
        String[] dtypes = {"<f4", "<i2"};
        int[] rowSize = {1, 2};
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (int i = 0; i < 2; i++) {
                Hdf5Dataset d = f.dataset(paths[i]);
                assertEquals(null, d.commitToken(), paths[i] + " has no token yet");
                d.append(patternRows(dtypes[i], 12 * rowSize[i], 3 * rowSize[i]));
                d.setCommitToken("checkpoint-17".getBytes(StandardCharsets.UTF_8));
            }
            f.commit();
            for (int i = 0; i < 2; i++) {
                Hdf5Dataset d = f.dataset(paths[i]);
                d.append(patternRows(dtypes[i], 15 * rowSize[i], 2 * rowSize[i]));
                d.setCommitToken("checkpoint-18".getBytes(StandardCharsets.UTF_8));
            }
            f.commit();
        }
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (int i = 0; i < 2; i++) {
                Hdf5Dataset d = f.dataset(paths[i]);
                assertEquals("checkpoint-18", new String(d.commitToken(), StandardCharsets.UTF_8), paths[i]);
                assertEquals(17, d.shape()[0], paths[i]);
                // Uncommitted: a crash (abandon) keeps the committed token and rows.
                d.append(patternRows(dtypes[i], 17 * rowSize[i], rowSize[i]));
                d.setCommitToken("checkpoint-19".getBytes(StandardCharsets.UTF_8));
            }
            f.abandon();
        }
        // libhdf5 extends the datasets (rewriting their dataspace messages); the token survives.
        ReferenceLibrary.appendWithH5py(file, "/tok/roomy", 4);
        ReferenceLibrary.appendWithH5py(file, "/tok/full", 4);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (String p : paths) {
                assertEquals("checkpoint-18", new String(f.dataset(p).commitToken(), StandardCharsets.UTF_8), p);
                assertEquals(21, f.dataset(p).shape()[0], p);
            }
        }
        ExpectedFile expected = ExpectedFile.create().superblockVersion(0)
                .dataset("/tok/roomy", d -> d.dtype("<f4").shape(21).maxshape(U).chunks(5).filters().patternData()
                        .attribute(Hdf5Dataset.COMMIT_TOKEN_ATTRIBUTE, tokenAttribute("checkpoint-18")))
                .dataset("/tok/full", d -> d.dtype("<i2").shape(21, 2).maxshape(U, 2).chunks(4, 2)
                        .filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).patternData().attribute("unit", "mV")
                        .attribute(Hdf5Dataset.COMMIT_TOKEN_ATTRIBUTE, tokenAttribute("checkpoint-18")));
        HdfAssertions.assertReadableByAll(file, expected.build());
        ReferenceLibrary.h5dump(file);
    }

    /** h5py's soft links in a symbol-table group: cache type 2, the link value's heap offset in the scratch pad. */
    private static void makeLinks(Path file) {
        runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "w") as f:
                    g = f.create_group("links")
                    g.create_dataset("target", data=pattern("<i4", 0, 10), maxshape=(None,), chunks=(4,))
                    g["soft"] = h5py.SoftLink("/links/target")
                    g["dangling"] = h5py.SoftLink("/nowhere")
                    g["hard"] = g["target"]
                """, file.toString());
    }

    @Test
    void softLinksAreFollowedOrRefusedByName() {
        Path file = dir.resolve("links-open.h5");
        makeLinks(file);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            // Either followed to the target or refused naming the soft link, never read as an object at an undefined address.
            try {
                Hdf5Dataset soft = f.dataset("/links/soft");
                assertBytes(DatasetData.pattern("<i4", 0, 10).bytes(), soft.read(new long[1], new long[] {10}), "/links/soft");
            } catch (Hdf5Exception e) {
                assertTrue(e.getMessage().contains("soft link") && e.getMessage().contains("/links/soft"), e.getMessage());
            }
            Hdf5Exception dangling = org.junit.jupiter.api.Assertions.assertThrows(Hdf5Exception.class, () -> f.dataset("/links/dangling"));
            assertTrue(dangling.getMessage().contains("soft link"), dangling.getMessage());
        }
    }

    @Test
    void softAndHardLinksInH5pysGroupsSurviveTheEngineAddingMembers() {
        Path file = dir.resolve("links.h5");
        makeLinks(file);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(List.of("dangling", "hard", "soft", "target"), f.group("/links").memberNames());
            assertBytes(DatasetData.pattern("<i4", 0, 10).bytes(), f.dataset("/links/hard").read(new long[1], new long[] {10}),
                    "/links/hard");
            f.dataset("/links/target").append(patternRows("<i4", 10, 6));
            f.requireGroup("/links/added");
            f.requireGroup("/links/zz");
        }
        String out = runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "r") as f:
                    g = f["links"]
                    assert list(g) == ["added", "dangling", "hard", "soft", "target", "zz"], list(g)
                    assert g.get("soft", getlink=True).path == "/links/target", g.get("soft", getlink=True)
                    assert g.get("dangling", getlink=True).path == "/nowhere", g.get("dangling", getlink=True)
                    assert isinstance(g.get("hard", getlink=True), h5py.HardLink)
                    for name in ("soft", "hard", "target"):
                        assert (g[name][...] == pattern("<i4", 0, 16)).all(), name
                print("ok")
                """, file.toString());
        assertEquals("ok", out.strip());
        ReferenceLibrary.h5dump(file);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Runs h5dump over the whole file: structure and attributes ({@code -H}), then the data of
     * every dataset except {@code lzfDatasets}. Debian's LZF plugin for the command-line tools
     * cannot be loaded (liblzf_filter.so: undefined symbol lzf_decompress), so h5dump fails on
     * any LZF chunk that compressed, h5py's own included; h5py, which registers its own LZF
     * filter, checks those values in {@link HdfAssertions#assertReadableByAll}.
     */
    private static void h5dumpAll(Path file, List<String> lzfDatasets) {
        ReferenceLibrary.h5dump(file, "-H");
        JsonNode all = runJson("""
                import sys, json, h5py
                names = []
                with h5py.File(sys.argv[1], "r") as f:
                    f.visititems(lambda n, o: names.append("/" + n) if isinstance(o, h5py.Dataset) else None)
                print(json.dumps(names))
                """, file.toString());
        List<String> args = new ArrayList<>();
        for (JsonNode n : all) {
            if (!lzfDatasets.contains(n.textValue())) {
                args.add("-d");
                args.add(n.textValue());
            }
        }
        ReferenceLibrary.h5dump(file, args.toArray(String[]::new));
    }

    /** Decodes {@code python} output as JSON; the script may call btree_level(file, group). */
    private static JsonNode runJson(String script, String... args) {
        try {
            return JSON.readTree(runPython(script, args));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Python helpers prepended to scripts: the level of a group's B-tree root, read from the file. */
    private static final String PY_HELPERS = """
            import struct as _struct, h5py as _h5py

            def _messages(data, addr):
                _v, _r, n, _rc, size = _struct.unpack_from("<BBHII", data, addr)
                blocks, out = [(addr + 16, size)], []
                while blocks:
                    a, s = blocks.pop(0)
                    p = a
                    while p + 8 <= a + s:
                        t, sz = _struct.unpack_from("<HH", data, p)
                        out.append((t, p + 8))
                        if t == 0x10:
                            blocks.append(_struct.unpack_from("<QQ", data, p + 8))
                        p += 8 + sz
                return out

            def btree_level(filename, group):
                with _h5py.File(filename, "r") as f:
                    addr = _h5py.h5o.get_info(f[group].id).addr
                data = open(filename, "rb").read()
                for t, body in _messages(data, addr):
                    if t == 0x11:
                        btree = _struct.unpack_from("<Q", data, body)[0]
                        assert data[btree:btree + 4] == b"TREE"
                        return data[btree + 5]
                raise AssertionError("no symbol table message in " + group)
            """;

    private static String runPython(String script, String... args) {
        return ReferenceLibrary.runPython(PY_HELPERS + "\n" + script, args);
    }

    /** Free bytes in each object's header, by path, as libhdf5 reports them. */
    static Map<String, Long> headerFreeSpace(Path file) {
        JsonNode node = runJson("""
                import sys, json, h5py
                free = {}
                with h5py.File(sys.argv[1], "r") as f:
                    free["/"] = h5py.h5o.get_info(f.id).hdr.space.free
                    f.visititems(lambda name, obj: free.__setitem__("/" + name, h5py.h5o.get_info(obj.id).hdr.space.free))
                print(json.dumps(free))
                """, file.toString());
        Map<String, Long> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().longValue());
        }
        return out;
    }

    private static void assertH5pyLists(Path file, String group, Iterable<String> expected) {
        String out = runPython("""
                import sys, json, h5py
                with h5py.File(sys.argv[1], "r") as f:
                    print(json.dumps(list(f[sys.argv[2]])))
                """, file.toString(), group);
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode n : JSON.readTree(out)) names.add(n.textValue());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        List<String> want = new ArrayList<>();
        expected.forEach(want::add);
        assertEquals(want, names, "h5py's listing of " + group);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static io.hdf5flink.hdf5.testing.AttributeValue fixed(String value) {
        int size = value.getBytes(StandardCharsets.UTF_8).length;
        return io.hdf5flink.hdf5.testing.AttributeValue.fixedString(value, size, "utf-8", "nullpad");
    }

    /** The commit token attribute as readers see it: uint8 [u32 length][token][zero padding to 64]. */
    private static io.hdf5flink.hdf5.testing.AttributeValue tokenAttribute(String token) {
        byte[] t = token.getBytes(StandardCharsets.UTF_8);
        byte[] stored = new byte[4 + Math.max(64, t.length)];
        ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).putInt(t.length).put(t);
        List<Long> values = new ArrayList<>();
        for (byte b : stored) values.add((long) (b & 0xFF));
        return new io.hdf5flink.hdf5.testing.AttributeValue("|u1", new long[] {stored.length}, values);
    }

    private static double[] ramp(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.25 - 1;
        return v;
    }

    private static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    /** Pattern elements [start, start + count) as a little-endian buffer. */
    private static ByteBuffer patternRows(String dtype, long start, long count) {
        return ByteBuffer.wrap(DatasetData.pattern(dtype, start, count).bytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void assertBytes(byte[] expected, ByteBuffer actual, String what) {
        byte[] a = new byte[actual.remaining()];
        actual.duplicate().get(a);
        int at = Arrays.mismatch(expected, a);
        if (at >= 0) {
            throw new AssertionError(what + ": " + a.length + " bytes, expected " + expected.length + "; first difference at byte "
                    + at + ": " + hex(a, at) + " expected " + hex(expected, at));
        }
    }

    private static String hex(byte[] b, int at) {
        if (at >= b.length) return "(end)";
        return HexFormat.of().formatHex(b, at, Math.min(b.length, at + 8));
    }

    /**
     * A dataset's expected content, computed independently of the engine: a C-order array of
     * elements with a fill value, grown, appended to and overwritten the way the test asks the
     * engine to.
     */
    static final class ArrayModel {
        final String dtype;
        final int size;
        final byte[] fill;
        long[] shape;
        byte[] data;

        private ArrayModel(String dtype, int size, long[] shape, byte[] data, byte[] fill) {
            this.dtype = dtype;
            this.size = size;
            this.shape = shape.clone();
            this.data = data;
            this.fill = fill;
        }

        /** The standard pattern over {@code shape}, as h5py_fixture.py writes it. */
        static ArrayModel pattern(DataType type, long[] shape, byte[] fill) {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            return new ArrayModel(type.numpyStr(), type.size(), shape, DatasetData.pattern(type.numpyStr(), 0, n).bytes(), fill);
        }

        /** Every element the fill value, as a dataset h5py created without writing data. */
        static ArrayModel filled(DataType type, long[] shape, byte[] fill) {
            long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            byte[] data = new byte[Math.toIntExact(n * type.size())];
            for (int i = 0; i < data.length; i += type.size()) System.arraycopy(fill, 0, data, i, type.size());
            return new ArrayModel(type.numpyStr(), type.size(), shape, data, fill);
        }

        long rowElements() {
            long r = 1;
            for (int d = 1; d < shape.length; d++) r *= shape[d];
            return r;
        }

        /** Appends {@code rows} rows continuing the pattern's flat index; returns them to hand to the engine. */
        ByteBuffer appendPattern(long rows) {
            long row = rowElements();
            byte[] add = DatasetData.pattern(dtype, shape[0] * row, rows * row).bytes();
            byte[] grown = Arrays.copyOf(data, data.length + add.length);
            System.arraycopy(add, 0, grown, data.length, add.length);
            data = grown;
            shape[0] += rows;
            return ByteBuffer.wrap(add).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Grows to {@code newShape}; new elements hold the fill value. */
        void grow(long[] newShape) {
            long n = Arrays.stream(newShape).reduce(1, Math::multiplyExact);
            byte[] out = new byte[Math.toIntExact(n * size)];
            for (int i = 0; i < out.length; i += size) System.arraycopy(fill, 0, out, i, size);
            copyBox(data, shape, out, newShape, new long[shape.length], shape);
            data = out;
            shape = newShape.clone();
        }

        /** Overwrites a block with pattern elements from {@code start}; returns the block for the engine. */
        ByteBuffer writePattern(long[] offset, long[] extent, long start) {
            long n = Arrays.stream(extent).reduce(1, Math::multiplyExact);
            byte[] block = DatasetData.pattern(dtype, start, n).bytes();
            // Place the block: walk its elements in C order.
            long[] idx = new long[extent.length];
            for (long e = 0; e < n; e++) {
                long flat = 0;
                for (int d = 0; d < shape.length; d++) flat = flat * shape[d] + offset[d] + idx[d];
                System.arraycopy(block, (int) (e * size), data, (int) (flat * size), size);
                for (int d = extent.length - 1; d >= 0; d--) {
                    if (++idx[d] < extent[d]) break;
                    idx[d] = 0;
                }
            }
            return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Copies the box [0, extent) of {@code src} to the same coordinates of {@code dst}. */
        private void copyBox(byte[] src, long[] srcShape, byte[] dst, long[] dstShape, long[] origin, long[] extent) {
            long n = Arrays.stream(extent).reduce(1, Math::multiplyExact);
            long[] idx = new long[extent.length];
            for (long e = 0; e < n; e++) {
                long s = 0;
                long t = 0;
                for (int d = 0; d < extent.length; d++) {
                    s = s * srcShape[d] + origin[d] + idx[d];
                    t = t * dstShape[d] + origin[d] + idx[d];
                }
                System.arraycopy(src, (int) (s * size), dst, (int) (t * size), size);
                for (int d = extent.length - 1; d >= 0; d--) {
                    if (++idx[d] < extent[d]) break;
                    idx[d] = 0;
                }
            }
        }
    }
}
