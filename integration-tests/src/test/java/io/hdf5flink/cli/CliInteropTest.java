package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.SpaceLedger;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.itest.H5py;
import io.hdf5flink.itest.PageCache;
import io.hdf5flink.itest.SwmrReader;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job as users run it: {@code --help}, {@code demo} with no arguments (java -jar, in a
 * fresh directory), {@code convert} of a .npy, of columns, of segments, of a raw file, with
 * {@code --append} (also to a file h5py wrote), every bad input (exit code, one line, nothing
 * written), a failure while running (exit 1), and resume after kill -9. Outputs are judged by h5py
 * against numpy, value for value.
 */
class CliInteropTest {
    /** The runnable jar the examples module builds (the reactor builds it before this module). */
    static final Path JAR = Path.of("../examples/target/flink-hdf5-examples.jar").toAbsolutePath().normalize();

    @TempDir Path dir;

    /** What one in-process run of the command line returned and printed. */
    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run ok(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        // A run ends at the first checkpoint after its last block: keep the tests quick.
        if (args.length > 0 && args[0].equals("convert") && !all.contains("--checkpoint-interval")) {
            all.addAll(List.of("--checkpoint-interval", "300ms"));
        }
        args = all.toArray(String[]::new);
        Run r = cli(args);
        assertEquals(0, r.exit(), "exit code of " + String.join(" ", args) + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        return r;
    }

    /** A deterministic int16 recording (rows x channels) as .npy, written by numpy. */
    private Path npy(String name, long rows, int channels, int seed) {
        Path p = dir.resolve(name);
        H5py.check("""
                rows, ch, seed = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
                r = np.arange(rows, dtype=np.int64)[:, None]; c = np.arange(ch, dtype=np.int64)[None, :]
                a = (1000 * np.sin(r * 0.01 + c + seed) + ((r * 7919 + c * 104729 + seed) % 61) - 30).astype('<i2')
                np.save(sys.argv[1], a)
                """, p, rows, channels, seed);
        return p;
    }

    private static String s(Path p) {
        return p.toString();
    }

    // ---------------------------------------------------------------------------------------- help

    @Test
    void everyCommandHasHelp() {
        Run top = ok("--help");
        assertTrue(top.out().contains("Usage: flink-hdf5") && top.out().contains("convert") && top.out().contains("demo"), top.out());
        Run convert = ok("convert", "--help");
        for (String option : List.of("--input", "--output", "--dataset", "--chunks", "--codec", "--shuffle", "--fletcher32",
                "--fill", "--parallelism", "--checkpoint-interval", "--append", "--layout", "--dtype", "--shape", "--header-bytes")) {
            assertTrue(convert.out().contains(option), option + " in\n" + convert.out());
        }
        assertTrue(ok("demo", "--help").out().contains("Usage: flink-hdf5 demo"));
        assertTrue(top.out().contains("sql") && ok("sql", "--help").out().contains("Usage: flink-hdf5 sql"), top.out());
        assertTrue(ok("help", "convert").out().contains("Usage: flink-hdf5 convert"));
        assertTrue(ok("--version").out().contains("flink-hdf5"));
        Run none = cli();
        assertEquals(Main.USAGE, none.exit());
        assertEquals(1, none.errLines().size(), none.err());
    }

    // ---------------------------------------------------------------------------------------- demo

    @Test
    void demoRunsWithNoArgumentsFromTheJar() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        Path work = Files.createDirectories(dir.resolve("fresh"));
        Process p = new ProcessBuilder(javaBinary(), "-jar", JAR.toString(), "demo").directory(work.toFile())
                .redirectOutput(work.resolve("stdout.txt").toFile()).redirectError(work.resolve("stderr.txt").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "demo finishes");
        String out = Files.readString(work.resolve("stdout.txt"));
        assertEquals(0, p.exitValue(), out + Files.readString(work.resolve("stderr.txt")));
        assertTrue(out.contains("chunks     (77824, 64)") && out.contains("filters    shuffle, gzip 4") && out.contains("ratio"), out);
        Path demo = work.resolve("demo.h5");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['/acquisition/ElectricalSeries/data']
                assert d.dtype == np.int16 and d.maxshape == (None, 64) and d.chunks == (77824, 64), (d.dtype, d.maxshape, d.chunks)
                assert d.compression == 'gzip' and d.shuffle and d.shape[0] > 0 and d.shape[0] % 3000 == 0, d.shape
                assert d.attrs['unit'] == b'volts' and d.attrs['rate'] == 30000.0 and d.attrs['conversion'] == 1e-6
                assert d.attrs['description'].startswith(b'synthetic 64-channel')
                v = d[:3000]
                assert v.std() > 300, v.std()   # sines of amplitude 1000
                """, demo);
        assertFalse(Files.exists(work.resolve("demo.h5.checkpoints")));

        // It rewrites its own output, and refuses to touch any other file.
        ok("demo", "--output", s(demo), "--seed", "5", "--max-seconds", "2", "--no-progress");
        Path other = Files.writeString(dir.resolve("not-a-demo.h5"), "someone else's file");
        byte[] before = Files.readAllBytes(other);
        Run refused = cli("demo", "--output", s(other));
        assertEquals(Main.USAGE, refused.exit());
        assertArrayEquals(before, Files.readAllBytes(other));
    }

    // -------------------------------------------------------------------------------------- convert

    @Test
    void convertsANpyValueForValue() {
        Path in = npy("in.npy", 100_000, 64, 1);
        Path out = dir.resolve("out.h5");
        Run r = ok("convert", "--input", s(in), "--output", s(out), "--codec", "gzip:4", "--shuffle", "--chunks", "16384,64",
                "--checkpoint-interval", "500ms", "--parallelism", "2");
        String summary = r.out().strip();
        assertEquals(1, summary.lines().count(), r.out());
        assertTrue(summary.startsWith("converted 100,000 rows: raw 12.8 MB, file ") && summary.contains("ratio ")
                && summary.contains("MB/s") && summary.contains("chunks (16384, 64), codec shuffle, gzip 4"), summary);
        assertTrue(r.err().contains("chunks (16384, 64) (as given)"), r.err());
        H5py.check("""
                a = np.load(sys.argv[1]); d = h5py.File(sys.argv[2], 'r')['data']
                assert d.shape == a.shape and d.dtype == a.dtype and d.maxshape == (None, 64) and d.chunks == (16384, 64)
                assert d.compression == 'gzip' and d.compression_opts == 4 and d.shuffle
                assert np.array_equal(d[:], a)
                """, in, out);
        assertFalse(Files.exists(dir.resolve("out.h5.checkpoints")), "a run that completes removes its checkpoints");
        assertFalse(Files.exists(dir.resolve(".hdf5-staging")), "and the staging directory it emptied");
    }

    @Test
    void automaticChunksAndEveryCodecOption() {
        Path in = npy("in.npy", 20_000, 16, 2);
        Path out = dir.resolve("auto.h5");
        Run r = ok("convert", "--input", s(in), "--output", s(out), "--codec", "bzip2:5", "--shuffle", "--fletcher32",
                "--dataset", "/acquisition/raw", "--fill", "-1", "--no-progress");
        // whole rows of about 10 MB, whatever the input's length: later appends keep the chunks
        assertTrue(r.err().contains("chunks (312320, 16) (automatic: whole rows of about 10 MB)"), r.err());
        H5py.check("""
                a = np.load(sys.argv[1]); d = h5py.File(sys.argv[2], 'r')['/acquisition/raw']
                assert d.chunks == (312320, 16) and d.fletcher32 and d.shuffle and d.fillvalue == -1, (d.chunks, d.fillvalue)
                assert '307' in d._filters, d._filters   # bzip2
                assert np.array_equal(d[:], a)
                """, in, out);
    }

    @Test
    void convertsOneFilePerChannelAsColumns() {
        H5py.check("""
                for c in range(6):
                    np.save(f'{sys.argv[1]}/ch{c}.npy', (np.arange(30000, dtype=np.int32) * (c + 1)) % 1000 - c)
                """, dir);
        Path out = dir.resolve("columns.h5");
        ok("convert", "--input", dir + "/ch*.npy", "--layout", "columns", "--output", s(out), "--chunks", "4096,6",
                "--parallelism", "2", "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[2], 'r')['data']
                assert d.shape == (30000, 6) and d.dtype == np.int32 and d.chunks == (4096, 6)
                for c in range(6):
                    assert np.array_equal(d[:, c], np.load(f'{sys.argv[1]}/ch{c}.npy')), c
                """, dir, out);
    }

    @Test
    void convertsSegmentsThatDoNotEndOnChunkBoundaries() {
        Path a = npy("seg1.npy", 10_000, 8, 1);
        Path b = npy("seg2.npy", 7_777, 8, 2);
        Path c = npy("seg3.npy", 5_000, 8, 3);
        Path out = dir.resolve("segments.h5");
        Run r = ok("convert", "--input", s(a), s(b), s(c), "--layout", "segments", "--output", s(out), "--chunks", "4096,8",
                "--parallelism", "2", "--no-progress");
        assertTrue(r.out().contains("converted 22,777 rows"), r.out());
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                expected = np.concatenate([np.load(p) for p in sys.argv[2:]])
                assert d.shape == expected.shape and np.array_equal(d[:], expected)
                """, out, a, b, c);
    }

    @Test
    void convertsARawFileWithDtypeShapeAndHeader() {
        Path raw = dir.resolve("rec.bin");
        H5py.check("""
                a = (np.arange(50000 * 16, dtype=np.int64).reshape(50000, 16) % 30001 - 15000).astype('>i2')
                with open(sys.argv[1], 'wb') as f:
                    f.write(b'HEADER'.ljust(128, b'.')); f.write(a.tobytes())
                """, raw);
        Path out = dir.resolve("raw.h5");
        ok("convert", "--input", s(raw), "--dtype", ">i2", "--shape", "-1,16", "--header-bytes", "128", "--output", s(out),
                "--codec", "lzf", "--no-progress");
        Path flat = dir.resolve("flat.h5");
        ok("convert", "--input", s(raw), "--dtype", "u1", "--output", s(flat), "--codec", "none", "--no-progress");
        H5py.check("""
                a = (np.arange(50000 * 16, dtype=np.int64).reshape(50000, 16) % 30001 - 15000).astype('<i2')
                d = h5py.File(sys.argv[1], 'r')['data']
                assert d.dtype == np.dtype('<i2') and d.compression == 'lzf' and np.array_equal(d[:], a)
                f = h5py.File(sys.argv[2], 'r')['data']
                assert f.shape == (128 + a.size * 2,) and f.dtype == np.uint8   # 1-D: the whole file
                assert np.array_equal(f[128:], np.frombuffer(a.astype('>i2').tobytes(), np.uint8))
                """, out, flat);
    }

    @Test
    void appendsAfterExistingRowsAlignedOrNot() {
        Path a = npy("a.npy", 10_000, 8, 1);   // 10000 rows: chunks of 4096 leave a partial last chunk
        Path b = npy("b.npy", 8_192, 8, 2);
        Path c = npy("c.npy", 3_001, 8, 3);
        Path out = dir.resolve("appended.h5");
        ok("convert", "--input", s(a), "--output", s(out), "--chunks", "4096,8", "--shuffle", "--parallelism", "2", "--no-progress");
        Run r = ok("convert", "--input", s(b), "--output", s(out), "--append", "--parallelism", "2", "--no-progress");
        assertTrue(r.err().contains("appending after row 10000"), r.err());
        ok("convert", "--input", s(c), "--output", s(out), "--append", "--shuffle", "--parallelism", "2", "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                expected = np.concatenate([np.load(p) for p in sys.argv[2:]])
                assert d.shape == (21193, 8) and d.chunks == (4096, 8) and d.shuffle, (d.shape, d.chunks)
                assert np.array_equal(d[:], expected)
                """, out, a, b, c);
    }

    @Test
    void appendsToADatasetH5pyWrote() {
        Path out = dir.resolve("h5py.h5");
        Path more = npy("more.npy", 3_000, 8, 4);
        H5py.check("""
                with h5py.File(sys.argv[1], 'w') as f:
                    f.create_dataset('data', data=np.arange(5000 * 8, dtype='<i2').reshape(5000, 8), maxshape=(None, 8),
                                     chunks=(1024, 8), compression='gzip', compression_opts=4)
                """, out);
        ok("convert", "--input", s(more), "--output", s(out), "--append", "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                expected = np.concatenate([np.arange(5000 * 8, dtype='<i2').reshape(5000, 8), np.load(sys.argv[2])])
                assert d.shape == (8000, 8) and np.array_equal(d[:], expected)
                """, out, more);
    }

    /**
     * Issue 18's new user: h5py default-format files whose groups libhdf5 stores with link
     * messages (an external link in /, a non-ASCII group name, a non-ASCII sibling, a
     * track_order root and dataset, whose object headers are version 2) are appended to; every
     * link stays, h5py reads old and new rows.
     */
    @Test
    void appendsToH5pyFilesWhoseGroupsAreStoredWithLinkMessages() {
        Path more = npy("more18.npy", 3_000, 8, 5);
        Path dirOf = dir.resolve("linkgroups");
        H5py.check("""
                import os
                d = sys.argv[1]
                os.makedirs(d, exist_ok=True)
                a = np.arange(5000 * 8, dtype='<i2').reshape(5000, 8)
                def data(g, name):
                    g.create_dataset(name, data=a, maxshape=(None, 8), chunks=(1024, 8), compression='gzip')
                with h5py.File(os.path.join(d, 'other.h5'), 'w') as f:
                    f['x'] = np.arange(3)
                with h5py.File(os.path.join(d, 'external.h5'), 'w') as f:
                    data(f, 'data'); f['ext'] = h5py.ExternalLink('other.h5', '/x')
                with h5py.File(os.path.join(d, 'accent.h5'), 'w') as f:
                    data(f.create_group('données'), 'data')
                with h5py.File(os.path.join(d, 'sibling.h5'), 'w') as f:
                    data(f, 'data'); f['µV_scale'] = 0.195
                with h5py.File(os.path.join(d, 'tracked.h5'), 'w', track_order=True) as f:
                    # track_order on the dataset too: a version 2 object header
                    f.create_dataset('data', data=a, maxshape=(None, 8), chunks=(1024, 8), compression='gzip', track_order=True)
                    f['soft'] = h5py.SoftLink('/data')
                # libver='latest' (superblock 3, an extensible-array chunk index), as SWMR writers make them
                with h5py.File(os.path.join(d, 'latest.h5'), 'w', libver='latest') as f:
                    data(f.create_group('entry'), 'data')
                """, dirOf);
        for (String[] c : new String[][] {{"external.h5", "/data"}, {"accent.h5", "/données/data"}, {"sibling.h5", "/data"},
                {"tracked.h5", "/data"}, {"latest.h5", "/entry/data"}}) {
            Run r = ok("convert", "--input", s(more), "--output", s(dirOf.resolve(c[0])), "--dataset", c[1], "--append", "--no-progress");
            assertTrue(r.err().contains("appending after row 5000"), r.err());
        }
        ok("convert", "--input", s(more), "--output", s(dirOf.resolve("accent.h5")), "--dataset", "/données/nouvelles", "--append",
                "--no-progress");
        H5py.check("""
                import os
                d = sys.argv[1]
                expected = np.concatenate([np.arange(5000 * 8, dtype='<i2').reshape(5000, 8), np.load(sys.argv[2])])
                for name, path in (('external.h5', '/data'), ('accent.h5', '/données/data'), ('sibling.h5', '/data'), ('tracked.h5', '/data'),
                                   ('latest.h5', '/entry/data')):
                    with h5py.File(os.path.join(d, name), 'r') as f:
                        assert np.array_equal(f[path][:], expected), name
                with h5py.File(os.path.join(d, 'external.h5'), 'r') as f:
                    assert f.get('ext', getlink=True).filename == 'other.h5' and list(f['ext'][:]) == [0, 1, 2]
                with h5py.File(os.path.join(d, 'accent.h5'), 'r') as f:
                    assert np.array_equal(f['données/nouvelles'][:], np.load(sys.argv[2]))
                with h5py.File(os.path.join(d, 'sibling.h5'), 'r') as f:
                    assert f['µV_scale'][()] == 0.195
                with h5py.File(os.path.join(d, 'tracked.h5'), 'r') as f:
                    assert f.get('soft', getlink=True).path == '/data'
                """, dirOf, more);
    }

    // ------------------------------------------------------------------ issue 19: content, sizes, defaults

    /** The HDMF tutorial's own inputs: raw np.memmap files named .npy, one array and one per channel. */
    @Test
    void convertsTheTutorialsRawMemmapsNamedNpy() throws Exception {
        Path work = Files.createDirectories(dir.resolve("tutorial"));
        H5py.check("""
                import os
                os.chdir(sys.argv[1])
                # As in "Convert large binary data arrays" and "Convert arrays stored in multiple files".
                datashape = (100, 10)
                num_values = 1000
                arrdata = np.arange(num_values).reshape(datashape)
                temp = np.memmap('basic_sparse_iterwrite_testdata.npy', dtype='float64', mode='w+', shape=datashape)
                temp[:] = arrdata
                del temp
                num_channels = 10
                num_steps = 100
                channel_files = ['basic_sparse_iterwrite_testdata_channel_%i.npy' % i for i in range(num_channels)]
                for i, f in enumerate(channel_files):
                    temp = np.memmap(f, dtype='float64', mode='w+', shape=(num_steps,))
                    temp[:] = np.arange(num_steps, dtype='float64') + 1000 * i
                    del temp
                """, work);
        Path array = work.resolve("basic_sparse_iterwrite_testdata.npy");
        Path out = dir.resolve("largearray.h5");
        refused(array + " is not a .npy file (it does not start with numpy's magic", out,
                "convert", "--input", s(array), "--output", s(out));
        ok("convert", "--input", s(array), "--dtype", "<f8", "--shape", "-1,10", "--output", s(out), "--no-progress");
        Path channels = dir.resolve("multifile.h5");
        ok("convert", "--input", work + "/basic_sparse_iterwrite_testdata_channel_*.npy", "--layout", "columns",
                "--dtype", "float64", "--output", s(channels), "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                assert d.shape == (100, 10) and d.dtype == np.float64, (d.shape, d.dtype)
                assert np.array_equal(d[:], np.arange(1000).reshape(100, 10))   # the tutorial's own check
                c = h5py.File(sys.argv[2], 'r')['data']
                assert c.shape == (100, 10), c.shape
                assert np.array_equal(c[:], np.arange(100)[:, None] + 1000.0 * np.arange(10)[None, :])
                """, out, channels);
    }

    /** Defect 1: {@code --dtype} on a real .npy read its header as data and exited 0. */
    @Test
    void aNpyFileIsReadByItsHeaderWhateverTheOptions() throws Exception {
        Path in = npy("rec.npy", 2_000, 16, 5);
        Path out = dir.resolve("rec.h5");
        refused(in + ": it is a .npy file of <i2 (2000, 16) with 128 header bytes, which the given dtype <f4 contradicts",
                out, "convert", "--input", s(in), "--dtype", "<f4", "--output", s(out));
        refused("which the given shape (1000, 32) contradicts", out,
                "convert", "--input", s(in), "--dtype", "<i2", "--shape", "1000,32", "--output", s(out));
        // Options that agree with the header are harmless; a .npy file under any name is a .npy file.
        ok("convert", "--input", s(in), "--dtype", "<i2", "--shape", "-1,16", "--output", s(out), "--no-progress");
        Path renamed = Files.copy(in, dir.resolve("rec.dat"));
        Path out2 = dir.resolve("renamed.h5");
        ok("convert", "--input", s(renamed), "--output", s(out2), "--no-progress");
        H5py.check("""
                a = np.load(sys.argv[1])
                for f in sys.argv[2:]:
                    d = h5py.File(f, 'r')['data']
                    assert d.shape == a.shape and d.dtype == a.dtype and np.array_equal(d[:], a), f
                """, in, out, out2);
    }

    /** Defect 2: a {@code --shape} covering 1,000 of 200,000 rows wrote 1,000 rows and exited 0. */
    @Test
    void aRawFileMustHoldExactlyItsShape() throws Exception {
        Path raw = dir.resolve("rec.bin");
        H5py.check("(np.arange(200_000 * 16, dtype=np.int64) % 32000).astype('<i2').tofile(sys.argv[1])", raw);
        Path out = dir.resolve("raw.h5");
        refused(raw + ": the file holds 6400000 data bytes (200000 rows), more than the 32000 of <i2 (1000, 16): give its"
                + " whole shape, or -1 as the first extent to take every row", out,
                "convert", "--input", s(raw), "--dtype", "<i2", "--shape", "1000,16", "--output", s(out));
        refused("not a whole number of rows of 48 bytes", out,
                "convert", "--input", s(raw), "--dtype", "<i2", "--shape", "-1,24", "--output", s(out));
        ok("convert", "--input", s(raw), "--dtype", "<i2", "--shape", "200000,16", "--output", s(out), "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                assert d.shape == (200000, 16), d.shape
                assert np.array_equal(d[:], np.fromfile(sys.argv[2], '<i2').reshape(-1, 16))
                """, out, raw);
    }

    /** Item 3: a frame over 8 MiB could not be converted at all, even one frame per chunk. */
    @Test
    void framesLargerThanEightMebibytesConvert() throws Exception {
        Path in = dir.resolve("frames.npy");
        H5py.check("np.save(sys.argv[1], (np.arange(3 * 2000 * 3000, dtype=np.int64) % 65521).astype('<u2').reshape(3, 2000, 3000))",
                in);
        Path perFrame = dir.resolve("frames.h5");
        ok("convert", "--input", s(in), "--output", s(perFrame), "--chunks", "1,2000,3000", "--no-progress");
        Path automatic = dir.resolve("frames-auto.h5");
        ok("convert", "--input", s(in), "--output", s(automatic), "--no-progress");
        H5py.check("""
                a = np.load(sys.argv[1])
                d = h5py.File(sys.argv[2], 'r')['data']
                assert d.chunks == (1, 2000, 3000) and np.array_equal(d[:], a), d.chunks
                d = h5py.File(sys.argv[3], 'r')['data']
                assert d.chunks == (1, 2000, 1500) and np.array_equal(d[:], a), d.chunks   # 6 MB: about the 10 MB rule
                """, in, perFrame, automatic);
    }

    /**
     * {@code --no-direct-io}: the chunks go through the page cache, so output read again at once
     * comes from memory. By default they go past it, and a fresh output is hardly cached at all.
     * Measured with {@code fincore} (util-linux), which asks the kernel, before anything reads
     * the files.
     */
    @Test
    void noDirectIoLeavesTheOutputInThePageCache() throws Exception {
        Path in = npy("in.npy", 400_000, 64, 3); // 51 MB
        Path past = dir.resolve("past.h5");
        Path through = dir.resolve("through.h5");
        ok("convert", "--input", s(in), "--output", s(past), "--codec", "none", "--chunks", "16384,64", "--no-progress");
        ok("convert", "--input", s(in), "--output", s(through), "--codec", "none", "--chunks", "16384,64", "--no-progress",
                "--no-direct-io");
        long pastResident = PageCache.residentBytes(past);
        long throughResident = PageCache.residentBytes(through);
        assertTrue(pastResident < Files.size(past) / 10, "past the page cache, yet " + pastResident + " of "
                + Files.size(past) + " bytes are cached");
        assertTrue(throughResident > Files.size(through) * 9 / 10, "through the page cache, yet only " + throughResident
                + " of " + Files.size(through) + " bytes are cached");
        H5py.check("""
                a = np.load(sys.argv[1])
                for f in sys.argv[2:]:
                    assert np.array_equal(h5py.File(f, 'r')['data'][:], a), f
                """, in, past, through);
    }

    /** Item 4: {@code zstd:22} wrote level 3's bytes while the file recorded 22. */
    @Test
    void zstdLevelsAreTheLevelsUsed() throws Exception {
        Path in = npy("z.npy", 100_000, 16, 9);
        Path three = dir.resolve("zstd3.h5");
        Path nineteen = dir.resolve("zstd19.h5");
        ok("convert", "--input", s(in), "--output", s(three), "--codec", "zstd:3", "--shuffle", "--chunks", "16384,16", "--no-progress");
        ok("convert", "--input", s(in), "--output", s(nineteen), "--codec", "zstd:19", "--shuffle", "--chunks", "16384,16", "--no-progress");
        H5py.check("""
                import zstandard
                # This machine's libhdf5 has no zstd plugin: the chunks are checked with the reference
                # zstd library (the zstandard module), unshuffled by hand.
                a = np.load(sys.argv[1])
                sizes = []
                for path, level in ((sys.argv[2], 3), (sys.argv[3], 19)):
                    d = h5py.File(path, 'r')['data']
                    plist = d.id.get_create_plist()
                    filters = [plist.get_filter(i) for i in range(plist.get_nfilters())]
                    assert [f[0] for f in filters] == [2, 32015] and filters[1][2] == (level,), filters
                    assert d.shape == a.shape and d.chunks == (16384, 16)
                    total = 0
                    for i in range(d.id.get_num_chunks()):
                        info = d.id.get_chunk_info(i)
                        mask, frame = d.id.read_direct_chunk(info.chunk_offset)
                        assert mask == 0 and zstandard.get_frame_parameters(frame).content_size == 16384 * 16 * 2
                        raw = zstandard.ZstdDecompressor().decompress(frame)
                        chunk = np.frombuffer(raw, np.uint8).reshape(2, -1).T.copy().view('<i2').reshape(16384, 16)
                        r = info.chunk_offset[0]
                        n = min(16384, a.shape[0] - r)
                        assert np.array_equal(chunk[:n], a[r:r + n]), (path, r)
                        total += len(frame)
                    sizes.append(total)
                assert sizes[1] < sizes[0], sizes   # level 19 compresses more than level 3
                """, in, three, nineteen);
    }

    /** Item 5: the first input's row count capped the chunks every later append kept. */
    @Test
    void automaticChunksAreForTheDatasetsFutureAndAppendsWarnOfPoorChunks() throws Exception {
        Path small = npy("small.npy", 10, 16, 1);
        Path big = npy("big.npy", 200_000, 16, 2);
        Path out = dir.resolve("grown.h5");
        ok("convert", "--input", s(small), "--output", s(out), "--no-progress");
        Run appended = ok("convert", "--input", s(big), "--output", s(out), "--append", "--no-progress");
        assertFalse(appended.err().contains("warning"), appended.err());
        // A dataset h5py made with tiny chunks keeps them, with a warning that says what they cost.
        Path tiny = dir.resolve("tiny.h5");
        H5py.check("""
                with h5py.File(sys.argv[1], 'w') as f:
                    f.create_dataset('data', data=np.load(sys.argv[2]), maxshape=(None, 16), chunks=(10, 16))
                """, tiny, small);
        Run warned = ok("convert", "--input", s(big), "--output", s(tiny), "--append", "--no-progress");
        assertTrue(warned.err().contains("warning: " + tiny + ":/data has chunks (10, 16) of 320 bytes, far from the ~10 MB"
                + " the automatic rule chooses; appending keeps them (these 200,000 rows take about 20,000 chunks)"), warned.err());
        H5py.check("""
                expected = np.concatenate([np.load(sys.argv[2]), np.load(sys.argv[3])])
                d = h5py.File(sys.argv[1], 'r')['data']
                assert d.chunks == (312320, 16) and d.id.get_num_chunks() == 1, (d.chunks, d.id.get_num_chunks())
                assert d.shape == (200010, 16) and np.array_equal(d[:], expected)
                t = h5py.File(sys.argv[4], 'r')['data']
                assert t.chunks == (10, 16) and np.array_equal(t[:], expected)
                """, out, small, big, tiny);
    }

    /** Item 6: convert defaulted to gzip 4 without shuffle, while the sink and the README say shuffle + gzip 4. */
    @Test
    void theDefaultCodecIsShuffleAndGzipFour() throws Exception {
        Path in = npy("d.npy", 5_000, 8, 3);
        Path defaults = dir.resolve("defaults.h5");
        Path noShuffle = dir.resolve("noshuffle.h5");
        Path none = dir.resolve("none.h5");
        ok("convert", "--input", s(in), "--output", s(defaults), "--no-progress");
        ok("convert", "--input", s(in), "--output", s(noShuffle), "--no-shuffle", "--no-progress");
        ok("convert", "--input", s(in), "--output", s(none), "--codec", "none", "--no-progress");
        H5py.check("""
                a = np.load(sys.argv[1])
                d = h5py.File(sys.argv[2], 'r')['data']
                assert d.shuffle and d.compression == 'gzip' and d.compression_opts == 4, (d.shuffle, d.compression)
                n = h5py.File(sys.argv[3], 'r')['data']
                assert not n.shuffle and n.compression == 'gzip' and n.compression_opts == 4
                z = h5py.File(sys.argv[4], 'r')['data']
                assert not z.shuffle and z.compression is None
                for x in (d, n, z):
                    assert np.array_equal(x[:], a)
                """, in, defaults, noShuffle, none);
    }

    /**
     * Issue 16: bitshuffle and Blosc, as detectors and hdf5plugin users write them. libhdf5 with
     * the plugins reads the outputs value for value (bitshuffle with zstd, which Debian's plugin
     * lacks, through the reference harness's decoder); no byte shuffle is added before codecs that
     * shuffle themselves, unless asked for.
     */
    @Test
    void convertsToBitshuffleAndBlosc() throws Exception {
        Path in = npy("b.npy", 40_003, 16, 5);
        List<String> codecs = List.of("bitshuffle:lz4", "bitshuffle:zstd:5", "blosc:lz4:5:bitshuffle", "blosc:zstd:3");
        List<Path> outs = new ArrayList<>();
        for (String codec : codecs) {
            Path out = dir.resolve(codec.replace(':', '_') + ".h5");
            Run r = ok("convert", "--input", s(in), "--output", s(out), "--codec", codec, "--chunks", "16384,16", "--no-progress");
            assertTrue(r.out().contains("codec " + codec.replace(':', ' ').replace("blosc zstd 3", "blosc zstd 3 shuffle")),
                    r.out());
            outs.add(out);
        }
        Path shuffled = dir.resolve("shuffled.h5");
        ok("convert", "--input", s(in), "--output", s(shuffled), "--codec", "blosc", "--shuffle", "--chunks", "16384,16",
                "--no-progress");
        H5py.check("""
                a = np.load(sys.argv[1])
                expected = [[(32008, (0, 4, 2, 0, 2))], [(32008, (0, 4, 2, 0, 3, 5))],
                            [(32001, (2, 2, 2, 16384 * 16 * 2, 5, 2, 1))], [(32001, (2, 2, 2, 16384 * 16 * 2, 3, 1, 5))],
                            [(2, (2,)), (32001, (2, 2, 2, 16384 * 16 * 2, 5, 1, 1))]]
                for path, want in zip(sys.argv[2:], expected):
                    d = h5py.File(path, 'r')['data']
                    plist = d.id.get_create_plist()
                    got = [plist.get_filter(i)[0:3:2] for i in range(plist.get_nfilters())]
                    assert got == want, (path, got)
                    assert d.shape == a.shape and d.chunks == (16384, 16)
                    if want[0][1][4:5] != (3,):   # bitshuffle with zstd: below
                        assert np.array_equal(d[:], a), path
                """, in, outs.get(0), outs.get(1), outs.get(2), outs.get(3), shuffled);
        byte[] expected = Files.readAllBytes(in);
        byte[] zstd = io.hdf5flink.hdf5.testing.ReferenceLibrary.describe(outs.get(1)).dataset("/data").data().bytes();
        assertArrayEquals(Arrays.copyOfRange(expected, expected.length - zstd.length, expected.length), zstd,
                "bitshuffle:zstd:5 decoded by the reference harness");
    }

    /** Issue 16: appending to bitshuffle and Blosc datasets h5py wrote keeps their filters; another codec is refused. */
    @Test
    void appendsToBitshuffleAndBloscDatasetsH5pyWrote() throws Exception {
        Path out = dir.resolve("detector.h5");
        Path more = npy("more.npy", 3_000, 8, 6);
        H5py.check("""
                import hdf5plugin
                with h5py.File(sys.argv[1], 'w') as f:
                    for name, codec in (('bslz4', hdf5plugin.Bitshuffle()), ('blosc', hdf5plugin.Blosc(cname='zstd'))):
                        f.create_dataset(name, data=np.arange(5000 * 8, dtype='<i2').reshape(5000, 8), maxshape=(None, 8),
                                         chunks=(1024, 8), **codec)
                """, out);
        ok("convert", "--input", s(more), "--output", s(out), "--dataset", "/bslz4", "--append", "--codec", "bitshuffle:lz4",
                "--no-progress");
        ok("convert", "--input", s(more), "--output", s(out), "--dataset", "/blosc", "--append", "--no-progress");
        refused("--codec/--shuffle/--fletcher32 ask for blosc lz4 5 shuffle, but " + out + ":/blosc uses blosc zstd 5 shuffle",
                out, "convert", "--input", s(more), "--output", s(out), "--dataset", "/blosc", "--append", "--append-again",
                "--codec", "blosc:lz4");
        H5py.check("""
                expected = np.concatenate([np.arange(5000 * 8, dtype='<i2').reshape(5000, 8), np.load(sys.argv[2])])
                for name in ('bslz4', 'blosc'):
                    d = h5py.File(sys.argv[1], 'r')[name]
                    assert d.shape == (8000, 8) and np.array_equal(d[:], expected), name
                """, out, more);
    }

    /** Issue 20, item 1: the checkpoint directory was scratch space the run owned, whatever it held. */
    @Test
    void deletesOnlyWhatItPutInTheCheckpointDirectory() throws Exception {
        Path in = npy("in.npy", 2_000, 8, 1);
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(work.resolve("photos"));
        Files.writeString(work.resolve("photos/cat.jpg"), "a cat");
        Path out = dir.resolve("out.h5");
        refused("checkpoint directory " + work + " is not empty and holds no convert.properties", out,
                "convert", "--input", s(in), "--output", s(out), "--checkpoint-dir", s(work));
        assertEquals("a cat", Files.readString(work.resolve("photos/cat.jpg")));

        // The default directory, a link to somebody's directory: refused as well.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createDirectories(elsewhere.resolve("keep"));
        Files.createSymbolicLink(dir.resolve("out.h5.checkpoints"), elsewhere);
        Run r = cli("convert", "--input", s(in), "--output", s(out), "--no-progress");
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertTrue(Files.isDirectory(elsewhere.resolve("keep")) && !Files.exists(out), r.err());
        Files.delete(dir.resolve("out.h5.checkpoints"));

        // An empty directory given is used, and left (empty) at the end.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        ok("convert", "--input", s(in), "--output", s(out), "--checkpoint-dir", s(empty), "--no-progress");
        assertTrue(Files.isDirectory(empty));
        try (Stream<Path> left = Files.list(empty)) {
            assertEquals(List.of(), left.toList());
        }
        H5py.check("assert np.array_equal(h5py.File(sys.argv[1], 'r')['data'][:], np.load(sys.argv[2]))", out, in);
    }

    /** Issue 20, item 7: outputs a re-run cannot fix were reported as resumable (exit 1). */
    @Test
    void outputsTheSinkCannotWriteAreRefusedBeforeTheJob() throws Exception {
        Path in = npy("in.npy", 1_000, 8, 1);
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path elsewhere = Files.createDirectories(dir.resolve("other")).resolve("target.h5");
        Path linkOut = Files.createSymbolicLink(sub.resolve("out.h5"), elsewhere);
        refused("--output " + linkOut + " is a symbolic link to " + elsewhere + ", outside its directory", sub.resolve("nothing.h5"), "convert", "--input", s(in), "--output", s(linkOut));
        Files.delete(linkOut);
        Path dangling = Files.createSymbolicLink(sub.resolve("dangling.h5"), sub.resolve("missing.h5"));
        refused("--output " + dangling + " is a dangling symbolic link", sub.resolve("nothing.h5"),
                "convert", "--input", s(in), "--output", s(dangling));
        Path missing = dir.resolve("no/such/dir/out.h5");
        refused("its directory " + missing.getParent() + " does not exist", missing,
                "convert", "--input", s(in), "--output", s(missing));
        assertFalse(Files.exists(sub.resolve("out.h5.checkpoints")) || Files.exists(sub.resolve(".hdf5-staging")));
    }

    /** Issue 20, items 3 and 7: the same convert started twice wrote one output twice over. */
    @Test
    void aSecondRunOfTheSameConvertIsRefusedWhileTheFirstRuns() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        Path in = npy("big.npy", 390_625, 64, 7); // 50 MB
        Path out = dir.resolve("once.h5");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
        command.addAll(List.of("convert", "--input", s(in), "--output", s(out), "--codec", "gzip:9", "--chunks", "4096,64",
                "--parallelism", "1", "--no-progress"));
        Process first = new ProcessBuilder(command).redirectOutput(dir.resolve("first.out").toFile())
                .redirectError(dir.resolve("first.err").toFile()).start();
        Path lock = dir.resolve("once.h5.checkpoints/convert.lock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(dir.resolve("once.h5.checkpoints/convert.properties")) && first.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(first.isAlive() && Files.exists(lock), "the first run must still run: " + Files.readString(dir.resolve("first.err")));
        Run second = cli("convert", "--input", s(in), "--output", s(out), "--codec", "gzip:9", "--chunks", "4096,64",
                "--parallelism", "1", "--no-progress");
        assertEquals(Main.USAGE, second.exit(), second.err());
        assertTrue(second.err().contains("another convert is running with the checkpoints in " + dir.resolve("once.h5.checkpoints")),
                second.err());
        assertTrue(first.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), Files.readString(dir.resolve("first.err")));
        H5py.check("""
                a = np.load(sys.argv[1]); d = h5py.File(sys.argv[2], 'r')['data']
                assert d.shape == a.shape and np.array_equal(d[:], a), d.shape
                """, in, out);
        assertFalse(Files.exists(dir.resolve("once.h5.checkpoints")));
    }

    /**
     * Issue 20, item 5: a reader opening the output again and again while {@code convert} writes it,
     * two readers on two segments at once (one writer runs ahead of the other), sees only a growing
     * prefix of the input's rows, never the fill value standing in for rows not yet written.
     */
    @Test
    void aLiveReaderSeesOnlyAGrowingPrefixOfTheInput() throws Exception {
        String[] seen = watchConversion("live", List.of(), """
                import os, sys, time, h5py, numpy as np
                out, stop = sys.argv[1], sys.argv[2]
                a = np.concatenate([np.load(p) for p in sys.argv[3:]])
                shown, opened, sizes, torn = 0, 0, set(), 0
                def look():
                    global shown, opened, torn
                    if not os.path.exists(out): return
                    try:
                        with h5py.File(out, 'r') as f:
                            if 'data' not in f: return
                            d = f['data']; rows = d.shape[0]
                            v = d[:rows]
                    except (OSError, RuntimeError) as e:
                        # libhdf5 without SWMR reads the superblock when the file opens and the
                        # dataset later: a commit in between makes it refuse a chunk past the end
                        # of file it read ('addr overflow'). It says so; it never shows wrong rows.
                        # (h5py raises RuntimeError when that happens while it looks up the link,
                        # as the dataset is being created.)
                        assert 'addr overflow' in str(e), e
                        torn += 1; return
                    assert rows >= shown, f'{shown} rows were shown, then {rows}'
                    assert np.array_equal(v, a[:rows]), f'of the {rows} rows shown, some differ from the input'
                    shown = rows; opened += 1; sizes.add(rows)
                while not os.path.exists(stop):
                    look()
                    time.sleep(0.01)
                look()  # once more after convert ended: the last look sees the whole input
                print(opened, len(sizes), shown, torn)
                """);
        System.out.printf("live reader: %s looks read a prefix (%s sizes), %s refused by libhdf5 as torn%n", seen[0], seen[1], seen[3]);
        assertEquals("300000", seen[2], "the reader's last look shows every row");
        assertTrue(Integer.parseInt(seen[1]) >= 3, "the reader saw the dataset grow: " + String.join(" ", seen));
    }

    /**
     * Issue 18: {@code convert --format latest} writes superblock 3, flagged for SWMR writing while it
     * runs. An h5py reader in SWMR mode keeps the file open and calls {@code refresh()} in a loop:
     * it must see a growing prefix of the input and never an error (no torn look is tolerated
     * here, unlike for readers without SWMR). After the run, the flags are cleared and every reader
     * opens the file.
     */
    @Test
    void anH5pySwmrReaderWatchesALatestFormatConversion() throws Exception {
        String[] seen = watchConversion("swmr", List.of("--format", "latest"), SwmrReader.script(), "npy");
        Path out = dir.resolve("swmr.h5");
        Path segment = dir.resolve("swmr-2.npy");
        System.out.printf("SWMR reader: %s looks, %s sizes, never an error%n", seen[0], seen[1]);
        assertEquals("300000", seen[2], "the reader's last look shows every row");
        assertTrue(Integer.parseInt(seen[1]) >= 3, "the reader saw the dataset grow: " + String.join(" ", seen));
        ReferenceLibrary.h5dump(out);

        // An output a libhdf5 SWMR writer was killed writing is flagged: refused, naming h5clear, until cleared.
        Path flagged = dir.resolve("swmr-killed.h5");
        H5py.check("""
                import subprocess, textwrap
                subprocess.run([sys.executable, '-c', textwrap.dedent('''
                    import sys, os, h5py, numpy as np
                    f = h5py.File(sys.argv[1], 'w', libver='latest')
                    d = f.create_dataset('data', shape=(0, 64), maxshape=(None, 64), chunks=(4096, 64), dtype='<i2')
                    f.swmr_mode = True
                    d.resize((10, 64)); d[:] = 1; d.flush()
                    os._exit(0)
                    '''), sys.argv[1]], check=True)
                """, flagged);
        refused("is flagged as open for writing by another HDF5 writer", flagged, "convert", "--input", s(segment), "--output",
                s(flagged), "--append");
        assertEquals(0, new ProcessBuilder("h5clear", "-s", "--increment=0", s(flagged)).inheritIO().start().waitFor());
        ok("convert", "--input", s(segment), "--output", s(flagged), "--append", "--no-progress");
        H5py.check("d = h5py.File(sys.argv[1], 'r')['data']; assert d.shape == (60010, 64) and (d[:10] == 1).all()", flagged);

        // An existing output keeps its format; an unknown format is named.
        refused("--format latest applies to a new output", out, "convert", "--input", s(segment), "--output", s(out),
                "--append", "--format", "latest");
        refused("--format 'v110' is not default or latest", dir.resolve("none.h5"), "convert", "--input", s(segment),
                "--output", s(dir.resolve("none.h5")), "--format", "v110");
    }

    /**
     * Runs {@code reader} (Python: {@code sys.argv[1]} the output, {@code [2]} the file whose
     * appearance says convert ended, then {@code readerArgs} and the three inputs) in a child process while {@code
     * convert} writes three segments of 300,000 rows into {@code NAME.h5} at parallelism 2 with
     * checkpoints every 200 ms; the inputs are {@code NAME-0.npy} to {@code NAME-2.npy}.
     *
     * @return what the reader printed last, split at spaces
     */
    private String[] watchConversion(String name, List<String> options, String reader, String... readerArgs) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        List<Path> segments = List.of(npy(name + "-0.npy", 120_000, 64, 1), npy(name + "-1.npy", 120_000, 64, 2),
                npy(name + "-2.npy", 60_000, 64, 3));
        Path out = dir.resolve(name + ".h5");
        Path stop = dir.resolve(name + ".stop");
        Path script = dir.resolve(name + "_reader.py");
        Files.writeString(script, reader);
        List<String> command = new ArrayList<>(List.of(ReferenceLibrary.PYTHON, script.toString(), s(out), s(stop)));
        command.addAll(List.of(readerArgs));
        for (Path p : segments) command.add(s(p));
        Process watching = new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
        List<String> convert = new ArrayList<>(List.of("convert", "--input", s(segments.get(0)), "--input", s(segments.get(1)),
                "--input", s(segments.get(2)), "--layout", "segments", "--output", s(out), "--codec", "gzip:9", "--chunks",
                "4096,64", "--parallelism", "2", "--checkpoint-interval", "200ms", "--no-progress"));
        convert.addAll(options);
        Run run = cli(convert.toArray(String[]::new));
        Files.writeString(stop, "");
        assertTrue(watching.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run.exit(), run.err());
        assertEquals(0, watching.exitValue(), Files.readString(dir.resolve(name + ".err")));
        return Files.readString(dir.resolve(name + ".out")).strip().split(" ");
    }

    /** Issue 20, item 4: the same {@code --append} run again after it completed appended its input a second time. */
    @Test
    void appendingAnInputTheDatasetHoldsIsRefusedUnlessAskedFor() throws Exception {
        Path a = npy("a.npy", 5_000, 8, 1);
        Path b = npy("b.npy", 3_000, 8, 2);
        Path out = dir.resolve("appended-once.h5");
        ok("convert", "--input", s(a), "--output", s(out), "--chunks", "1024,8", "--no-progress");
        ok("convert", "--input", s(b), "--output", s(out), "--append", "--no-progress");
        refused("already holds these inputs", out, "convert", "--input", s(b), "--output", s(out), "--append");
        refused("already holds these inputs", out, "convert", "--input", s(a), "--output", s(out), "--append");
        ok("convert", "--input", s(b), "--output", s(out), "--append", "--append-again", "--no-progress");
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                a, b = np.load(sys.argv[2]), np.load(sys.argv[3])
                assert d.shape == (11000, 8) and np.array_equal(d[:], np.concatenate([a, b, b])), d.shape
                recorded = sorted(v.decode() for k, v in d.attrs.items() if k.startswith('_hdf5flink_input_'))
                assert len(recorded) == 2, recorded
                assert recorded[0].startswith('rows 0 to 5000 from ') and recorded[1].startswith('rows 8000 to 11000 from '), recorded
                """, out, a, b);
    }

    /**
     * Issue 20, item 3: two {@code --append} runs with different checkpoint directories. The first,
     * killed after a checkpoint, may still resume and write after the row it started from, so the
     * second is refused until the first completes; both killed can no longer happen.
     */
    @Test
    void anotherAppendIsRefusedWhileAnInterruptedAppendMayResume() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        Path a = npy("a.npy", 1_000, 64, 1);
        Path b = npy("b.npy", 390_625, 64, 2); // 50 MB: killed half way
        Path c = npy("c.npy", 2_000, 64, 3);
        Path out = dir.resolve("shared.h5");
        ok("convert", "--input", s(a), "--output", s(out), "--chunks", "4096,64", "--codec", "gzip:9", "--no-progress");
        List<String> appendB = List.of("convert", "--input", s(b), "--output", s(out), "--append", "--codec", "gzip:9",
                "--checkpoint-interval", "200ms", "--parallelism", "1", "--no-progress");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
        command.addAll(appendB);
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("b.out").toFile())
                .redirectError(dir.resolve("b.err").toFile()).start();
        Path checkpoints = dir.resolve("shared.h5.checkpoints");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (completedCheckpoints(checkpoints) == 0 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive() && completedCheckpoints(checkpoints) > 0, Files.readString(dir.resolve("b.err")));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        // Another convert appending meanwhile (its own checkpoint directory, which b's lock does not
        // see) is refused while b may still resume; b's command run again completes, then it appends.
        byte[] before = Files.readAllBytes(out);
        List<String> appendC = List.of("convert", "--input", s(c), "--output", s(out), "--append", "--checkpoint-dir",
                s(dir.resolve("c.checkpoints")), "--no-progress");
        Run refusedC = cli(appendC.toArray(String[]::new));
        assertEquals(Main.USAGE, refusedC.exit(), refusedC.err());
        assertTrue(refusedC.err().contains("is being appended to by another convert, interrupted or still running, with its"
                + " checkpoints in " + checkpoints), refusedC.err());
        assertArrayEquals(before, Files.readAllBytes(out));
        assertFalse(Files.exists(dir.resolve("c.checkpoints")), "the refused run leaves nothing behind");
        ok(appendB.toArray(String[]::new));
        ok(appendC.toArray(String[]::new));
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['data']
                a, b, c = (np.load(p) for p in sys.argv[2:5])
                assert np.array_equal(d[:], np.concatenate([a, b, c])), d.shape
                assert not [k for k in d.attrs if k.startswith('_hdf5flink_appending_')], list(d.attrs)
                """, out, a, b, c);
    }

    /**
     * An append killed after its writers wrote chunks into the output, before any checkpoint
     * completed, leaves their space claimed in the output's ledger under its job's writer names. The
     * same command run again starts afresh (nothing to resume): it frees that space before it
     * forgets the killed job, and writes its chunks there, so the file holds no hole. (Before, the
     * claims outlived the killed job: the file kept a hole of all the killed run had written.)
     */
    @Test
    void anAppendRunAgainAfterAKillBeforeAnyCheckpointReusesTheSpaceTheKilledOneWrote() throws Exception {
        Path a = npy("a.npy", 10_000, 64, 1);
        Path b = npy("b.npy", 20_000, 64, 2);
        Path out = dir.resolve("again.h5");
        ok("convert", "--input", s(a), "--output", s(out), "--chunks", "4096,64", "--no-progress");
        // What the killed append left: its job's checkpoint directory (no checkpoint completed), and
        // the 2 MiB its writer claimed and wrote past the file's committed end.
        String killedJob = "0123456789abcdef0123456789abcdef";
        Path checkpoints = Files.createDirectories(dir.resolve("again.h5.checkpoints").resolve(killedJob)).getParent();
        Files.writeString(checkpoints.resolve("convert.properties"), "# the killed run's plan\n");
        AppendClaim.take(out, "/data", checkpoints, 10_000); // as the killed run marked the dataset before its job
        Path ledgerFile = Files.createDirectories(dir.resolve(".hdf5-staging")).resolve(StagingFiles.ledgerName("again.h5"));
        SpaceLedger ledger = new SpaceLedger(ledgerFile, out, dir, false);
        SpaceLedger.Extent killed = ledger.claim(killedJob + "-0", 0, 2 << 20, 2 << 20);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2 << 20), killed.start());
        }

        ok("convert", "--input", s(b), "--output", s(out), "--append", "--no-progress");
        String other = H5py.check("""
                import os
                d = h5py.File(sys.argv[1], 'r')['data']
                assert np.array_equal(d[:], np.concatenate([np.load(sys.argv[2]), np.load(sys.argv[3])])), d.shape
                print(os.path.getsize(sys.argv[1]) - sum(d.id.get_chunk_info(i).size for i in range(d.id.get_num_chunks())))
                """, out, a, b).strip();
        assertTrue(Long.parseLong(other) < 1 << 20, other + " bytes of the file hold no chunk");
        assertFalse(Files.exists(dir.resolve(".hdf5-staging")), "the ledger and the staging directory are gone");
    }

    // ------------------------------------------------------------------------------------ bad input

    /** Runs a command that must be refused: exit 2, one line on stderr, nothing written. */
    private void refused(String expectedMessage, Path output, String... args) throws IOException {
        byte[] before = Files.exists(output) ? Files.readAllBytes(output) : null;
        FileTime modified = Files.exists(output) ? Files.getLastModifiedTime(output) : null;
        Run r = cli(args);
        assertEquals(Main.USAGE, r.exit(), String.join(" ", args) + "\n" + r.err());
        assertEquals(1, r.errLines().size(), "one line:\n" + r.err());
        assertTrue(r.err().contains(expectedMessage), "expected '" + expectedMessage + "' in: " + r.err());
        assertTrue(r.out().isEmpty(), r.out());
        if (before == null) {
            assertFalse(Files.exists(output), output + " must not be created");
        } else {
            assertArrayEquals(before, Files.readAllBytes(output), output + " must not change");
            assertEquals(modified, Files.getLastModifiedTime(output));
        }
        assertFalse(Files.exists(Path.of(output + ".checkpoints")), "no checkpoint directory");
    }

    @Test
    void badInputIsRefusedWithOneLineAndNothingWritten() throws Exception {
        Path in = npy("in.npy", 1000, 8, 1);
        Path floats = dir.resolve("floats.npy");
        H5py.check("np.save(sys.argv[1], np.zeros((10, 8)))", floats);
        Path wide = npy("wide.npy", 10, 9, 1);
        Path out = dir.resolve("new.h5");
        refused("Unknown option", out, "convert", "--input", s(in), "--output", s(out), "--bogus");
        refused("Unknown option", out, "convert", "--bogus");
        refused("input not found: " + dir.resolve("missing.npy"), out, "convert", "--input", s(dir.resolve("missing.npy")),
                "--output", s(out));
        refused("--chunks 4096 has 1 extent, but the output /data (1000, 8) has rank 2", out,
                "convert", "--input", s(in), "--output", s(out), "--chunks", "4096");
        refused("--chunks 1,2,3 has 3 extents", out, "convert", "--input", s(in), "--output", s(out), "--chunks", "1,2,3");
        Path raw = Files.write(dir.resolve("rec.dat"), new byte[64]);
        refused("rec.dat is not a .npy file (it does not start with numpy's magic \\x93NUMPY): a raw input needs --dtype", out,
                "convert", "--input", s(raw), "--output", s(out));
        refused("--shape and --header-bytes describe raw inputs: give --dtype too", out,
                "convert", "--input", s(raw), "--output", s(out), "--shape", "-1,8");
        refused("unknown codec 'gzp'", out, "convert", "--input", s(in), "--output", s(out), "--codec", "gzp");
        refused("level 12 is not 1 to 9", out, "convert", "--input", s(in), "--output", s(out), "--codec", "gzip:12");
        refused("codec 'bitshuffle:lz4' takes no level", out, "convert", "--input", s(in), "--output", s(out), "--codec",
                "bitshuffle:lz4:5");
        refused("blosc option 'lz5' is not one of lz4, zstd, zlib, snappy, shuffle, bitshuffle, noshuffle", out,
                "convert", "--input", s(in), "--output", s(out), "--codec", "blosc:lz5:5");
        refused("--checkpoint-interval 'soon'", out, "convert", "--input", s(in), "--output", s(out), "--checkpoint-interval", "soon");
        refused("--layout columns|segments is required", out, "convert", "--input", s(in), s(wide), "--output", s(out));
        // Issue 20, item 9: inputs and names that said nothing useful before.
        Path loop = dir.resolve("loop1");
        Files.createSymbolicLink(loop, dir.resolve("loop2"));
        Files.createSymbolicLink(dir.resolve("loop2"), loop);
        refused("--input " + loop + " is a symbolic link that cannot be followed: Too many levels of symbolic links", out,
                "convert", "--input", s(loop), "--output", s(out));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.npy"), dir.resolve("gone.npy"));
        refused("--input " + dangling + " is a symbolic link that cannot be followed: its target does not exist", out,
                "convert", "--input", s(dangling), "--output", s(out));
        refused("--input /dev/zero is not a regular file or a directory", out, "convert", "--input", "/dev/zero",
                "--output", s(out));
        Path fifo = dir.resolve("pipe.npy");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        refused("--input " + fifo + " is not a regular file or a directory", out, "convert", "--input", s(fifo), "--output", s(out));
        refused("--dataset '/da\\nta' holds a control character", out, "convert", "--input", s(in), "--output", s(out),
                "--dataset", "/da\nta");

        // An existing output: refused without --append, and an append that does not fit leaves it as it was.
        Path existing = dir.resolve("existing.h5");
        ok("convert", "--input", s(in), "--output", s(existing), "--chunks", "256,8", "--no-progress");
        refused(existing + " exists; pass --append", existing, "convert", "--input", s(in), "--output", s(existing));
        // The same command again after it completed (a kill between the end and the exit): say so.
        refused("(its /data already has the input's shape (1000, 8): an earlier run may have completed)", existing,
                "convert", "--input", s(in), "--output", s(existing));
        refused("cannot append <f8 to " + existing + ":/data, which holds <i2", existing,
                "convert", "--input", s(floats), "--output", s(existing), "--append");
        refused("cannot append rows of shape (9,) to " + existing + ":/data, whose rows have shape (8,)", existing,
                "convert", "--input", s(wide), "--output", s(existing), "--append");
        refused("--chunks 512,8 differs from the chunks (256, 8)", existing,
                "convert", "--input", s(in), "--output", s(existing), "--append", "--chunks", "512,8");
    }

    @Test
    void aFailureWhileRunningExitsOneWithOneLine() throws Exception {
        Path in = npy("in.npy", 1000, 8, 1);
        Path outDir = Files.createDirectories(dir.resolve("blocked"));
        // The sink stages chunks in <output dir>/.hdf5-staging; a file in its way fails the job at run time.
        Files.writeString(outDir.resolve(".hdf5-staging"), "in the way");
        Run r = cli("convert", "--input", s(in), "--output", s(outDir.resolve("out.h5")), "--no-progress");
        assertEquals(Main.FAILED, r.exit(), r.err());
        String last = r.errLines().get(r.errLines().size() - 1);
        assertTrue(last.startsWith("flink-hdf5 convert: ") && last.contains(".hdf5-staging"), r.err());
        assertTrue(last.contains("run the same command again to resume"), last);
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        assertFalse(Files.exists(outDir.resolve("out.h5")));
    }

    // --------------------------------------------------------------------------------------- resume

    @Test
    void resumesAfterKillNineAndEqualsAnUninterruptedRun() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        Path in = npy("in.npy", 390_625, 64, 7); // 50 MB
        List<String> options = List.of("--input", s(in), "--codec", "gzip:9", "--shuffle", "--chunks", "4096,64",
                "--checkpoint-interval", "200ms", "--parallelism", "1", "--no-progress");

        // Uninterrupted.
        Path reference = dir.resolve("reference.h5");
        ok(args(options, "--output", s(reference)));

        // Killed with SIGKILL once a checkpoint has completed, then the same command again.
        Path out = dir.resolve("resumed.h5");
        Path checkpoints = dir.resolve("resumed.h5.checkpoints");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Djava.io.tmpdir=" + tmp, "-jar", JAR.toString()));
        command.addAll(args(options, "--output", s(out)));
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("killed.out").toFile())
                .redirectError(dir.resolve("killed.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (completedCheckpoints(checkpoints) == 0 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p.isAlive(), "the conversion must still run when it is killed: " + Files.readString(dir.resolve("killed.err")));
        assertTrue(completedCheckpoints(checkpoints) > 0, "a checkpoint completed");
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        // What the killed process would have deleted at exit is in its own scratch directory,
        // the native libraries it extracted too, and nothing else is in java.io.tmpdir.
        List<Path> left = list(tmp);
        assertEquals(1, left.size(), left.toString());
        assertTrue(left.get(0).getFileName().toString().startsWith("flink-hdf5-"), left.toString());
        assertTrue(list(left.get(0)).stream().anyMatch(f -> f.getFileName().toString().endsWith(".so")),
                "the native libraries are extracted into the scratch directory: " + list(left.get(0)));

        // The same command again, as a process of its own: it deletes the killed run's scratch
        // directory (its owner lock is free) and its own at exit.
        Process again = new ProcessBuilder(command).redirectOutput(dir.resolve("again.out").toFile())
                .redirectError(dir.resolve("again.err").toFile()).start();
        assertTrue(again.waitFor(120, TimeUnit.SECONDS), "the resumed run ended");
        String err = Files.readString(dir.resolve("again.err"));
        assertEquals(0, again.exitValue(), err);
        assertTrue(err.contains("resuming from checkpoint"), err);
        assertEquals(List.of(), list(tmp), "java.io.tmpdir after the resumed run");
        assertFalse(Files.exists(checkpoints), "the completed run removed its checkpoints");
        H5py.check("""
                a = np.load(sys.argv[1]); r = h5py.File(sys.argv[2], 'r')['data']; d = h5py.File(sys.argv[3], 'r')['data']
                assert d.shape == r.shape == a.shape and d.chunks == r.chunks and d.compression_opts == r.compression_opts == 9
                for i in range(0, a.shape[0], 100000):
                    assert np.array_equal(d[i:i + 100000], r[i:i + 100000]) and np.array_equal(d[i:i + 100000], a[i:i + 100000]), i
                """, in, reference, out);
    }

    private static List<Path> list(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        }
    }

    private static List<String> args(List<String> options, String... more) {
        List<String> all = new ArrayList<>(List.of("convert"));
        all.addAll(options);
        all.addAll(List.of(more));
        return all;
    }

    private static Run ok(List<String> args) {
        return ok(args.toArray(String[]::new));
    }

    /** Completed checkpoints: chk-N directories whose _metadata was written. */
    private static long completedCheckpoints(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) return 0;
        try (Stream<Path> all = Files.walk(checkpoints, 3)) {
            return all.filter(p -> p.getFileName().toString().equals("_metadata") && p.getParent().getFileName().toString().startsWith("chk-"))
                    .count();
        } catch (java.io.UncheckedIOException e) {
            return 0; // a directory vanished while walking
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
