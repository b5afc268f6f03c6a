package io.hdf5flink.hdf5.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the h5py fixture and append helpers that append tests build on: the default fixture
 * and a custom one hold what their specification says (checked against Java-built
 * expectations by both readers), h5py appends continue the standard pattern, and a dataset of
 * 200,000 chunks is described by both readers.
 */
class H5pyFixtureInteropTest {

    private static final long U = ExpectedFile.UNLIMITED;

    @TempDir
    Path directory;

    /** What {@code h5py_fixture.py} writes by default, with the two appendable shapes given. */
    private static FileDescription defaultFixture(long i2Rows, long emptyRows) {
        return ExpectedFile.create().superblockVersion(0)
                .group("/", g -> g.attribute("title", "h5py fixture"))
                .group("/sensors", g -> g.attribute("count", AttributeValue.of("<i8", 3)))
                .group("/sensors/raw", ExpectedFile.GroupSpec::noAttributes)
                .dataset("/sensors/raw/i2_gzip", d -> d.dtype("<i2").shape(i2Rows, 8).maxshape(U, 8).chunks(16, 8)
                        .filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).attribute("unit", "mV").patternData())
                .dataset("/sensors/raw/f8_fletcher", d -> d.dtype("<f8").shape(50).maxshape(U).chunks(20)
                        .filters(FilterInfo.fletcher32()).noAttributes().patternData())
                .dataset("/sensors/u1_lzf", d -> d.dtype("|u1").shape(64, 4).maxshape(U, 4).chunks(16, 4)
                        .filters(FilterInfo.id(32000)).patternData())
                .dataset("/sensors/u4_lz4", d -> d.dtype("<u4").shape(40, 2, 3).maxshape(U, 2, 3).chunks(8, 2, 3)
                        .filters(FilterInfo.id(32004)).patternData())
                .dataset("/i4_bzip2", d -> d.dtype("<i4").shape(33).maxshape(U).chunks(10)
                        .filters(new FilterInfo(307, FilterInfo.OPTIONAL, new int[] {9})).patternData())
                .dataset("/f4_nan_fill", d -> d.dtype("<f4").shape(30, 3).maxshape(U, 3).chunks(8, 3)
                        .fill(Double.NaN).filters().patternData())
                .dataset("/i8_empty", d -> d.dtype("<i8").shape(emptyRows, 16).maxshape(U, 16).chunks(32, 16)
                        .allocatedChunks(emptyRows == 0 ? 0 : 1).patternData())
                .build();
    }

    @Test
    void defaultFixtureHoldsThePatternAndH5pyAppendsContinueIt() {
        Path file = directory.resolve("fixture.h5");
        ReferenceLibrary.makeFixture(file);
        HdfAssertions.assertReadableByAll(file, defaultFixture(100, 0));

        assertArrayEquals(new long[] {105, 8}, ReferenceLibrary.appendWithH5py(file, "/sensors/raw/i2_gzip", 5));
        assertArrayEquals(new long[] {3, 16}, ReferenceLibrary.appendWithH5py(file, "/i8_empty", 3));
        HdfAssertions.assertReadableByAll(file, defaultFixture(105, 3));
    }

    @Test
    void customFixtureWithLatestFormatUsesTheNewChunkIndexes() {
        Path file = directory.resolve("latest.h5");
        ReferenceLibrary.makeFixture(file, """
                {"libver": "latest",
                 "groups": {"/run": {"attributes": {"id": {"dtype": "<u2", "value": 7},
                                                    "label": {"dtype": "S5", "value": "alpha"}}}},
                 "datasets": {
                   "/run/extensible": {"dtype": "<i4", "shape": [50, 3], "maxshape": [null, 3], "chunks": [8, 3],
                                       "compression": "gzip", "compression_opts": 1},
                   "/run/btree2": {"dtype": "<f8", "shape": [9, 10], "maxshape": [null, null], "chunks": [4, 4]},
                   "/run/fixed": {"dtype": ">u8", "shape": [20], "chunks": [6], "shuffle": true}}}
                """);
        FileDescription expected = ExpectedFile.create().superblockVersion(3)
                .group("/run", g -> g.attribute("id", AttributeValue.of("<u2", 7))
                        .attribute("label", AttributeValue.fixedString("alpha", 5, "ascii", "nullpad")))
                .dataset("/run/extensible", d -> d.dtype("<i4").shape(50, 3).maxshape(U, 3).chunks(8, 3)
                        .filters(FilterInfo.deflate(1)).allocatedChunks(7).patternData())
                .dataset("/run/btree2", d -> d.dtype("<f8").shape(9, 10).maxshape(U, U).chunks(4, 4)
                        .filters().allocatedChunks(9).patternData())
                .dataset("/run/fixed", d -> d.dtype(">u8").shape(20).maxshape(20).chunks(6)
                        .filters(FilterInfo.shuffle(8)).allocatedChunks(4).patternData())
                .build();
        HdfAssertions.assertReadableByAll(file, expected);
    }

    @Test
    void bothReadersCopeWithTwoHundredThousandChunks() {
        Path file = directory.resolve("many-chunks.h5");
        ReferenceLibrary.runPython("""
                import sys, h5py
                from h5pattern import pattern
                with h5py.File(sys.argv[1], "w") as f:
                    d = f.create_dataset("many", shape=(200000,), maxshape=(None,), chunks=(1,), dtype="|i1")
                    d[...] = pattern("|i1", 0, 200000)
                """, file.toString());
        FileDescription expected = ExpectedFile.create()
                .dataset("/many", d -> d.dtype("|i1").shape(200000).maxshape(U).chunks(1)
                        .allocatedChunks(200000).storedBytes(200000).patternData())
                .build();

        long start = System.nanoTime();
        FileDescription h5py = ReferenceLibrary.describe(file);
        HdfAssertions.assertSameFile(expected, h5py, "h5py");
        long h5pyMillis = (System.nanoTime() - start) / 1_000_000;

        // jhdf maps every chunk it reads; mappings of earlier tests' files go only when collected,
        // and one test JVM reached the kernel's 65530 mappings here (CI, 2026-12-06).
        System.gc();
        start = System.nanoTime();
        FileDescription jhdf = JhdfDescriber.describe(file);
        HdfAssertions.assertSameFile(expected, jhdf, "jhdf");
        long jhdfMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(200000L, jhdf.dataset("/many").allocatedChunks());
        System.out.printf("describe + compare of 200,000 chunks: h5py %d ms, jhdf %d ms%n", h5pyMillis, jhdfMillis);
    }
}
