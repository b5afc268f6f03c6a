package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hdf5flink.hdf5.testing.KilledProcesses;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.itest.H5py;
import io.hdf5flink.itest.OutputWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code convert} as users run it ({@code java -jar flink-hdf5-examples.jar convert ...}, the shaded
 * jar with the embedded Flink) killed with SIGKILL at random moments, again and again, each time
 * followed by the same command, which resumes from the newest completed checkpoint in
 * {@code OUT.h5.checkpoints/}.
 *
 * <p>The input is a 40 MB int16 {@code .npy} written by numpy; the options make the job slow and
 * its commits frequent (gzip 9 + shuffle, chunks of 4096 rows = 512 KiB, a checkpoint every 200 ms)
 * so that kills land everywhere: while the JVM and Flink start, before the first checkpoint,
 * right after a checkpoint completed (while its committables are copied into the file), while the
 * file grows (in the middle of a commit's writes), and at any other moment. Each run picks
 * parallelism 1 or 2 at random: a resumed run may change it.
 *
 * <p>The layouts: {@link Layout#ALIGNED}, the single {@code .npy} on the chunk-aligned path (no
 * routing, nothing open between checkpoints); {@link Layout#COLUMNS}, the same array as one
 * {@code .npy} per channel ({@code --layout columns}): every chunk is assembled from 64 column
 * pieces routed to one writer, so checkpoints hold open (and spilled) chunks, and a resume at
 * another parallelism rescales the writers' state; and {@link Layout#SEGMENTS}, the array cut
 * into row ranges that do not end on chunk boundaries ({@code --layout segments}): the chunks
 * that straddle two files are assembled from two routed pieces; and {@link Layout#HDF5}, the array
 * as an HDF5 dataset h5py wrote ({@code libver='latest'}, chunks of 5000 rows, gzip), read chunk by
 * chunk ({@code --input in.h5:/rec/data}) on the output's grid of 4096 rows; {@link Layout#ROLLED}
 * and {@link Layout#LATEST}, the aligned input rolled over files, and into the newer format.
 *
 * <p>After every kill, h5py (libhdf5) judges the output if it exists: it opens; the dataset has the
 * input's dtype and row shape, at most its rows; it shows a prefix of the input: every chunk
 * inside the shape it shows is stored and every row equals the input's (no hole, so no fill
 * value, -32768, shown for a row not yet written), and the rows shown never decrease from one
 * kill to the next; chunks stored beyond the shape (by a writer ahead of the others) stay
 * invisible; no chunk allocated after an earlier kill has disappeared; and the number of allocated chunks never exceeds the input's
 * chunk count (explicit offsets cannot double rows; a stray chunk would show here). When a run
 * finishes on its own, the round's output is compared value for value with the input, with every
 * chunk allocated, its checkpoints removed and its staging directory empty, and a new round
 * starts in a fresh directory, until the kills are done; the last round then runs to its end.
 *
 * <p>{@code -Dcrash.layout=L} runs one layout only; {@code -Dcrash.kills=N} (default 5 per
 * layout) and {@code -Dcrash.seconds=S} (default 60: no new kill starts after S seconds; the last
 * run still completes) set the length; the seed is printed and {@code -Dcrash.seed=S} replays the
 * same kill plan (timings still vary with the machine).
 */
class ConvertCrashInteropTest {
    static final Path JAR = CliInteropTest.JAR;
    private static final int ROWS = 312_500;
    private static final int COLUMNS = 64;
    private static final int CHUNK_ROWS = 4096;
    private static final int FILL = -32768;
    private static final int TOTAL_CHUNKS = (ROWS + CHUNK_ROWS - 1) / CHUNK_ROWS;

    @TempDir Path dir;

    /** When a kill is fired. */
    enum Moment {
        /** 0.2-2.5 s after launch: the JVM and Flink starting, mostly before the first checkpoint. */
        STARTUP,
        /** 0-40 ms after a new checkpoint's {@code _metadata} appears: while its commit runs. */
        AFTER_CHECKPOINT,
        /**
         * 0-3 ms after the existing output file changes size: in the middle of a commit's writes
         * (kills while the file is being created are {@link #killedWhileTheOutputIsCreated}'s).
         */
        FILE_GROWING,
        /** Anywhere in the first 7 s. */
        ANY
    }

    /** How the input is given to {@code convert}. */
    enum Layout {
        /** One 2-D {@code .npy}: the chunk-aligned path. */
        ALIGNED,
        /** One 1-D {@code .npy} per channel, {@code --layout columns}: the routed path. */
        COLUMNS,
        /** Row ranges of 5000 to 70000 rows, {@code --layout segments}: routed where they meet. */
        SEGMENTS,
        /** An HDF5 dataset ({@code libver='latest'}, chunks of 5000 rows): re-chunked by the HDF5 source. */
        HDF5,
        /**
         * The one 2-D {@code .npy} rolled over data files of 65536 rows ({@code --rows-per-file}, 5
         * files) under a virtual-dataset master: kills also land while a data file rolls over and
         * between a data file's commit and the master's rebuild.
         */
        ROLLED,
        /**
         * The one 2-D {@code .npy} into a {@code --format latest} output (issue 18): superblock 3,
         * flagged for SWMR writing while convert runs and as every kill leaves it, version 2
         * object headers; h5py judges it in SWMR mode, the only mode libhdf5 opens it in then.
         */
        LATEST
    }

    /** Kills per layout in the default suite: a longer campaign is {@code -Dcrash.kills=50} (RELIABILITY.md). */
    private static final int DEFAULT_KILLS = 5;

    /** Rows per data file of the {@link Layout#ROLLED} layout: 16 chunks. */
    private static final int ROWS_PER_FILE = 65536;

    /** What h5py saw in the output after a kill. */
    record Seen(boolean exists, long rows, TreeSet<Integer> chunks) {}

    /** Every layout, or only the one {@code -Dcrash.layout} names (so that none is reported skipped). */
    static Stream<Layout> layouts() {
        String only = System.getProperty("crash.layout");
        return Arrays.stream(Layout.values()).filter(l -> only == null || only.equalsIgnoreCase(l.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void killedConversionsAlwaysLeaveACommittedStateAndResumeToTheInput(Layout layout) throws Exception {
        ReferenceLibrary.requireAvailable();
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn install)");
        int kills = Integer.getInteger("crash.kills", DEFAULT_KILLS);
        long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("crash.seconds", kills > DEFAULT_KILLS ? 3600 : 60));
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("ConvertCrashInteropTest " + layout + " seed " + seed + ", " + kills + " kills (replay: -Dcrash.seed="
                + seed + ")");
        Random random = new Random(seed);
        Path input = dir.resolve("in.npy");
        H5py.check("""
                rows, ch = int(sys.argv[2]), int(sys.argv[3])
                r = np.arange(rows, dtype=np.int64)[:, None]; c = np.arange(ch, dtype=np.int64)[None, :]
                a = (1000 * np.sin(r * 0.01 + c + 7) + ((r * 7919 + c * 104729 + 7) % 61) - 30).astype('<i2')
                assert (a != -32768).all()
                np.save(sys.argv[1], a)
                if sys.argv[4] == 'COLUMNS':
                    for k in range(ch):
                        np.save(f'{sys.argv[5]}/ch{k}.npy', np.ascontiguousarray(a[:, k]))
                if sys.argv[4] == 'HDF5':
                    with h5py.File(f'{sys.argv[5]}/in.h5', 'w', libver='latest') as f:
                        f.create_dataset('rec/data', data=a, chunks=(5000, 16), maxshape=(None, ch), compression='gzip',
                                         compression_opts=1, shuffle=True)
                if sys.argv[4] == 'SEGMENTS':
                    cuts = [0, 5000, 75000, 120001, 190000, 250007, rows]
                    for k in range(len(cuts) - 1):
                        np.save(f'{sys.argv[5]}/part{k}.npy', a[cuts[k]:cuts[k + 1]])
                """, input, ROWS, COLUMNS, layout, Files.createDirectories(dir.resolve("parts")));
        List<String> inputs = switch (layout) {
            case ALIGNED -> List.of(input.toString());
            case LATEST -> List.of(input.toString(), "--format", "latest");
            case ROLLED -> List.of(input.toString(), "--rows-per-file", Integer.toString(ROWS_PER_FILE));
            case COLUMNS -> List.of(dir.resolve("parts") + "/ch*.npy", "--layout", "columns");
            case SEGMENTS -> List.of(dir.resolve("parts") + "/part*.npy", "--layout", "segments");
            case HDF5 -> List.of(dir.resolve("parts") + "/in.h5:/rec/data");
        };

        long started = System.nanoTime();
        int killed = 0;
        int rounds = 0;
        int resumes = 0;
        int rescaled = 0;
        int lastParallelism = 0;
        int midCommit = 0;
        int noOutputYet = 0;
        Map<Moment, Integer> byMoment = new EnumMap<>(Moment.class);
        List<String> notes = new ArrayList<>();
        int launch = 0;
        while (true) {
            rounds++;
            Path round = Files.createDirectories(dir.resolve("round-" + rounds));
            Path out = round.resolve("out.h5");
            Seen previous = new Seen(false, 0, new TreeSet<>());
            boolean finished = false;
            while (!finished) {
                boolean killThisRun = killed < kills && System.nanoTime() - started < budgetNanos;
                int parallelism = 1 + random.nextInt(2);
                Moment moment = Moment.values()[random.nextInt(Moment.values().length)];
                long delay = switch (moment) {
                    case STARTUP -> 200 + random.nextInt(2300);
                    case AFTER_CHECKPOINT -> random.nextInt(41);
                    case FILE_GROWING -> random.nextInt(4);
                    case ANY -> random.nextInt(7000);
                };
                launch++;
                Path log = round.resolve("run-" + launch + ".err");
                Path stdout = round.resolve("run-" + launch + ".out");
                Process child = new ProcessBuilder(command(inputs, out, parallelism)).directory(round.toFile())
                        .redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
                OutputWatch watch = new OutputWatch(out, round.resolve("out.h5.checkpoints"));
                boolean fired = killThisRun && fire(child, moment, delay, watch);
                child.waitFor(120, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), "run " + launch + " did not end (seed " + seed + ")");
                String err = Files.readString(log);
                if (err.contains("resuming from checkpoint")) {
                    resumes++;
                    if (parallelism != lastParallelism) rescaled++;
                }
                lastParallelism = parallelism;
                if (fired) {
                    assertEquals(137, child.exitValue(), "killed by SIGKILL");
                    killed++;
                    byMoment.merge(moment, 1, Integer::sum);
                    if (watch.killedWithinMillisOfAWrite(30)) {
                        midCommit++;
                    }
                    Seen seen = judge(input, out, layout, previous, "kill " + killed + " (" + moment + ", run " + launch + ", seed " + seed + ")");
                    if (!seen.exists()) noOutputYet++;
                    previous = seen;
                    continue;
                }
                int exit = child.exitValue();
                boolean deletingCheckpoints = false;
                if (exit == 0) {
                    finished = true;
                } else if (exit == Main.USAGE && err.contains("an earlier run may have completed")) {
                    // The kill came after the job had finished, while the completed run deleted its
                    // checkpoints: what it had not deleted yet stays, and this run says so.
                    notes.add("run " + launch + ": the killed run had completed: " + err.strip());
                    finished = true;
                    deletingCheckpoints = true;
                } else {
                    fail("run " + launch + " (parallelism " + parallelism + ") exited " + exit + " on its own (seed " + seed + "):\n"
                            + err + Files.readString(stdout));
                }
                assertComplete(input, out, layout == Layout.ROLLED, round, "round " + rounds + " (seed " + seed + ")", deletingCheckpoints);
            }
            if (killed >= kills || System.nanoTime() - started >= budgetNanos) break;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("ConvertCrashInteropTest " + layout + ": %d kills survived (%s; %d within 30 ms of a write to the output, "
                        + "%d before the output existed), %d runs resumed from a checkpoint (%d at another parallelism), %d rounds completed, "
                        + "0 rows lost, 0 rows doubled, %.0f s%n",
                killed, byMoment, midCommit, noOutputYet, resumes, rescaled, rounds, seconds);
        notes.forEach(n -> System.out.println("  note: " + n));
        assertTrue(killed >= Math.min(kills, 3), "only " + killed + " kills in the time budget");
    }

    /**
     * A kill in the first moments of the output file: the committer creates it at the first commit,
     * and the run is killed as soon as it appears. Whatever the kill leaves must be a committed
     * state: no file, or a file libhdf5 opens; and the same command must resume and end with the
     * input. Tried up to three times, each killed within microseconds of the file's appearance.
     *
     * <p>Fails today (bug): {@code Hdf5File.create} writes the new file in place, the superblock
     * last, so a kill leaves a file of 0 to ~1000 bytes with no HDF5 signature; h5py cannot open it
     * ("file signature not found") and every re-run of the command exits 2 with "cannot append to
     * OUT.h5: ... is not an HDF5 file (no HDF5 signature at offset 0)": the conversion cannot be
     * resumed until the user deletes the output.
     */
    @Test
    void killedWhileTheOutputIsCreated() throws Exception {
        ReferenceLibrary.requireAvailable();
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn install)");
        Path input = dir.resolve("small.npy");
        H5py.check("np.save(sys.argv[1], (np.arange(100_000 * 64, dtype=np.int64).reshape(100_000, 64) % 30011 - 15000).astype('<i2'))",
                input);
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path round = Files.createDirectories(dir.resolve("create-" + attempt));
            Path out = round.resolve("out.h5");
            Process child = new ProcessBuilder(command(List.of(input.toString()), out, 1)).directory(round.toFile())
                    .redirectOutput(round.resolve("killed.out").toFile()).redirectError(round.resolve("killed.err").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(out) && child.isAlive() && System.nanoTime() < deadline) Thread.onSpinWait();
            assertTrue(child.isAlive(), "the run ended before its output appeared: " + Files.readString(round.resolve("killed.err")));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            long size = Files.size(out);
            byte[] head = Files.readAllBytes(out);
            boolean signed = head.length >= 8 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F';
            System.out.println("killedWhileTheOutputIsCreated: attempt " + attempt + " left " + size + " bytes, "
                    + (signed ? "with" : "without") + " an HDF5 signature");
            String opened = H5py.check("""
                    try:
                        h5py.File(sys.argv[1], 'r').close(); print('opens')
                    except OSError as e:
                        print('fails: ' + str(e))
                    """, out).strip();
            Process again = new ProcessBuilder(command(List.of(input.toString()), out, 1)).directory(round.toFile())
                    .redirectOutput(round.resolve("again.out").toFile()).redirectError(round.resolve("again.err").toFile()).start();
            assertTrue(again.waitFor(120, TimeUnit.SECONDS));
            String err = Files.readString(round.resolve("again.err"));
            assertEquals("opens", opened, "a kill as " + out + " was created left " + size + " bytes that libhdf5 cannot open;"
                    + " the same command then exited " + again.exitValue() + ": " + err.strip());
            assertEquals(0, again.exitValue(), "the same command must resume: " + err);
            H5py.check("assert np.array_equal(h5py.File(sys.argv[2], 'r')['data'][:], np.load(sys.argv[1]))", input, out);
        }
    }

    /** The command line; {@code inputs} are the arguments of {@code --input} and any layout option. */
    private List<String> command(List<String> inputs, Path out, int parallelism) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                KilledProcesses.tmpdirIn(out.getParent()), "-jar", JAR.toString(), "convert", "--input"));
        command.addAll(inputs);
        command.addAll(List.of("--output", out.toString(), "--codec", "gzip:9", "--shuffle",
                "--chunks", CHUNK_ROWS + "," + COLUMNS, "--fill", Integer.toString(FILL), "--checkpoint-interval", "200ms",
                "--parallelism", Integer.toString(parallelism), "--no-progress"));
        return command;
    }

    /** What is in {@code tmp} but libdeflate's copies of its library. */
    private static List<String> leftIn(Path tmp) throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            return left.map(p -> p.getFileName().toString()).filter(n -> !n.matches("jlibdeflate-\\d+\\.so")).sorted().toList();
        }
    }

    /**
     * Waits for the moment and kills the child with SIGKILL; false when the child ended first (or the
     * moment never came: it is killed at the deadline of 60 s, which fails the test).
     */
    private static boolean fire(Process child, Moment moment, long delayMillis, OutputWatch watch) throws Exception {
        long launched = System.nanoTime();
        long deadline = launched + TimeUnit.SECONDS.toNanos(60);
        long fireAt = Long.MAX_VALUE;
        if (moment == Moment.STARTUP || moment == Moment.ANY) fireAt = launched + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        long checkpointsAtLaunch = moment == Moment.AFTER_CHECKPOINT ? OutputWatch.newestCheckpoint(watch.checkpoints) : 0;
        while (child.isAlive() && System.nanoTime() < deadline) {
            boolean grew = watch.poll();
            long now = System.nanoTime();
            if (fireAt == Long.MAX_VALUE) {
                if (moment == Moment.FILE_GROWING && grew && watch.existedBefore) fireAt = now + TimeUnit.MILLISECONDS.toNanos(delayMillis);
                if (moment == Moment.AFTER_CHECKPOINT && OutputWatch.newestCheckpoint(watch.checkpoints) > checkpointsAtLaunch) {
                    fireAt = now + TimeUnit.MILLISECONDS.toNanos(delayMillis);
                }
            }
            if (now >= fireAt) break;
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        if (!child.isAlive()) return false;
        return watch.kill(child);
    }

    /** h5py's verdict on a killed run's output (see the class comment); fails the test when it is wrong. */
    private static Seen judge(Path input, Path out, Layout layout, Seen previous, String where) {
        String printed;
        try {
            printed = H5py.check(layout == Layout.ROLLED ? JUDGE_ROLLED : JUDGE, input, out, FILL, join(previous.chunks()), previous.rows(),
                    ROWS_PER_FILE, layout == Layout.LATEST ? "swmr" : "");
        } catch (AssertionError e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
        String line = printed.strip();
        if (line.equals("absent")) return new Seen(false, 0, new TreeSet<>());
        if (line.equals("empty")) return new Seen(true, 0, new TreeSet<>());
        String[] parts = line.split(" ", -1);
        TreeSet<Integer> chunks = new TreeSet<>();
        if (parts.length > 1) for (String s : parts[1].split(",")) if (!s.isEmpty()) chunks.add(Integer.parseInt(s));
        return new Seen(true, Long.parseLong(parts[0]), chunks);
    }

    /** The verdict on one output file: chunks allocated, no hole in the rows shown, the rows shown equal the input. */
    private static final String JUDGE = """
            import os
            a = np.load(sys.argv[1], mmap_mode='r'); path = sys.argv[2]; fill = int(sys.argv[3])
            before = set(int(x) for x in sys.argv[4].split(',') if x); previous_rows = int(sys.argv[5])
            if not os.path.exists(path):
                assert not before, f'the output vanished, it had chunks {sorted(before)}'
                print('absent'); sys.exit(0)
            with h5py.File(path, 'r', swmr=sys.argv[7] == 'swmr') as f:
                assert sys.argv[7] != 'swmr' or f.id.get_create_plist().get_version()[0] == 3
                if 'data' not in f:
                    assert not before, 'the dataset vanished'
                    print('empty'); sys.exit(0)
                d = f['data']
                assert d.dtype == a.dtype and d.shape[1:] == a.shape[1:] and d.shape[0] <= a.shape[0], (d.dtype, d.shape)
                assert d.chunks == (4096, a.shape[1]) and d.fillvalue == fill, (d.chunks, d.fillvalue)
                assert '_hdf5flink_commit_token' in d.attrs
                cr = d.chunks[0]; rows = d.shape[0]
                n = d.id.get_num_chunks()
                allocated = set()
                for i in range(n):
                    off = d.id.get_chunk_info(i).chunk_offset
                    assert off[0] % cr == 0 and off[1] == 0, off
                    allocated.add(off[0] // cr)
                assert len(allocated) == n and n <= -(-a.shape[0] // cr), (n, len(allocated))
                # The dataset shows a prefix of the input: no hole, no fill value shown.
                holes = [k for k in range(-(-rows // cr)) if k not in allocated]
                assert not holes, f'chunks {holes} lie inside the shape {d.shape} and are not stored'
                assert np.array_equal(d[:rows], a[:rows]), f'the {rows} rows shown differ from the input'
                assert rows >= previous_rows, f'{previous_rows} rows were shown before, now {rows}'
                lost = before - allocated
                assert not lost, f'chunks {sorted(lost)} were committed before and are gone'
                print(rows, ','.join(map(str, sorted(allocated))))
            """;

    /**
     * The verdict on a rolled output: each data file as {@link #JUDGE} judges a file (its rows at
     * their place in the input), and the master's virtual dataset showing a prefix of the rows the
     * data files hold committed, never more, equal to the input. Chunks are numbered across files.
     */
    private static final String JUDGE_ROLLED = """
            import os
            a = np.load(sys.argv[1], mmap_mode='r'); path = sys.argv[2]; fill = int(sys.argv[3])
            before = set(int(x) for x in sys.argv[4].split(',') if x); previous_rows = int(sys.argv[5]); per = int(sys.argv[6])
            stem = path[:-3]; cr = 4096
            allocated = set(); committed = 0; prefix = True; k = 0
            while os.path.exists('%s_%06d.h5' % (stem, k + 1)):
                with h5py.File('%s_%06d.h5' % (stem, k + 1), 'r') as g:
                    if 'data' in g:
                        x = g['data']; rows = x.shape[0]; first = k * per
                        assert x.chunks == (cr, a.shape[1]) and x.fillvalue == fill and x.maxshape == (None, a.shape[1]), (k, x.chunks)
                        assert rows <= per, (k, rows)
                        mine = set()
                        for i in range(x.id.get_num_chunks()):
                            off = x.id.get_chunk_info(i).chunk_offset
                            assert off[0] % cr == 0 and off[1] == 0 and off[0] < per, (k, off)
                            mine.add((first + off[0]) // cr)
                        holes = [c for c in range(first // cr, (first + rows + cr - 1) // cr) if c not in mine]
                        assert not holes, f'data file {k + 1}: chunks {holes} lie inside its shape {x.shape} and are not stored'
                        assert np.array_equal(x[:], a[first:first + rows]), f'data file {k + 1}: its {rows} rows differ from the input'
                        allocated |= mine
                        if prefix: committed += rows
                        prefix = prefix and rows == per
                    else:
                        prefix = False
                k += 1
            lost = before - allocated
            assert not lost, f'chunks {sorted(lost)} were committed before and are gone'
            if not os.path.exists(path):
                assert previous_rows == 0, f'the master vanished; it showed {previous_rows} rows'
                print('absent' if not allocated else '0 ' + ','.join(map(str, sorted(allocated)))); sys.exit(0)
            with h5py.File(path, 'r') as f:
                d = f['data']
                assert d.is_virtual and d.dtype == a.dtype and d.maxshape == (None, a.shape[1]), (d.dtype, d.maxshape)
                rows = d.shape[0]
                assert rows <= committed, f'the master shows {rows} rows, the data files hold {committed} committed'
                assert np.array_equal(d[:rows], a[:rows]), f'the {rows} rows the master shows differ from the input'
                assert rows >= previous_rows, f'{previous_rows} rows were shown before, now {rows}'
            print(rows, ','.join(map(str, sorted(allocated))))
            """;

    private static String join(TreeSet<Integer> chunks) {
        StringBuilder b = new StringBuilder();
        for (int c : chunks) b.append(b.length() == 0 ? "" : ",").append(c);
        return b.toString();
    }

    /** {@link #assertComplete} for a rolled output: through the master, and every data file's chunks once. */
    private static final String COMPLETE_ROLLED = """
            import os
            a = np.load(sys.argv[1], mmap_mode='r'); path = sys.argv[2]; per = int(sys.argv[5])
            with h5py.File(path, 'r') as f:
                d = f['data']
                assert d.is_virtual and d.shape == a.shape and d.dtype == a.dtype, (d.shape, d.dtype)
                for i in range(0, a.shape[0], 65536):
                    assert np.array_equal(d[i:i + 65536], a[i:i + 65536]), i
            n = 0; chunks = 0; size = 0; count = -(-a.shape[0] // per)
            for k in range(count):
                name = '%s_%06d.h5' % (path[:-3], k + 1)
                with h5py.File(name, 'r') as g:
                    x = g['data']
                    assert x.shape[0] == min(per, a.shape[0] - k * per), (k, x.shape)
                    n += x.id.get_num_chunks(); chunks += sum(x.id.get_chunk_info(i).size for i in range(x.id.get_num_chunks()))
                size += os.path.getsize(name)
            assert not os.path.exists('%s_%06d.h5' % (path[:-3], count + 1)), 'one data file too many'
            assert n == int(sys.argv[3]), (n, sys.argv[3])
            other = size - chunks
            print(other)
            assert other <= count * int(sys.argv[4]), f'{other} bytes of the data files hold no chunk ({chunks} do)'
            """;

    /** The most bytes of a completed output (of each data file, rolled) that may hold no chunk: metadata and small holes. */
    private static final long NOT_CHUNK_BYTES_LIMIT = 1 << 20;

    /**
     * A finished round: equal to the input value for value, every chunk once, checkpoints and
     * staging gone, and little of the file holding no chunk.
     *
     * @param deletingCheckpoints whether the completed run was killed while it deleted its
     *     checkpoints (some may stay)
     */
    private static void assertComplete(Path input, Path out, boolean rolled, Path round, String where, boolean deletingCheckpoints)
            throws IOException, InterruptedException {
        try {
            String other = H5py.check(rolled ? COMPLETE_ROLLED : """
                    import os
                    a = np.load(sys.argv[1], mmap_mode='r')
                    with h5py.File(sys.argv[2], 'r') as f:
                        d = f['data']
                        assert d.shape == a.shape and d.dtype == a.dtype, (d.shape, d.dtype)
                        assert d.id.get_num_chunks() == int(sys.argv[3]), (d.id.get_num_chunks(), sys.argv[3])
                        for i in range(0, a.shape[0], 65536):
                            assert np.array_equal(d[i:i + 65536], a[i:i + 65536]), i
                        chunks = sum(d.id.get_chunk_info(i).size for i in range(d.id.get_num_chunks()))
                    # Space written by killed attempts is reused: what holds no chunk (metadata and
                    # holes) stays small however many kills the round took (README, "Space of
                    # failed attempts"), also when a kill caught writers between their committable
                    # and its checkpoint.
                    other = os.path.getsize(sys.argv[2]) - chunks
                    print(other)
                    assert other <= int(sys.argv[4]), f'{other} bytes of the file hold no chunk ({chunks} do)'
                    """, input, out, TOTAL_CHUNKS, String.valueOf(NOT_CHUNK_BYTES_LIMIT), ROWS_PER_FILE).strip();
            System.out.println("ConvertCrashInteropTest " + where + ": " + other + " bytes of the output hold no chunk");
        } catch (AssertionError e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
        Path checkpoints = round.resolve("out.h5.checkpoints");
        if (!deletingCheckpoints && Files.exists(checkpoints)) {
            List<String> left;
            try (var files = Files.walk(checkpoints)) {
                left = files.map(p -> checkpoints.relativize(p).toString()).sorted().toList();
            }
            fail(where + ": the completed run left its checkpoint directory: " + left);
        }
        // Every killed run's scratch directory (Flink's folders, GKL's and snappy's native
        // libraries) was deleted by the run after it, and the completed run deleted its own; a kill
        // as the completed run exited leaves its directory, with the owner lock, to the next
        // command (here `--help`). libdeflate's loader extracts into the JVM's own temporary
        // directory and deletes its copy as soon as it has loaded it: only a kill during that load
        // leaves one.
        Path tmp = round.resolve("tmp");
        if (Files.isDirectory(tmp)) {
            if (!leftIn(tmp).isEmpty()) {
                Process next = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        KilledProcesses.tmpdirIn(round), "-jar", JAR.toString(), "--help").redirectErrorStream(true)
                        .redirectOutput(round.resolve("help.out").toFile()).start();
                assertEquals(0, next.waitFor(), where + ": --help");
            }
            assertEquals(List.of(), leftIn(tmp), where + ": left in java.io.tmpdir");
        }
        Path staging = round.resolve(".hdf5-staging");
        if (Files.isDirectory(staging)) {
            try (Stream<Path> left = Files.list(staging)) {
                List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(List.of(), names, where + ": staging files left behind");
            }
        }
    }
}
