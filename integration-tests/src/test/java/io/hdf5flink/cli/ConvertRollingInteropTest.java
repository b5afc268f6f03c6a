package io.hdf5flink.cli;

import static io.hdf5flink.cli.CliInteropTest.cli;
import static io.hdf5flink.cli.CliInteropTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.itest.H5py;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert --rows-per-file}: the input rolled over data files joined by a master, judged by
 * h5py through the master's virtual dataset and file by file, and by jhdf through a master of
 * external links (jhdf has no virtual datasets); bad combinations refused with exit 2 before
 * anything is written.
 */
class ConvertRollingInteropTest {
    @TempDir Path dir;

    private Path npy(long rows, int channels) {
        Path p = dir.resolve("in.npy");
        H5py.check("""
                rows, ch = int(sys.argv[2]), int(sys.argv[3])
                r = np.arange(rows, dtype=np.int64)[:, None]; c = np.arange(ch, dtype=np.int64)[None, :]
                np.save(sys.argv[1], ((r * 7919 + c * 104729) % 30011 - 15000).astype('<i2'))
                """, p, rows, channels);
        return p;
    }

    private static final String CHECK_FILES = """
            import os
            a = np.load(sys.argv[1]); master = sys.argv[2]; per_file = int(sys.argv[3]); chunk_rows = int(sys.argv[4])
            stem = master[:-3]
            count = -(-a.shape[0] // per_file)
            for i in range(count):
                with h5py.File('%s_%06d.h5' % (stem, i + 1), 'r') as f:
                    d = f['data']; part = a[i * per_file:(i + 1) * per_file]
                    assert d.shape == part.shape and d.maxshape == (None, a.shape[1]), (i, d.shape)
                    assert d.chunks[0] == chunk_rows and d.compression == 'gzip', (i, d.chunks)
                    assert np.array_equal(d[:], part), i
            assert not os.path.exists('%s_%06d.h5' % (stem, count + 1)), 'one data file too many'
            print(count)
            """;

    @Test
    void aVirtualDatasetMasterReadsAsTheWholeInput() {
        Path in = npy(100_000, 16);
        Path out = dir.resolve("rec.h5");
        CliInteropTest.Run r = ok("convert", "--input", in.toString(), "--output", out.toString(), "--chunks", "4096,16",
                "--codec", "gzip:1", "--shuffle", "--rows-per-file", "16384", "--parallelism", "2");
        assertTrue(r.err().contains("rolled every 16,384 rows into rec_000001.h5, ... (master: virtual dataset)"), r.err());
        assertTrue(r.out().startsWith("converted 100,000 rows: raw 3.2 MB"), r.out());
        H5py.check("""
                a = np.load(sys.argv[1])
                with h5py.File(sys.argv[2], 'r') as f:
                    d = f['data']
                    assert d.is_virtual and d.shape == a.shape and d.maxshape == (None, 16), (d.shape, d.maxshape)
                    assert len(d.virtual_sources()) == 7
                    assert np.array_equal(d[:], a)
                """, in, out);
        assertEquals("7", H5py.check(CHECK_FILES, in, out, 16384, 4096).strip());
        assertFalse(Files.exists(dir.resolve("rec.h5.checkpoints")), "a run that completes removes its checkpoints");
        assertFalse(Files.exists(dir.resolve(".hdf5-staging")), "and the staging directory it emptied");
    }

    @Test
    void aMasterOfExternalLinksIsReadByJhdfAndH5py() throws Exception {
        Path in = npy(50_000, 8);
        Path out = dir.resolve("scan.h5");
        ok("convert", "--input", in.toString(), "--output", out.toString(), "--chunks", "2000,8", "--codec", "gzip:1",
                "--rows-per-file", "20000", "--master", "links", "--parallelism", "2");
        H5py.check("""
                a = np.load(sys.argv[1])
                with h5py.File(sys.argv[2], 'r') as f:
                    assert sorted(f.keys()) == ['data_000001', 'data_000002', 'data_000003'], list(f.keys())
                    assert f.get('data_000001', getlink=True).filename == 'scan_000001.h5'
                    assert np.array_equal(np.concatenate([f['data_%06d' % i][:] for i in (1, 2, 3)]), a)
                """, in, out);
        assertEquals("3", H5py.check(CHECK_FILES, in, out, 20000, 2000).strip());
        long[] sums = Arrays.stream(H5py.check("""
                a = np.load(sys.argv[1]).astype(np.int64)
                print(' '.join(str(int(a[i * 20000:(i + 1) * 20000].sum())) for i in range(3)))
                """, in).strip().split(" ")).mapToLong(Long::parseLong).toArray();
        try (HdfFile master = new HdfFile(out)) {
            for (int i = 1; i <= 3; i++) {
                Dataset d = master.getDatasetByPath(String.format("/data_%06d", i));
                short[][] rows = (short[][]) d.getData();
                long sum = 0;
                for (short[] row : rows) for (short v : row) sum += v;
                assertEquals(sums[i - 1], sum, "jhdf reads data file " + i + " through the master's external link");
            }
        }
    }

    @Test
    void chunkRowsAreChosenToDivideTheRowsPerFile() {
        Path in = npy(30_000, 4);
        Path out = dir.resolve("auto.h5");
        CliInteropTest.Run r = ok("convert", "--input", in.toString(), "--output", out.toString(), "--rows-per-file", "10000");
        assertTrue(r.err().contains("to divide --rows-per-file 10000"), r.err());
        String chunkRows = H5py.check("print(h5py.File(sys.argv[1], 'r')['data'].chunks[0])", dir.resolve("auto_000001.h5")).strip();
        assertEquals(0, 10000 % Long.parseLong(chunkRows), chunkRows);
        H5py.check("assert np.array_equal(h5py.File(sys.argv[2], 'r')['data'][:], np.load(sys.argv[1]))", in, out);
    }

    @Test
    void badRollingOptionsAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path in = npy(10_000, 4);
        Path out = dir.resolve("bad.h5");
        assertRefused("--rows-per-file 5000 is not a multiple of the chunk rows 4096 (--chunks): a chunk would span two files;"
                + " use --rows-per-file 4096 or 8192", "convert", "--input", in.toString(), "--output", out.toString(),
                "--chunks", "4096,4", "--rows-per-file", "5000");
        assertRefused("appending to a recording rolled over files is not supported", "convert", "--input", in.toString(),
                "--output", out.toString(), "--rows-per-file", "4096", "--append");
        assertRefused("--master links applies with --rows-per-file", "convert", "--input", in.toString(), "--output", out.toString(),
                "--master", "links");
        assertRefused("--master 'eiger' is not vds or links", "convert", "--input", in.toString(), "--output", out.toString(),
                "--rows-per-file", "4096", "--master", "eiger");
        assertRefused("--rows-per-file 0 is not a positive number of rows", "convert", "--input", in.toString(),
                "--output", out.toString(), "--rows-per-file", "0");
        Files.writeString(dir.resolve("bad_000001.h5"), "someone else's file");
        assertRefused("bad.h5 or its data files (bad_000001.h5, ...) exist", "convert", "--input", in.toString(),
                "--output", out.toString(), "--rows-per-file", "4096");
        assertEquals("someone else's file", Files.readString(dir.resolve("bad_000001.h5")), "left as it was");
        assertFalse(Files.exists(out));
    }

    private static void assertRefused(String message, String... args) {
        CliInteropTest.Run r = cli(args);
        assertEquals(Main.USAGE, r.exit(), String.join(" ", args) + "\n" + r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
