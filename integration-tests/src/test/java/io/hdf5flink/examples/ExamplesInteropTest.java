package io.hdf5flink.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.itest.H5py;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example runs, and what it wrote is judged by libhdf5 (h5py) against numpy, and by jhdf
 * where the harness's full-file comparison applies.
 */
class ExamplesInteropTest {
    @TempDir Path dir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream print = new PrintStream(printed, true, StandardCharsets.UTF_8);

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static String python(String code, Object... args) {
        return H5py.check(code, args);
    }

    @Test
    void streamingGeneratorOfUnknownLengthIsInferredFromItsFirstBlock() throws Exception {
        Path out = dir.resolve("gen.h5");
        // Seed 3265: the generator yields 10 rows before its draw says stop, enough to see whether
        // rows are independent of one another.
        long rows = StreamingGeneratorExample.run(out, 3265, 10, 100, print);
        assertTrue(rows >= 3 && rows <= 100, "rows " + rows);
        assertTrue(printed().contains("maxshape=(None, 10), chunks=(124928, 10), dtype=float64"), printed());
        python("""
                d = h5py.File(sys.argv[1], 'r')[sys.argv[2]]
                assert d.dtype == np.float64 and d.maxshape == (None, 10) and d.shape == (int(sys.argv[3]), 10), (d.dtype, d.maxshape, d.shape)
                v = d[:]
                assert np.all(np.abs(v) <= 1) and np.all(v != 0), v
                # Independent random rows: no row is the one before it shifted by a sample, and
                # neither a row and the next nor a row and the next shifted by one are correlated.
                assert not np.array_equal(v[1:, :-1], v[:-1, 1:]), v
                shifted = np.corrcoef(v[1:, :-1].ravel(), v[:-1, 1:].ravel())[0, 1]
                aligned = np.corrcoef(v[1:].ravel(), v[:-1].ravel())[0, 1]
                assert abs(shifted) < 0.5 and abs(aligned) < 0.5, (shifted, aligned, v)
                """, out, StreamingGeneratorExample.DATASET, rows);
    }

    @Test
    void sparseMatrixStoresOnlyTouchedChunksAndPrintsTheSizeTable() throws Exception {
        long size = 100_000;
        int tiles = 200;
        long[][] origins = SparseMatrixExample.run(dir, size, tiles, 10, 42, print);
        String table = printed();
        assertTrue(table.contains("Expected Size :  80000.00 MB") && table.contains("Occupied Size :  0.16000 MB"), table);
        assertTrue(table.contains("5) HDF5 file (large chunks with compression, chunks (100, 100)):"), table);
        // The expected tiles, as numpy reads them.
        Path expected = dir.resolve("tiles.bin");
        ByteBuffer all = ByteBuffer.allocate(tiles * 800).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder where = new StringBuilder();
        for (int n = 0; n < tiles; n++) {
            all.put(SparseMatrixExample.tileData(42, n, 10));
            where.append(origins[n][0]).append(' ').append(origins[n][1]).append('\n');
        }
        Files.write(expected, all.array());
        Path origin = dir.resolve("origins.txt");
        Files.writeString(origin, where);
        python("""
                import os
                tiles = np.fromfile(sys.argv[1], '<f8').reshape(-1, 10, 10)
                origins = np.loadtxt(sys.argv[2], dtype=np.int64).reshape(-1, 2)
                size = int(sys.argv[3])
                sizes = {}
                for name, chunk, gzip in [('basic_sparse_iterwrite_example.h5', 10, False),
                                          ('basic_sparse_iterwrite_compressed_example.h5', 10, True),
                                          ('basic_sparse_iterwrite_largechunks_example.h5', 100, False),
                                          ('basic_sparse_iterwrite_largechunks_compressed_example.h5', 100, True)]:
                    path = os.path.join(sys.argv[4], name)
                    d = h5py.File(path, 'r')['/acquisition/synthetic_timeseries/data']
                    assert d.shape == (size, size) and d.chunks == (chunk, chunk), (name, d.shape, d.chunks)
                    assert d.compression == ('gzip' if gzip else None), (name, d.compression)
                    for (x, y), t in zip(origins, tiles):
                        assert np.array_equal(d[x:x + 10, y:y + 10], t), (name, x, y)
                        # the rest of the tile's chunk is the fill value
                        cx, cy = x // chunk * chunk, y // chunk * chunk
                        around = d[cx:cx + chunk, cy:cy + chunk].copy()
                        around[x - cx:x - cx + 10, y - cy:y - cy + 10] = 0
                        others = [(a, b) for a, b in origins if a // chunk == x // chunk and b // chunk == y // chunk and (a, b) != (x, y)]
                        assert others or not around.any(), (name, x, y)
                    touched = {(x // chunk, y // chunk) for x, y in origins}
                    assert d.id.get_num_chunks() == len(touched), (name, d.id.get_num_chunks(), len(touched))
                    assert d[size - 10:, size - 10:].sum() == 0 or any(x >= size - 10 for x, _ in origins)
                    sizes[name] = os.path.getsize(path)
                small = sizes['basic_sparse_iterwrite_example.h5']
                large = sizes['basic_sparse_iterwrite_largechunks_example.h5']
                large_gz = sizes['basic_sparse_iterwrite_largechunks_compressed_example.h5']
                raw = len(tiles) * 800
                assert raw <= small < raw * 1.3, (small, raw)
                assert large > 90 * raw, (large, raw)
                assert large_gz < large / 10, (large_gz, large)
                """, expected, origin, size, dir);
    }

