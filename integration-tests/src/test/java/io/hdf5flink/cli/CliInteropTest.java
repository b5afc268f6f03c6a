package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.itest.H5py;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
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
    }

    @Test
    void automaticChunksAndEveryCodecOption() {
        Path in = npy("in.npy", 20_000, 16, 2);
        Path out = dir.resolve("auto.h5");
        Run r = ok("convert", "--input", s(in), "--output", s(out), "--codec", "bzip2:5", "--shuffle", "--fletcher32",
                "--dataset", "/acquisition/raw", "--fill", "-1", "--no-progress");
        // whole rows of about 10 MB would be 311296 rows; the input has 20000, so the chunk takes them all
        assertTrue(r.err().contains("chunks (20000, 16) (automatic: whole rows, the input's 20000 rows)"), r.err());
        H5py.check("""
                a = np.load(sys.argv[1]); d = h5py.File(sys.argv[2], 'r')['/acquisition/raw']
                assert d.chunks == (20000, 16) and d.fletcher32 and d.shuffle and d.fillvalue == -1, (d.chunks, d.fillvalue)
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
        refused("rec.dat is not a .npy file: a raw input needs --dtype", out, "convert", "--input", s(raw), "--output", s(out));
        refused("--shape and --header-bytes describe raw inputs: give --dtype too", out,
                "convert", "--input", s(raw), "--output", s(out), "--shape", "-1,8");
        refused("unknown codec 'gzp'", out, "convert", "--input", s(in), "--output", s(out), "--codec", "gzp");
        refused("level 12 is not 1 to 9", out, "convert", "--input", s(in), "--output", s(out), "--codec", "gzip:12");
        refused("--checkpoint-interval 'soon'", out, "convert", "--input", s(in), "--output", s(out), "--checkpoint-interval", "soon");
        refused("--layout columns|segments is required", out, "convert", "--input", s(in), s(wide), "--output", s(out));

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
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", JAR.toString()));
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

        Run resumed = ok(args(options, "--output", s(out)));
        assertTrue(resumed.err().contains("resuming from checkpoint"), resumed.err());
        assertFalse(Files.exists(checkpoints), "the completed run removed its checkpoints");
        H5py.check("""
                a = np.load(sys.argv[1]); r = h5py.File(sys.argv[2], 'r')['data']; d = h5py.File(sys.argv[3], 'r')['data']
                assert d.shape == r.shape == a.shape and d.chunks == r.chunks and d.compression_opts == r.compression_opts == 9
                for i in range(0, a.shape[0], 100000):
                    assert np.array_equal(d[i:i + 100000], r[i:i + 100000]) and np.array_equal(d[i:i + 100000], a[i:i + 100000]), i
                """, in, reference, out);
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
