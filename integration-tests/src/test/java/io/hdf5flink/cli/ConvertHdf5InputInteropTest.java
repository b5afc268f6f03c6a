package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.itest.H5py;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} with HDF5 inputs ({@code --input FILE.h5:/path}, or {@code FILE.h5} when it holds
 * one dataset): datasets h5py wrote in its default format and with {@code libver='latest'},
 * big-endian and contiguous, re-chunked and re-compressed; several concatenated; attributes
 * copied (the dataset's, and its groups' to the output's groups); appends recognised as the same input; bad inputs refused with one line. h5py judges
 * every output against the input, value for value.
 */
class ConvertHdf5InputInteropTest {
    @TempDir Path dir;
    private Path input;

    @BeforeEach
    void inputs() {
        input = dir.resolve("in.h5");
        H5py.check("""
                r = np.arange(50000, dtype=np.int64)[:, None]; c = np.arange(24, dtype=np.int64)[None, :]
                a = ((r * 7919 + c * 104729) % 65521 - 32000).astype('<i2')
                with h5py.File(sys.argv[1], 'w') as f:
                    d = f.create_dataset('entry/data', data=a, chunks=(1000, 24), maxshape=(None, 24), compression='gzip',
                                         shuffle=True)
                    d.attrs['unit'] = 'uV'
                    d.attrs['rate'] = 30000.0
                    d.attrs['gains'] = np.arange(24, dtype='>f4')
                    d.attrs['names'] = ['a', 'b']
                    f['entry'].attrs['NX_class'] = 'NXentry'
                    f.create_dataset('entry/big', data=a[:777].astype('>i8'))
                with h5py.File(sys.argv[2], 'w', libver='latest') as f:
                    f.create_dataset('data', data=a[:20000], chunks=(333, 7), maxshape=(None, None), compression='lzf')
                """, input, dir.resolve("latest.h5"));
    }

    @Test
    void aDatasetIsRechunkedAndRecompressedEqualToTheInput() {
        Path out = dir.resolve("out.h5");
        CliInteropTest.Run r = CliInteropTest.ok("convert", "--input", input + ":/entry/data", "--output", out.toString(),
                "--chunks", "4096,8", "--codec", "gzip:2", "--shuffle", "--parallelism", "2");
        assertTrue(r.err().contains("convert " + input + ":/entry/data (<i2, shape (50000, 24))"), r.err());
        H5py.check("""
                a = h5py.File(sys.argv[1], 'r')['entry/data']
                d = h5py.File(sys.argv[2], 'r')['data']
                assert d.shape == a.shape and d.chunks == (4096, 8) and d.dtype == a.dtype, (d.shape, d.chunks, d.dtype)
                p = d.id.get_create_plist()
                assert [p.get_filter(i)[0] for i in range(p.get_nfilters())] == [2, 1]
                assert np.array_equal(d[()], a[()])
                """, input, out);
    }

    @Test
    void libverLatestBigEndianAndContiguousDatasetsConvert() {
        Path latest = dir.resolve("latest-out.h5");
        CliInteropTest.ok("convert", "--input", dir.resolve("latest.h5").toString(), "--output", latest.toString(),
                "--chunks", "1024,24", "--codec", "gzip:1");
        Path big = dir.resolve("big-out.h5");
        CliInteropTest.ok("convert", "--input", input + ":/entry/big", "--output", big.toString());
        H5py.check("""
                src = h5py.File(sys.argv[1], 'r')
                d = h5py.File(sys.argv[2], 'r')['data']
                assert np.array_equal(d[()], src['data'][()]) and d.chunks == (1024, 24)
                b = h5py.File(sys.argv[3], 'r')['data']
                big = h5py.File(sys.argv[4], 'r')['entry/big']
                assert b.dtype == np.dtype('<i8') and np.array_equal(b[()], big[()]), (b.dtype, b.shape)
                """, dir.resolve("latest.h5"), latest, big, input);
    }

    @Test
    void severalDatasetsAreConcatenatedWithLayoutSegments() {
        Path out = dir.resolve("both.h5");
        CliInteropTest.ok("convert", "--input", input + ":/entry/data", dir.resolve("latest.h5") + ":/data",
                "--layout", "segments", "--output", out.toString(), "--chunks", "8192,24");
        H5py.check("""
                a = h5py.File(sys.argv[1], 'r')['entry/data'][()]
                b = h5py.File(sys.argv[2], 'r')['data'][()]
                d = h5py.File(sys.argv[3], 'r')['data']
                assert np.array_equal(d[()], np.concatenate([a, b])), d.shape
                """, input, dir.resolve("latest.h5"), out);
    }

    @Test
    void aDirectoryOfOneDatasetFilesIsReadAsColumnsAndAGlobAsSegments() throws Exception {
        Path channels = Files.createDirectories(dir.resolve("channels"));
        H5py.check("""
                for k in range(12):
                    with h5py.File(f'{sys.argv[1]}/ch{k}.h5', 'w') as f:
                        f.create_dataset('x', data=(np.arange(5000) * (k + 1)).astype('<i4'), chunks=(700,), compression='gzip')
                """, channels);
        Path columns = dir.resolve("columns.h5");
        CliInteropTest.ok("convert", "--input", channels.toString(), "--layout", "columns", "--output", columns.toString(),
                "--chunks", "1024,4");
        Path segments = dir.resolve("segments.h5");
        CliInteropTest.ok("convert", "--input", channels + "/ch*.h5", "--layout", "segments", "--output", segments.toString());
        H5py.check("""
                cols = np.stack([(np.arange(5000) * (k + 1)).astype('<i4') for k in range(12)], axis=1)
                assert np.array_equal(h5py.File(sys.argv[1], 'r')['data'][()], cols)
                assert np.array_equal(h5py.File(sys.argv[2], 'r')['data'][()], cols.T.reshape(-1))
                """, columns, segments);
    }

    @Test
    void attributesAreCopiedWhenAskedAndTheOthersNamed() {
        Path out = dir.resolve("attrs.h5");
        CliInteropTest.Run r = CliInteropTest.ok("convert", "--input", input + ":/entry/data", "--output", out.toString(),
                "--copy-attributes");
        assertTrue(r.err().contains("warning: attribute not copied: names (an array of strings)"), r.err());
        // Converting the output again copies the user's attributes, not convert's record of its run.
        Path again = dir.resolve("again.h5");
        CliInteropTest.Run second = CliInteropTest.ok("convert", "--input", out.toString(), "--output", again.toString(),
                "--copy-attributes");
        assertTrue(second.err().contains("(convert's record of an earlier run)"), second.err());
        H5py.check("""
                for path in sys.argv[1:]:
                    d = h5py.File(path, 'r')['data']
                    assert d.attrs['unit'] == b'uV' and d.attrs['rate'] == 30000.0, dict(d.attrs)
                    assert np.array_equal(d.attrs['gains'], np.arange(24, dtype='<f4')), d.attrs['gains']
                    assert 'names' not in d.attrs
                    assert len([k for k in d.attrs if k.startswith('_hdf5flink_input_')]) == 1, list(d.attrs)
                """, out, again);
        // The enclosing groups' attributes go to the output's groups, level by level from the dataset up.
        Path nested = dir.resolve("nested.h5");
        CliInteropTest.ok("convert", "--input", input + ":/entry/data", "--output", nested.toString(), "--dataset",
                "/a/b/data", "--copy-attributes");
        H5py.check("""
                f = h5py.File(sys.argv[1], 'r')
                assert f['a/b'].attrs['NX_class'] == b'NXentry', dict(f['a/b'].attrs)
                assert 'NX_class' not in f['a'].attrs and 'NX_class' not in f.attrs
                assert f['a/b/data'].attrs['unit'] == b'uV'
                """, nested);
    }

    @Test
    void theSameDatasetAppendedTwiceIsRefusedAnotherOfTheSameFileIsNot() throws Exception {
        Path out = dir.resolve("append.h5");
        CliInteropTest.ok("convert", "--input", input + ":/entry/data", "--output", out.toString());
        CliInteropTest.Run twice = CliInteropTest.cli("convert", "--input", input + ":/entry/data", "--output",
                out.toString(), "--append", "--checkpoint-interval", "300ms");
        assertEquals(2, twice.exit(), twice.err());
        assertTrue(twice.err().contains("--append-again"), twice.err());
        H5py.check("""
                with h5py.File(sys.argv[1], 'a') as f:
                    f['entry'].create_dataset('more', data=f['entry/data'][:300])
                """, input);
        CliInteropTest.ok("convert", "--input", input + ":/entry/more", "--output", out.toString(), "--append");
        H5py.check("""
                a = h5py.File(sys.argv[1], 'r')['entry/data'][()]
                d = h5py.File(sys.argv[2], 'r')['data']
                assert np.array_equal(d[()], np.concatenate([a, a[:300]])), d.shape
                """, input, out);
    }

    /**
     * The read path on a file a {@code convert} is writing: every open that succeeds shows a
     * growing prefix of the input, value for value; an open a commit tears fails (counted, not
     * hidden); the last read, after the run, shows everything.
     */
    @Test
    void aFileBeingWrittenReadsAsAGrowingPrefixOrFailsNeverWrong() throws Exception {
        Path parts = Files.createDirectories(dir.resolve("parts"));
        Path expected = dir.resolve("expected.bin");
        H5py.check("""
                r = np.arange(300000, dtype=np.int64)[:, None]; c = np.arange(64, dtype=np.int64)[None, :]
                a = ((r * 7919 + c * 104729) % 65521 - 32000).astype('<i2')
                for k, (lo, hi) in enumerate([(0, 120000), (120000, 240000), (240000, 300000)]):
                    np.save(f'{sys.argv[1]}/s{k}.npy', a[lo:hi])
                a.tofile(sys.argv[2])
                """, parts, expected);
        byte[] input = Files.readAllBytes(expected);
        Path out = dir.resolve("live.h5");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        long[] seen = new long[4]; // reads, sizes, rows shown, torn
        java.util.concurrent.atomic.AtomicReference<Throwable> wrong = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            long shown = 0;
            java.util.Set<Long> sizes = new java.util.HashSet<>();
            boolean last = false;
            while (wrong.get() == null && !last) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                last = done.get();
                if (!Files.exists(out)) continue;
                byte[] rows;
                long n;
                try (io.hdf5flink.hdf5.Hdf5DatasetReader r = io.hdf5flink.hdf5.Hdf5DatasetReader.open(out, "/data")) {
                    n = r.shape()[0];
                    rows = new byte[(int) n * 128];
                    r.read(0, n, rows);
                } catch (Exception e) {
                    if (last) wrong.set(new AssertionError("the finished file cannot be read", e));
                    // Before the first commit the file holds no dataset yet: not a torn read.
                    if (shown > 0 || !String.valueOf(e.getMessage()).contains("no such dataset")) seen[3]++;
                    continue;
                }
                if (n < shown) wrong.set(new AssertionError(shown + " rows were shown, then " + n));
                if (!java.util.Arrays.equals(rows, 0, rows.length, input, 0, rows.length)) {
                    wrong.set(new AssertionError("of the " + n + " rows shown, some differ from the input"));
                }
                shown = n;
                sizes.add(n);
                seen[0]++;
            }
            seen[1] = sizes.size();
            seen[2] = shown;
        });
        reader.start();
        CliInteropTest.Run run = CliInteropTest.cli("convert", "--input", parts + "/s0.npy", parts + "/s1.npy",
                parts + "/s2.npy", "--layout", "segments", "--output", out.toString(), "--codec", "gzip:9", "--chunks",
                "4096,64", "--parallelism", "2", "--checkpoint-interval", "200ms", "--no-progress");
        done.set(true);
        reader.join(60_000);
        assertEquals(0, run.exit(), run.err());
        if (wrong.get() != null) throw new AssertionError(wrong.get());
        System.out.printf("engine reader on a live file: %d reads of a prefix (%d sizes), %d opens torn by a commit%n",
                seen[0], seen[1], seen[3]);
        assertEquals(300_000, seen[2], "the last read shows every row");
        assertTrue(seen[1] >= 2, "the reader saw the dataset grow: " + seen[1] + " sizes");
    }

    @Test
    void badHdf5InputsAreRefusedWithOneLine() {
        Path out = dir.resolve("never.h5");
        List<List<String>> cases = List.of(
                List.of(input.toString()),
                List.of(input + ":/entry/nothing"),
                List.of(input + ":/entry"),
                List.of(input + ":/entry/data", input + ":/entry/data"),
                List.of(input + ":/entry/data", "--dtype", "<i2"),
                List.of(input + ":/entry/data", "--layout", "columns"));
        List<String> messages = List.of(
                "holds 2 datasets (/entry/big, /entry/data)",
                input + ":/entry/nothing: no such dataset",
                input + ":/entry is a group, not a dataset",
                "several HDF5 inputs need --layout segments",
                "an HDF5 dataset states its own",
                "--layout columns takes 1-D files");
        for (int i = 0; i < cases.size(); i++) {
            List<String> args = new java.util.ArrayList<>(List.of("convert", "--input"));
            args.addAll(cases.get(i));
            args.addAll(List.of("--output", out.toString()));
            CliInteropTest.Run r = CliInteropTest.cli(args.toArray(String[]::new));
            assertEquals(2, r.exit(), args + "\n" + r.err());
            assertEquals(1, r.errLines().size(), args + "\n" + r.err());
            assertTrue(r.err().contains(messages.get(i)), "expected '" + messages.get(i) + "' in " + r.err());
            assertFalse(Files.exists(out), out + " created by " + args);
            assertFalse(Files.exists(Path.of(out + ".checkpoints")), args.toString());
        }
    }
}