    @Test
    void largeMemoryMappedArrayConvertsValueForValue() throws Exception {
        assertTrue(LargeArrayConversionExample.run(dir, 300_000, 10, print), printed());
        assertTrue(printed().contains("Success: All data values match"), printed());
        python("""
                d = h5py.File(sys.argv[1], 'r')['data']
                a = np.fromfile(sys.argv[2], '<f8').reshape(-1, 10)
                assert d.shape == (300000, 10) and d.maxshape == (None, 10), (d.shape, d.maxshape)
                assert np.array_equal(d[:], a) and np.array_equal(a, np.arange(a.size, dtype='f8').reshape(a.shape))
                """, dir.resolve("basic_sparse_iterwrite_largearray.h5"), dir.resolve("basic_sparse_iterwrite_testdata.npy"));
    }

    @Test
    void anHdf5DatasetInTinyChunksIsRechunkedValueForValue() throws Exception {
        assertTrue(Hdf5RechunkExample.run(dir, 50_000, 32, print), printed());
        assertTrue(printed().contains("Success: All data values match"), printed());
        python("""
                src = h5py.File(sys.argv[1], 'r')['acquisition/data']
                d = h5py.File(sys.argv[2], 'r')['data']
                assert src.chunks == (64, 32) and d.chunks[1] == 32 and d.chunks[0] > 64, (src.chunks, d.chunks)
                assert d.shape == (50000, 32) and d.maxshape == (None, 32) and d.compression == 'gzip' and d.shuffle
                r = np.arange(50000, dtype=np.int64)[:, None]; c = np.arange(32, dtype=np.int64)[None, :]
                assert np.array_equal(d[()], ((r * 31 + c) % 65536).astype(np.uint16).view(np.int16))
                assert np.array_equal(d[()], src[()])
                """, dir.resolve("tiny_chunks.h5"), dir.resolve("rechunked.h5"));
    }

    @Test
    void oneFilePerChannelBecomesOneColumnEach() throws Exception {
        assertTrue(MultiFileChannelsExample.run(dir, 5000, 10, print), printed());
        python("""
                d = h5py.File(sys.argv[1], 'r')['data']
                assert d.shape == (5000, 10), d.shape
                expected = np.arange(5000, dtype='f8')[:, None] + 1000.0 * np.arange(10)[None, :]
                assert np.array_equal(d[:], expected)
                for c in range(10):
                    assert np.array_equal(d[:, c], np.fromfile(sys.argv[2] + f'/basic_sparse_iterwrite_testdata_channel_{c}.npy', '<f8'))
                """, dir.resolve("basic_sparse_iterwrite_multifile.h5"), dir);
    }

    @Test
    void userDefinedWriteReadsBackTheUnwrittenRowsAsNaN() throws Exception {
        Path out = dir.resolve("custom.h5");
        double[][] rows = UserDefinedWriteExample.run(out, print);
        assertTrue(printed().startsWith("Shape (0, 10), Chunks: (131072, 2), Maxshape=(None, 10)"), printed());
        assertTrue(printed().contains(" [ nan  nan  nan  nan  nan  nan  nan  nan  nan  nan]]"), printed());
        assertEquals(8, rows.length);
        ByteBuffer expected = ByteBuffer.allocate(8 * 10 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < 8; r++) for (int c = 0; c < 10; c++) expected.putDouble(r < 3 ? 1 : r < 6 ? 2 : Double.NaN);
        expected.flip();
        // libhdf5 and jhdf read the same file, value for value (NaN included).
        HdfAssertions.assertReadableByAll(out, ExpectedFile.create().superblockVersion(0)
                .dataset(UserDefinedWriteExample.DATASET, d -> d.dtype("<f8").shape(8, 10).maxshape(ExpectedFile.UNLIMITED, 10)
                        .chunks(131072, 2).filters(FilterInfo.shuffle(8), FilterInfo.deflate(4)).fill(Double.NaN)
                        .data(expected))
                .build());
    }

