package io.hdf5flink.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hdf5flink.hdf5.testing.KilledProcesses;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import io.hdf5flink.hdf5.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming Flink job writing through the {@code Hdf5Sink} ({@link StreamingCrashJob}: an
 * embedded Flink in a child JVM, a rate-limited generator, checkpoints every 200 ms retained in
 * {@code checkpoints/}) killed with SIGKILL at random moments, again and again, each time started
 * again with the same arguments, which resumes from the newest completed checkpoint. The
 * counterpart of {@code ConvertCrashInteropTest} for an unbounded-style job: blocks of a few
 * hundred rows that never line up with chunks, so the writers' checkpointed state always holds
 * open partial chunks, of two datasets in one file:
 * <ul>
 *   <li>{@code /appended}: appended int16 rows of 64 channels (chunks of 2048 rows, gzip), the
 *       iterative-write case;</li>
 *   <li>{@code /columns}: the same rows' first 16 columns, declared at full shape and delivered one
 *       column at a time as (rows, 1) blocks at explicit offsets from a parallel source (chunks
 *       4096 x 4, shuffle + gzip), assembled through the sink's routing.</li>
 * </ul>
 * Each run picks the job's parallelism (1 to {@value #MAX_PARALLELISM}) at random, so resumed
 * runs restore the sink's state at another parallelism, up and down.
 *
 * <p>Kills land during start-up (the JVM, Flink and the restore, 0.2-3.5 s), 0-40 ms after the
 * n-th new checkpoint's {@code _metadata} appears (while its committables are copied into the
 * file), 0-3 ms after the output's n-th change of size (in the middle of a commit's writes), n from
 * 1 to 25 so that these land anywhere in the stream, and anywhere in the first 10 s. After every
 * kill h5py (libhdf5) judges the output if it exists: it opens; {@code /appended} has the declared
 * layout, a row count that never decreases from one kill to the next (nothing lost) and every row
 * equal to the generator's row exactly (nothing doubled: a repeated append shifts every later row;
 * no fill, no garbage), every chunk inside its shape allocated and none outside;
 * {@code /columns} has its declared shape and layout, every allocated chunk holds exactly the
 * expected values, every unallocated one reads the fill value, and no chunk allocated after an
 * earlier kill has disappeared. When a run ends on its own the round's file is compared value for
 * value with the uninterrupted expectation, by h5py and by jhdf, with every chunk allocated and
 * the staging directory empty (but for files named after the jobs of killed runs, counted and
 * reported: the sink sweeps a dead writer's files only when it died before its first
 * committable, see {@link #aRunKilledBeforeItsFirstCheckpointLeavesNoStagingFilesBehind}; a kill
 * between a committable and the checkpoint carrying it leaves them, for a writer whose name no
 * later run takes again); a new round then starts
 * in a fresh directory until the kills are done, and the last round runs to its end. The figures
 * (kills by moment, resumes, rows lost, doubled or wrong, column chunks lost or wrong, leaked
 * staging files, what each kill left committed) are printed at the end, also when it fails.
 *
 * <p>{@code -Dcrash.kills=N} (default 8), {@code -Dcrash.seconds=S} (default 90, 3600 beyond 8
 * kills: no new kill after S seconds), {@code -Dcrash.rows=R} (default {@value #DEFAULT_ROWS}, at
 * {@value #ROWS_PER_SECOND} rows/s); the seed is printed and {@code -Dcrash.seed=S} replays the
 * same kill plan (timings still vary with the machine).
 */
class StreamingCrashInteropTest {
    private static final int MAX_PARALLELISM = 3;
    private static final int DEFAULT_ROWS = 150_000;
    private static final int ROWS_PER_SECOND = 25_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /** When a kill is fired. */
    enum Moment {
        /** 0.2-3.5 s after launch: the JVM and Flink starting, the restore, the first checkpoints. */
        STARTUP,
        /**
         * 0-40 ms after the n-th new checkpoint's {@code _metadata} appears (n from 1 to 25, so
         * anywhere in the stream): while its commit runs.
         */
        AFTER_CHECKPOINT,
        /**
         * 0-3 ms after the n-th change of the output's size (n from 1 to 25; only once it exists):
         * in the middle of a commit's writes.
         */
        FILE_GROWING,
        /** Anywhere in the first 10 s. */
        ANY
    }

    /** What h5py saw after a kill: the appended rows and the allocated chunks of /columns (row chunk * 4 + column chunk). */
    record Seen(boolean exists, long rows, TreeSet<Integer> chunks) {
        static Seen none() {
            return new Seen(false, 0, new TreeSet<>());
        }
    }

    /** The profiles to run: both, or the one {@code -Dcrash.profile} names (the other is then not a case at all, not a skipped one). */
    static List<Profile> profiles() {
        String only = System.getProperty("crash.profile");
        return only == null ? List.of(Profile.values()) : List.of(Profile.valueOf(only.toUpperCase(java.util.Locale.ROOT)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void killedStreamingJobsAlwaysLeaveACommittedStateAndResumeToTheExpectedRows(Profile profile) throws Exception {
        ReferenceLibrary.requireAvailable();
        // The latest profile's default run is shorter: the engine's and convert's harnesses kill it more.
        int kills = Integer.getInteger("crash.kills", profile == Profile.LATEST ? 4 : 8);
        long rows = Long.getLong("crash.rows", DEFAULT_ROWS);
        long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("crash.seconds", kills > 8 ? 3600 : 90));
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("StreamingCrashInteropTest seed " + seed + ", " + kills + " kills, " + rows + " rows, profile " + profile
                + " (replay: -Dcrash.seed=" + seed + ")");
        Random random = new Random(seed);

        Tally t = new Tally();
        try {
            run(t, kills, rows, budgetNanos, seed, random, profile);
        } finally {
            t.print(); // also when the harness fails: the figures up to the failure
        }
        assertTrue(t.killed >= Math.min(kills, 3), "only " + t.killed + " kills in the time budget");
    }

    /** The figures of a run of the harness. */
    static final class Tally {
        final long started = System.nanoTime();
        int killed;
        int rounds;
        int resumes;
        int rescaled;
        int midCommit;
        int noOutputYet;
        long rowsLost;
        long rowsDoubled;
        long rowsWrong;
        long chunksLost;
        long chunksWrong;
        long leakedFiles;
        long leakedBytes;
        final Map<Moment, Integer> byMoment = new EnumMap<>(Moment.class);
        final List<String> notes = new ArrayList<>();
        final List<String> progress = new ArrayList<>();

        void print() {
            System.out.printf("StreamingCrashInteropTest: %d kills survived (%s; %d within 30 ms of a write to the output, "
                            + "%d before the output existed), %d runs resumed from a checkpoint (%d at another parallelism), %d rounds completed, "
                            + "%d rows lost, %d rows doubled, %d rows wrong, %d column chunks lost, %d column chunks wrong, "
                            + "%d staging files (%d KiB) left by killed runs, %.0f s%n",
                    killed, byMoment, midCommit, noOutputYet, resumes, rescaled, rounds, rowsLost, rowsDoubled, rowsWrong, chunksLost,
                    chunksWrong, leakedFiles, leakedBytes / 1024, (System.nanoTime() - started) / 1e9);
            System.out.println("  committed after each kill (appended rows/column chunks): " + String.join(" ", progress));
            notes.forEach(n -> System.out.println("  note: " + n));
        }
    }

    /** Rounds of runs, killed until {@code kills} kills are done or the budget is spent; the last round runs to its end. */
    private void run(Tally t, int kills, long rows, long budgetNanos, long seed, Random random, Profile profile) throws Exception {
        int launch = 0;
        int lastParallelism = 0;
        while (true) {
            t.rounds++;
            Path round = Files.createDirectories(dir.resolve("round-" + t.rounds));
            Path out = round.resolve(StreamingCrashJob.FILE);
            Seen previous = Seen.none();
            Set<String> killedJobs = new HashSet<>();
            boolean finished = false;
            while (!finished) {
                boolean killThisRun = t.killed < kills && System.nanoTime() - t.started < budgetNanos;
                Moment moment = Moment.values()[random.nextInt(Moment.values().length)];
                long delay = switch (moment) {
                    case STARTUP -> 200 + random.nextInt(3300);
                    case AFTER_CHECKPOINT -> random.nextInt(41);
                    case FILE_GROWING -> random.nextInt(4);
                    case ANY -> random.nextInt(10_000);
                };
                int nth = 1 + random.nextInt(25);
                int parallelism = 1 + random.nextInt(MAX_PARALLELISM);
                launch++;
                Path log = round.resolve("run-" + launch + ".err");
                Path stdout = round.resolve("run-" + launch + ".out");
                Process child = new ProcessBuilder(command(round, rows, 200, parallelism, profile)).directory(round.toFile())
                        .redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
                OutputWatch watch = new OutputWatch(out, round.resolve("checkpoints"));
                boolean fired = killThisRun && fire(child, moment, delay, nth, watch);
                if (!child.waitFor(180, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                    fail("run " + launch + " did not end in 180 s (seed " + seed + ")");
                }
                String said = Files.readString(stdout);
                if (said.contains("resuming from checkpoint")) {
                    t.resumes++;
                    if (parallelism != lastParallelism) t.rescaled++;
                }
                lastParallelism = parallelism;
                if (fired) {
                    assertEquals(137, child.exitValue(), "killed by SIGKILL");
                    t.killed++;
                    String job = jobId(said);
                    if (job != null) killedJobs.add(job);
                    t.byMoment.merge(moment, 1, Integer::sum);
                    if (watch.killedWithinMillisOfAWrite(30)) {
                        t.midCommit++;
                    }
                    String where = "kill " + t.killed + " (" + moment + (moment == Moment.AFTER_CHECKPOINT || moment == Moment.FILE_GROWING
                            ? " #" + nth : "") + " +" + delay + " ms, run " + launch + ", seed " + seed + ")";
                    JsonNode v = judge(out, rows, previous, where, profile);
                    t.rowsLost += v.get("rows_lost").asLong();
                    t.rowsDoubled += v.get("rows_doubled").asLong();
                    t.rowsWrong += v.get("rows_wrong").asLong();
                    t.chunksLost += v.get("chunks_lost").asLong();
                    t.chunksWrong += v.get("chunks_wrong").asLong();
                    List<String> problems = new ArrayList<>();
                    v.get("problems").forEach(p -> problems.add(p.asText()));
                    assertEquals(List.of(), problems, where + ": h5py found the output wrong; runs' logs in " + round);
                    Seen seen = seen(v);
                    if (!seen.exists()) t.noOutputYet++;
                    t.progress.add(seen.exists() ? seen.rows() + "/" + seen.chunks().size() : "-");
                    previous = seen;
                    continue;
                }
                int exit = child.exitValue();
                if (exit == 0) {
                    finished = true;
                } else if (exit == StreamingCrashJob.EXIT_OUTPUT_WITHOUT_CHECKPOINT && previous.exists()) {
                    // The last kill came after the job had finished, while Flink discarded its checkpoints.
                    t.notes.add("round " + t.rounds + ", run " + launch + ": the killed run had finished (" + said.strip() + ")");
                    finished = true;
                } else {
                    fail("run " + launch + " exited " + exit + " on its own (seed " + seed + "):\n" + said + Files.readString(log));
                }
                List<Path> leaked = assertComplete(out, round, rows, killedJobs,
                        "round " + t.rounds + " (seed " + seed + ")", profile);
                t.leakedFiles += leaked.size();
                for (Path p : leaked) t.leakedBytes += Files.size(p);
                t.progress.add("done");
            }
            if (t.killed >= kills || System.nanoTime() - t.started >= budgetNanos) break;
        }
    }

    /**
     * A run that starts afresh and is killed after its writers wrote chunks (into the output file,
     * which they create; nothing is committed yet), before any checkpoint named them: it runs
     * without checkpoints (Flink 2.3 takes a job's first checkpoint as soon as its tasks run, often
     * before the first chunk, and a checkpoint ends the writers' unreferenced state). Then the same
     * command with checkpoints every 200 ms runs to its end. Nothing was committed, so the output
     * must end equal to the expectation, the staging directory empty, and the space the killed run
     * wrote reused (what holds no chunk stays small).
     *
     * <p>Failed before the fix (a disk leak, no data lost): the killed run's staging file stayed in
     * {@code .hdf5-staging/} for good, e.g. {@code <job id>-0-0.chunks} of 250 KB: a killed process
     * is started again as a new job, its writers take new names, and the committer's clean-up
     * deleted only files of a committable's own writer and of writers it adopted. Now a writer
     * under a new name holds {@code <writer>.unreferenced} locked until its first committable, and
     * the committer sweeps the files of writers whose marker nobody holds.
     */
    @Test
    void aRunKilledBeforeItsFirstCheckpointLeavesNoStagingFilesBehind() throws Exception {
        ReferenceLibrary.requireAvailable();
        long rows = 60_000;
        Path round = dir.resolve("early");
        Path staging = round.resolve(".hdf5-staging");
        Files.createDirectories(round);
        Process child = new ProcessBuilder(command(round, rows, 0, 2, Profile.DEFAULT)).directory(round.toFile())
                .redirectOutput(round.resolve("killed.out").toFile()).redirectError(round.resolve("killed.err").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path output = round.resolve(StreamingCrashJob.FILE);
        // Writers write chunks into the output (creating it) long before anything is committed.
        while (child.isAlive() && sizeOf(output) < 256 * 1024 && System.nanoTime() < deadline) LockSupport.parkNanos(200_000);
        assertTrue(child.isAlive(), "the run ended before it wrote a chunk: " + Files.readString(round.resolve("killed.err")));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        List<String> staged = names(staging);
        assertEquals(0, OutputWatch.newestCheckpoint(round.resolve("checkpoints")), "a run without checkpoints took one");
        Path out = round.resolve(StreamingCrashJob.FILE);
        long written = Files.size(out);
        assertEquals("[]", H5py.check("print(list(h5py.File(sys.argv[1], 'r').keys()))", out).strip(),
                "nothing was committed before the kill");
        System.out.println("aRunKilledBeforeItsFirstCheckpointLeavesNoStagingFilesBehind: killed with " + written
                + " bytes written into the output, " + staged + " in staging");

        Process again = new ProcessBuilder(command(round, rows, 200, 2, Profile.DEFAULT)).directory(round.toFile())
                .redirectOutput(round.resolve("again.out").toFile()).redirectError(round.resolve("again.err").toFile()).start();
        assertTrue(again.waitFor(180, TimeUnit.SECONDS), "the second run did not end");
        assertEquals(0, again.exitValue(), "the second run failed: " + Files.readString(round.resolve("again.err")));
        // No checkpoint, so no committable: every file of the killed writers is swept, none is a known leak.
        assertComplete(out, round, rows, Set.of(),
                "the run after a kill before the first checkpoint (the killed run had staged " + staged + ")", Profile.DEFAULT);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException notYet) {
            return 0;
        }
    }

    private static List<String> names(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) return List.of();
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> command(Path round, long rows, long checkpointMillis, int parallelism, Profile profile) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                KilledProcesses.tmpdirIn(round),
                "-Dorg.slf4j.simpleLogger.log.org.apache.flink.metrics=error",
                "-cp", System.getProperty("java.class.path"), StreamingCrashJob.class.getName(),
                round.toString(), Long.toString(rows), Integer.toString(parallelism), Integer.toString(ROWS_PER_SECOND), Long.toString(checkpointMillis),
                profile.name());
    }

    /**
     * Waits for the moment (for {@link Moment#AFTER_CHECKPOINT} and {@link Moment#FILE_GROWING}, its
     * {@code nth} occurrence) and kills the child with SIGKILL; false when the child ended first.
     */
    private static boolean fire(Process child, Moment moment, long delayMillis, int nth, OutputWatch watch) throws Exception {
        long launched = System.nanoTime();
        long deadline = launched + TimeUnit.SECONDS.toNanos(60);
        long fireAt = Long.MAX_VALUE;
        if (moment == Moment.STARTUP || moment == Moment.ANY) fireAt = launched + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        long lastCheckpoint = moment == Moment.AFTER_CHECKPOINT ? OutputWatch.newestCheckpoint(watch.checkpoints) : 0;
        int seen = 0;
        while (child.isAlive() && System.nanoTime() < deadline) {
            boolean grew = watch.poll();
            long now = System.nanoTime();
            if (fireAt == Long.MAX_VALUE) {
                if (moment == Moment.FILE_GROWING && grew && watch.existedBefore && ++seen == nth) {
                    fireAt = now + TimeUnit.MILLISECONDS.toNanos(delayMillis);
                }
                if (moment == Moment.AFTER_CHECKPOINT) {
                    long newest = OutputWatch.newestCheckpoint(watch.checkpoints);
                    if (newest > lastCheckpoint) {
                        lastCheckpoint = newest;
                        if (++seen == nth) fireAt = now + TimeUnit.MILLISECONDS.toNanos(delayMillis);
                    }
                }
            }
            if (now >= fireAt) break;
            LockSupport.parkNanos(200_000);
        }
        if (!child.isAlive()) return false;
        return watch.kill(child);
    }

    /** numpy's form of {@link StreamingCrashJob#value}, for the h5py scripts. */
    private static final String EXPECTED = """
            FILL = -32768
            def expected(lo, hi, c0, c1):
                r = np.arange(lo, hi, dtype=np.int64)[:, None]; c = np.arange(c0, c1, dtype=np.int64)[None, :]
                return ((r * 2654435761 + c * 40503 + (r >> 7) * 977) % 65535 - 32767).astype('<i2')
            """;

    /**
     * h5py's verdict on a killed run's output (see the class comment): a JSON object with the
     * appended rows, the allocated chunks of /columns, counts of rows lost (fewer rows than after
     * the previous kill), doubled (equal to an earlier row instead of their own), wrong (any
     * other difference), column chunks lost and wrong, and the problems found.
     */
    /**
     * @param profile {@link Profile#LATEST}: the file a kill left is flagged as open for SWMR
     *     writing, which libhdf5 opens only as an SWMR reader (as a live viewer would)
     */
    private static JsonNode judge(Path out, long rows, Seen previous, String where, Profile profile) throws IOException {
        String printed;
        try {
            printed = H5py.check(EXPECTED + """
                    import os, json
                    path = sys.argv[1]; N = int(sys.argv[2]); prev_rows = int(sys.argv[3])
                    before = set(int(x) for x in sys.argv[4].split(',') if x)
                    v = dict(exists=False, rows=0, chunks=[], rows_lost=0, rows_doubled=0, rows_wrong=0,
                             chunks_lost=0, chunks_wrong=0, problems=[])
                    problems = v['problems']
                    def done():
                        print(json.dumps(v)); sys.exit(0)
                    if not os.path.exists(path):
                        v['rows_lost'] = prev_rows; v['chunks_lost'] = len(before)
                        if prev_rows or before: problems.append('the output vanished')
                        done()
                    v['exists'] = True
                    with h5py.File(path, 'r', swmr=SWMR) as f:
                        extra = set(f.keys()) - {'appended', 'columns'}
                        if extra: problems.append(f'unexpected objects {sorted(extra)}')
                        if 'appended' in f:
                            d = f['appended']
                            if (d.dtype, d.shape[1:], d.maxshape, d.chunks, d.compression, d.fillvalue) != \\
                                    (np.dtype('<i2'), (64,), (None, 64), (2048, 64), 'gzip', FILL):
                                problems.append(f'/appended layout {d.dtype} {d.shape} {d.maxshape} {d.chunks} {d.compression} {d.fillvalue}')
                            rows = d.shape[0]; v['rows'] = rows
                            if rows > N: problems.append(f'/appended has {rows} rows, the stream has {N}')
                            if rows < prev_rows:
                                v['rows_lost'] = prev_rows - rows
                                problems.append(f'/appended shrank from {prev_rows} to {rows} rows')
                            a = d[:]; e = expected(0, rows, 0, 64)
                            bad = np.flatnonzero((a != e).any(axis=1))
                            if bad.size:
                                first = {}
                                for i in range(rows): first.setdefault(e[i].tobytes(), i)
                                doubled = sum(1 for i in bad if first.get(a[i].tobytes(), i) < i)
                                v['rows_doubled'] = int(doubled); v['rows_wrong'] = int(bad.size - doubled)
                                problems.append(f'/appended: {bad.size} of {rows} rows differ ({doubled} repeat an earlier row),'
                                                f' first {bad[:5].tolist()}')
                            cr = 2048; allocated = set()
                            for i in range(d.id.get_num_chunks()):
                                off = d.id.get_chunk_info(i).chunk_offset
                                if off[0] % cr or off[1] or off[0] >= rows: problems.append(f'/appended: stray chunk at {off}')
                                allocated.add(off[0] // cr)
                            missing = set(range(-(-rows // cr))) - allocated
                            if missing: problems.append(f'/appended: chunks {sorted(missing)[:10]} inside the shape are not allocated')
                        elif prev_rows:
                            v['rows_lost'] = prev_rows; problems.append('/appended vanished')
                        if 'columns' in f:
                            d = f['columns']
                            if (d.dtype, d.shape, d.chunks, d.compression, d.shuffle, d.fillvalue) != \\
                                    (np.dtype('<i2'), (N, 16), (4096, 4), 'gzip', True, FILL):
                                problems.append(f'/columns layout {d.dtype} {d.shape} {d.chunks} {d.compression} {d.shuffle} {d.fillvalue}')
                            a = d[:]; e = expected(0, N, 0, 16)
                            cr, cc = 4096, 4; per_row = 16 // cc; allocated = set()
                            for i in range(d.id.get_num_chunks()):
                                off = d.id.get_chunk_info(i).chunk_offset
                                if off[0] % cr or off[1] % cc: problems.append(f'/columns: chunk at {off} off the grid')
                                allocated.add(off[0] // cr * per_row + off[1] // cc)
                            v['chunks'] = sorted(allocated)
                            for k in range(-(-N // cr) * per_row):
                                r0, c0 = k // per_row * cr, k % per_row * cc
                                got = a[r0:r0 + cr, c0:c0 + cc]
                                if k in allocated:
                                    if not np.array_equal(got, e[r0:r0 + cr, c0:c0 + cc]):
                                        v['chunks_wrong'] += 1
                                        problems.append(f'/columns: allocated chunk at ({r0}, {c0}) differs from the rows'
                                                        f' ({int((got != e[r0:r0 + cr, c0:c0 + cc]).sum())} values,'
                                                        f' {int((got == FILL).sum())} of them fill)')
                                elif not (got == FILL).all():
                                    v['chunks_wrong'] += 1
                                    problems.append(f'/columns: unallocated chunk at ({r0}, {c0}) does not read as fill')
                        lost = before - set(v['chunks'])
                        if lost:
                            v['chunks_lost'] = len(lost)
                            problems.append(f'/columns: chunks {sorted(lost)[:10]} were committed before and are gone')
                    done()
                    """.replace("SWMR", profile == Profile.LATEST ? "True" : "False"), out, rows, previous.rows(), join(previous.chunks()));
        } catch (AssertionError e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
        return JSON.readTree(printed.strip());
    }

    private static Seen seen(JsonNode v) {
        TreeSet<Integer> chunks = new TreeSet<>();
        v.get("chunks").forEach(c -> chunks.add(c.asInt()));
        return new Seen(v.get("exists").asBoolean(), v.get("rows").asLong(), chunks);
    }

    private static String join(TreeSet<Integer> chunks) {
        StringBuilder b = new StringBuilder();
        for (int c : chunks) b.append(b.length() == 0 ? "" : ",").append(c);
        return b.toString();
    }

    /** The job id a run printed ({@code JOB <id>}), or null when it was killed before. */
    private static String jobId(String stdout) {
        for (String line : stdout.split("\n")) if (line.startsWith("JOB ")) return line.substring(4).strip();
        return null;
    }

    /**
     * A finished round: both datasets equal the uninterrupted expectation value for value (h5py and
     * jhdf), every chunk allocated once, the staging directory empty but for the files of writers
     * of {@code knownLeaks}, the jobs of killed runs (see the class comment). Returns those files.
     */
    private static List<Path> assertComplete(Path out, Path round, long rows, Set<String> knownLeaks, String where, Profile profile)
            throws IOException {
        long appendedChunks = (rows + StreamingCrashJob.APPEND_CHUNK_ROWS - 1) / StreamingCrashJob.APPEND_CHUNK_ROWS;
        long columnChunks = (rows + StreamingCrashJob.COLUMN_CHUNK_ROWS - 1) / StreamingCrashJob.COLUMN_CHUNK_ROWS
                * (StreamingCrashJob.COLUMN_COUNT / StreamingCrashJob.COLUMN_CHUNK_COLUMNS);
        try {
            H5py.check(EXPECTED + """
                    import os
                    N = int(sys.argv[2])
                    with h5py.File(sys.argv[1], 'r') as f:  # a plain open: the finished job cleared the SWMR flags
                        assert f.id.get_create_plist().get_version()[0] == int(sys.argv[5]), ('superblock', f.id.get_create_plist().get_version())
                        a, c = f['appended'], f['columns']
                        assert a.shape == (N, 64) and c.shape == (N, 16), (a.shape, c.shape)
                        assert a.id.get_num_chunks() == int(sys.argv[3]), ('appended chunks', a.id.get_num_chunks(), sys.argv[3])
                        assert c.id.get_num_chunks() == int(sys.argv[4]), ('column chunks', c.id.get_num_chunks(), sys.argv[4])
                        for lo in range(0, N, 65536):
                            hi = min(N, lo + 65536); e = expected(lo, hi, 0, 64)
                            bad = np.flatnonzero((a[lo:hi] != e).any(axis=1))
                            assert bad.size == 0, f'/appended rows {(bad[:5] + lo).tolist()} differ'
                            bad = np.flatnonzero((c[lo:hi] != e[:, :16]).any(axis=1))
                            assert bad.size == 0, f'/columns rows {(bad[:5] + lo).tolist()} differ'
                        chunks = sum(d.id.get_chunk_info(i).size for d in (a, c) for i in range(d.id.get_num_chunks()))
                    # Space written by killed attempts is reused: what holds no chunk (metadata and
                    # holes) stays small however many kills the round took.
                    other = os.path.getsize(sys.argv[1]) - chunks
                    assert other <= (1 << 20) + chunks // 4, f'{other} bytes of the file hold no chunk ({chunks} do)'
                    """, out, rows, appendedChunks, columnChunks, profile == Profile.LATEST ? 3 : 0);
        } catch (AssertionError e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
        try (HdfFile file = new HdfFile(out)) {
            assertMatrix(file.getDatasetByPath(StreamingCrashJob.APPENDED), rows, StreamingCrashJob.CHANNELS, where);
            assertMatrix(file.getDatasetByPath(StreamingCrashJob.COLUMNS), rows, StreamingCrashJob.COLUMN_COUNT, where);
        }
        Path staging = round.resolve(".hdf5-staging");
        List<Path> known = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        if (Files.isDirectory(staging)) {
            try (Stream<Path> left = Files.list(staging)) {
                for (Path p : left.sorted().toList()) {
                    String name = p.getFileName().toString();
                    int dash = name.indexOf('-');
                    if (dash > 0 && knownLeaks.contains(name.substring(0, dash))) known.add(p);
                    // The output's space ledger stays while it records space such writers claimed,
                    // and with it the lock its committers take turns under.
                    else if (!knownLeaks.isEmpty() && (name.endsWith(".space") || name.endsWith(".space.lock")
                            || name.endsWith(".commit.lock"))) known.add(p);
                    else unexpected.add(name);
                }
            }
        }
        assertEquals(List.of(), unexpected, where + ": staging files left behind");
        return known;
    }

    /** jhdf's reading of a dataset equals the expected rows. */
    private static void assertMatrix(Dataset d, long rows, int columns, String where) {
        assertArrayEquals(new int[] {(int) rows, columns}, d.getDimensions(), where + ": jhdf shape of " + d.getPath());
        short[][] data = (short[][]) d.getData();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (data[r][c] != StreamingCrashJob.value(r, c)) {
                    fail(where + ": jhdf reads " + data[r][c] + " at (" + r + ", " + c + ") of " + d.getPath() + ", expected "
                            + StreamingCrashJob.value(r, c));
                }
            }
        }
    }
}