    @Test
    void bufferPlanTilesChunksAndWritesEveryChunkOnce() throws Exception {
        Path out = dir.resolve("tiles.h5");
        BufferPlan plan = BufferTilingExample.run(out, new long[] {2000, 500}, new long[] {1000, 250}, new long[] {100, 25}, print);
        String text = printed();
        // The tutorial's four selections for buffer (10000, 2500) over (20000, 5000), scaled down by ten.
        for (String s : List.of("Buffer number 1 returns data from selection: (slice(0, 1000, None), slice(0, 250, None))",
                "Buffer number 2 returns data from selection: (slice(0, 1000, None), slice(250, 500, None))",
                "Buffer number 3 returns data from selection: (slice(1000, 2000, None), slice(0, 250, None))",
                "Buffer number 4 returns data from selection: (slice(1000, 2000, None), slice(250, 500, None))",
                "buffer_gb 0.2 -> buffer_shape (10000, 5000)", "Refused: buffer shape [1000, 238] does not tile")) {
            assertTrue(text.contains(s), "missing: " + s + "\n" + text);
        }
        assertEquals(4, plan.selections().size());
        python("""
                d = h5py.File(sys.argv[1], 'r')['test']
                assert d.shape == (2000, 500) and d.chunks == (100, 25) and d.dtype == np.int16
                r = np.arange(2000, dtype=np.int64)[:, None]; c = np.arange(500, dtype=np.int64)[None, :]
                assert np.array_equal(d[:], ((r * 31 + c * 17) % 10).astype(np.int16))
                # 400 chunks, each stored once: no chunk was rewritten, so storage is exactly the raw size
                assert d.id.get_num_chunks() == 400 and d.id.get_storage_size() == 2000 * 500 * 2
                """, out);
    }

    @Test
    void bufferPlanWithABudgetUsesWholeChunks() {
        BufferPlan p = BufferPlan.withBudget(new long[] {20000, 5000}, new long[] {3160, 790}, 4, 200_000_000L);
        for (int d = 0; d < 2; d++) {
            assertTrue(p.bufferShape()[d] % 790 == 0 || p.bufferShape()[d] % 3160 == 0 || p.bufferShape()[d] == p.maxShape()[d]);
        }
        assertTrue(p.bufferBytes(4) <= 200_000_000L, "within the budget");
        assertEquals(List.of(9480L, 5000L), List.of(p.bufferShape()[0], p.bufferShape()[1]));
        BufferPlan whole = BufferPlan.withBudget(new long[] {100, 10}, new long[] {10, 10}, 8, 1 << 30);
        assertEquals(1, whole.selections().size(), "a small array is one buffer");
    }

    @Test
    void compressionOptionsSideBySide() throws Exception {
        List<CompressionComparisonExample.Result> results =
                CompressionComparisonExample.run(2, List.of("none", "gzip:1", "gzip:9", "lzf", "bitshuffle:lz4"), print);
        assertEquals(9, results.size(), "bitshuffle shuffles itself: measured once\n" + printed());
        for (CompressionComparisonExample.Result r : results) {
            assertTrue(r.mbPerSecond() > 0, r.toString());
            if (r.codec().equals("none")) assertTrue(Math.abs(r.ratio() - 1) < 0.05, r.toString());
            else if (r.codec().startsWith("gzip") || r.codec().startsWith("bitshuffle") || r.shuffle()) {
                assertTrue(r.ratio() > 1.1, r.toString());
            }
            else assertTrue(r.ratio() > 0.95, r.toString()); // lzf alone barely compresses noisy int16
        }
        double gzip = ratio(results, "gzip:9", false);
        double gzipShuffled = ratio(results, "gzip:9", true);
        assertTrue(gzipShuffled > gzip, "shuffle helps int16: " + gzipShuffled + " vs " + gzip);
        assertTrue(printed().contains("codec                    shuffle    ratio      MB/s  stored MB"), printed());
        assertTrue(printed().contains("bitshuffle:lz4           own"), printed());
    }

    private static double ratio(List<CompressionComparisonExample.Result> results, String codec, boolean shuffle) {
        return results.stream().filter(r -> r.codec().equals(codec) && r.shuffle() == shuffle).findFirst().orElseThrow().ratio();
    }

    @Test
    void pipelineWithAMapOfOnesOwnRereferencesAndScales() throws Exception {
        Path in = dir.resolve("recording.npy");
        PipelineExample.makeRecording(in, 50_000, 64);
        Path out = dir.resolve("car.h5");
        PipelineExample.run(in, out, 2, print);
        python("""
                a = np.load(sys.argv[1])
                f = h5py.File(sys.argv[2], 'r'); d = f[sys.argv[3]]
                expected = ((a - a.mean(axis=1, keepdims=True)) * 0.195).astype(np.float32)
                assert d.dtype == np.float32 and d.shape == a.shape and d.maxshape == (None, 64), (d.dtype, d.shape)
                assert np.array_equal(d[:], expected)
                assert d.attrs['unit'] == b'uV', d.attrs['unit']
                assert abs(float(d[:].mean(axis=1).max())) < 1e-3   # re-referenced: every row averages to 0
                """, in, out, PipelineExample.DATASET);
        String desc = String.format(Locale.ROOT, "%s", printed());
        assertTrue(desc.contains("common average referenced"), desc);
    }
}
