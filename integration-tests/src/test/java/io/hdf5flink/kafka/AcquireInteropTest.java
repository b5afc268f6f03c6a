package io.hdf5flink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.examples.AcquisitionProducerExample;
import io.hdf5flink.hdf5.testing.KilledProcesses;
import io.hdf5flink.itest.H5py;
import io.hdf5flink.itest.PageCache;
import io.hdf5flink.itest.SwmrReader;
import io.hdf5flink.source.message.NpyMessages;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-hdf5 acquire} against a real Kafka broker (KRaft, a child JVM from Maven
 * artifacts, {@link KafkaBroker}), the job jar run as users run it ({@code java -jar}), and h5py
 * as the judge of every file: a million rows from three partitions at parallelism 1 and 3, a
 * stopped acquisition continued, SIGKILLs at random moments while a producer streams, a broker
 * restart under a live h5py reader, and bad messages failing the run or set aside.
 *
 * <p>The producer is {@link AcquisitionProducerExample}: sample {@code (short) (row * 31 + channel * 7)}
 * of every stream, so every dataset is checked against one formula ({@link #CHECK_PREFIX}).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AcquireInteropTest {
    static final Path JAR = Path.of("../examples/target/flink-hdf5-examples.jar").toAbsolutePath().normalize();
    private static final int CHANNELS = 4;
    /** Kills of the default run; more with {@code -Dacquire.kills=N}. */
    private static final int KILLS = Integer.getInteger("acquire.kills", 6);

    /**
     * h5py: each dataset named in {@code argv[3:]} of the file {@code argv[1]} holds rows
     * {@code [0, n)} of the producer's formula, with {@code n} exactly {@code argv[2]} (or any
     * {@code n} when it is -1); prints each dataset's {@code n}.
     */
    private static final String CHECK_PREFIX = """
            path, exact = sys.argv[1], int(sys.argv[2])
            counts = []
            with h5py.File(path, 'r') as f:
                for name in sys.argv[3:]:
                    d = f[name]
                    assert d.dtype == np.int16 and d.ndim == 2 and d.shape[1] == %d, (name, d.dtype, d.shape)
                    n = d.shape[0]
                    assert exact < 0 or n == exact, f'{name}: {n} rows, {exact} expected'
                    r = np.arange(n, dtype=np.int64)[:, None] * 31 + np.arange(d.shape[1], dtype=np.int64)[None, :] * 7
                    want = (r & 0xFFFF).astype(np.uint16).view(np.int16)
                    got = d[:]
                    bad = np.nonzero(np.any(got != want, axis=1))[0]
                    assert bad.size == 0, f'{name}: {bad.size} of {n} rows differ from the producer, the first row {bad[0]}: {got[bad[0]]} instead of {want[bad[0]]}'
                    counts.append(n)
            print(' '.join(map(str, counts)))
            """.formatted(CHANNELS);

    static KafkaBroker broker;

    @TempDir Path dir;

    @BeforeAll
    static void startBroker(@TempDir Path brokerDir) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build the examples module first (mvn package)");
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) broker.close();
    }

    record Run(int exit, String out, String err) {}

    private Process start(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", KilledProcesses.tmpdirIn(dir), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private Run finish(String name, Process p) throws Exception {
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not end in 240 s: " + Files.readString(dir.resolve(name + ".err")));
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve(name + ".out")), Files.readString(dir.resolve(name + ".err")));
    }

    private Run acquire(String name, String... args) throws Exception {
        return finish(name, start(name, args));
    }

    private static List<String> acquireArgs(String topic, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("acquire", "--bootstrap-servers", broker.bootstrapServers(), "--topic", topic,
                "--output", out.toString(), "--no-progress"));
        a.addAll(List.of(more));
        return a;
    }

    private static long produce(String topic, double seconds, int streams, boolean realtime) throws Exception {
        return AcquisitionProducerExample.run(new AcquisitionProducerExample.Plan(broker.bootstrapServers(), topic, "ephys", seconds,
                streams, realtime, "/data", CHANNELS, 0), new PrintStream(PrintStream.nullOutputStream()));
    }

    /** One block of rows {@code [firstRow, firstRow + 300)} to each of {@code streams} datasets {@code /data_<i>}, partition i. */
    private static void send(String topic, int streams, long firstRow) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int s = 0; s < streams; s++) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, s, null,
                        AcquisitionProducerExample.ephysBlock(firstRow, AcquisitionProducerExample.EPHYS_BLOCK_ROWS, CHANNELS));
                r.headers().add(NpyMessages.DATASET, ("/data_" + s).getBytes(StandardCharsets.UTF_8));
                producer.send(r).get();
            }
        }
    }

    private static String check(Path out, long exact, String... datasets) {
        Object[] args = new Object[2 + datasets.length];
        args[0] = out;
        args[1] = exact;
        System.arraycopy(datasets, 0, args, 2, datasets.length);
        return H5py.check(CHECK_PREFIX, args).strip();
    }

    /** Issue 15, test 1: a million rows from three partitions, at parallelism 1 and 3; then the stopped acquisition continued. */
    @Test
    void aMillionRowsFromThreePartitionsAtParallelismOneAndThree() throws Exception {
        broker.createTopic("million", 3);
        produce("million", 11.12, 3, false); // 1112 blocks of 300 rows, per stream: 3 x 333,600 rows
        for (int parallelism : new int[] {1, 3}) {
            Path out = dir.resolve("million-p" + parallelism + ".h5");
            Run r = acquire("million-p" + parallelism, acquireArgs("million", out, "--parallelism", String.valueOf(parallelism),
                    "--group-id", "p" + parallelism, "--stop-after-idle", "2s", "--codec", "lz4").toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("acquired 1,000,800 rows"), r.out());
            assertEquals("333600 333600 333600", check(out, 333_600, "/data_0", "/data_1", "/data_2"));
        }
        // The same command again, after more messages: it continues from its savepoint, exactly.
        send("million", 3, 333_600); // one more block per stream
        Path out = dir.resolve("million-p1.h5");
        Run again = acquire("million-p1-again", acquireArgs("million", out, "--parallelism", "1", "--group-id", "p1",
                "--stop-after-idle", "2s", "--codec", "lz4").toArray(String[]::new));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("continuing from checkpoint"), again.err());
        assertTrue(again.out().contains("acquired 900 rows"), again.out());
        assertEquals("333900 333900 333900", check(out, 333_900, "/data_0", "/data_1", "/data_2"));
    }

    /** Issue 15, test 2: SIGKILL at random moments while a producer streams; each kill leaves a correct prefix, the end every row. */
    @Test
    void killedAtRandomMomentsItLosesAndDoublesNothing() throws Exception {
        broker.createTopic("kills", 2);
        double seconds = 8 + KILLS * 3.5;
        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
            try {
                return produce("kills", seconds, 2, true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Path out = dir.resolve("killed.h5");
        String[] args = acquireArgs("kills", out, "--parallelism", "2", "--checkpoint-interval", "300ms", "--codec", "gzip:1",
                "--chunk-bytes", "64kb").toArray(String[]::new);
        SplittableRandom random = new SplittableRandom(Long.getLong("acquire.seed", System.nanoTime()));
        long previous = 0;
        int kills = 0;
        List<String> seen = new ArrayList<>();
        while (kills < KILLS) {
            Process p = start("killed-" + kills, args);
            Thread.sleep(3000 + random.nextInt(3000));
            if (!p.isAlive()) throw new AssertionError("acquire ended by itself: " + Files.readString(dir.resolve("killed-" + kills + ".err")));
            p.destroyForcibly().waitFor();
            kills++;
            if (!Files.exists(out)) continue;
            String counts = check(out, -1, datasetsIn(out));
            seen.add(counts);
            long rows = counts.isEmpty() ? 0 : Long.parseLong(counts.split(" ")[0]);
            assertTrue(rows >= previous, "a kill lost committed rows: " + seen);
            previous = rows;
        }
        long rowsPerStream = producing.get(5, TimeUnit.MINUTES);
        Run last = acquire("killed-last", acquireArgs("kills", out, "--parallelism", "2", "--checkpoint-interval", "300ms", "--codec",
                "gzip:1", "--chunk-bytes", "64kb", "--stop-after-idle", "2s").toArray(String[]::new));
        assertEquals(0, last.exit(), last.err());
        System.out.printf("acquire: %d kills, prefixes seen %s, then %d rows per stream%n", kills, seen, rowsPerStream);
        assertEquals(rowsPerStream + " " + rowsPerStream, check(out, rowsPerStream, "/data_0", "/data_1"));
    }

    private static String[] datasetsIn(Path out) {
        String names = H5py.check("""
                with h5py.File(sys.argv[1], 'r') as f:
                    print(' '.join(sorted(k for k in f.keys())))
                """, out).strip();
        return names.isEmpty() ? new String[0] : java.util.Arrays.stream(names.split(" ")).map(n -> "/" + n).toArray(String[]::new);
    }

    /** Issue 15, tests 3 and 5: the broker restarts mid-run while h5py reads the file live; it never sees a wrong row. */
    @Test
    void aBrokerRestartUnderALiveReaderLosesNothingAndShowsNothingFalse() throws Exception {
        String[] seen = watchAcquisition("restart", 14, () -> {
            Thread.sleep(5000);
            broker.stop();
            Thread.sleep(3000);
            broker.restart();
        }, """
                import os, sys, time, h5py, numpy as np
                out, stop, channels = sys.argv[1], sys.argv[2], int(sys.argv[3])
                shown, looks, sizes, torn = 0, 0, set(), 0
                def look():
                    global shown, looks, torn
                    if not os.path.exists(out): return
                    try:
                        with h5py.File(out, 'r') as f:
                            if 'data' not in f: return
                            d = f['data']; n = d.shape[0]; v = d[:n]
                    except (OSError, RuntimeError) as e:  # RuntimeError: met while looking up the link to a dataset being created
                        assert 'addr overflow' in str(e), e  # a commit between opening and reading (no SWMR): refused, never wrong
                        torn += 1; return
                    assert n >= shown, f'{shown} rows were shown, then {n}'
                    r = np.arange(n, dtype=np.int64)[:, None] * 31 + np.arange(channels, dtype=np.int64)[None, :] * 7
                    assert np.array_equal(v, (r & 0xFFFF).astype(np.uint16).view(np.int16)), f'of {n} rows shown, some are wrong'
                    shown = n; looks += 1; sizes.add(n)
                while not os.path.exists(stop):
                    look(); time.sleep(0.05)
                look()
                print(looks, len(sizes), shown, torn)
                """, List.of(String.valueOf(CHANNELS)));
        System.out.printf("acquire, broker restarted: live reader %s looks (%s sizes), %s refused as torn; %s rows%n", seen[0], seen[1],
                seen[3], seen[4]);
        assertTrue(Integer.parseInt(seen[1]) >= 3, "the reader saw the dataset grow: " + String.join(" ", seen));
    }

    /**
     * Issue 18: a live acquisition into {@code --format latest} (superblock 3, flagged for SWMR
     * writing while it runs) watched by an h5py reader in SWMR mode in a child process: it opens
     * the file once, calls {@code refresh()} in a loop, and must see a growing prefix of the rows,
     * each one right, and never an error.
     */
    @Test
    void anH5pySwmrReaderWatchesALatestFormatAcquisition() throws Exception {
        String[] seen = watchAcquisition("swmr", 6, () -> { }, SwmrReader.script(), List.of("pattern", String.valueOf(CHANNELS)),
                "--format", "latest");
        System.out.printf("acquire --format latest: SWMR reader %s looks (%s sizes), never an error; %s rows%n", seen[0], seen[1],
                seen[3]);
        assertTrue(Integer.parseInt(seen[1]) >= 3, "the reader saw the dataset grow: " + String.join(" ", seen));
    }

    /** What happens while an acquisition runs, besides the producer streaming. */
    private interface Meanwhile {
        void run() throws Exception;
    }

    /**
     * A producer streams {@code seconds} of rows in real time into a new one-partition topic while
     * {@code acquire} (parallelism 1, 200 ms checkpoints, 64 KB chunks, {@code options}) writes
     * {@code NAME.h5} and {@code reader} (Python: the output, the file whose appearance says
     * acquire ended, then {@code readerArgs}) watches it in a child process; {@code meanwhile} runs
     * after acquire started. Both must exit 0, h5py must find every row produced, and the reader's
     * last look must show them all.
     *
     * @return what the reader printed, split at spaces, then the rows produced
     */
    private String[] watchAcquisition(String name, double seconds, Meanwhile meanwhile, String reader, List<String> readerArgs,
            String... options) throws Exception {
        broker.createTopic(name, 1);
        Path out = dir.resolve(name + ".h5");
        Path stop = dir.resolve(name + ".stop");
        Path script = dir.resolve(name + "_reader.py");
        Files.writeString(script, reader);
        List<String> command = new ArrayList<>(List.of(io.hdf5flink.hdf5.testing.ReferenceLibrary.PYTHON, script.toString(),
                out.toString(), stop.toString()));
        command.addAll(readerArgs);
        Process watching = new ProcessBuilder(command).redirectOutput(dir.resolve(name + "-reader.out").toFile())
                .redirectError(dir.resolve(name + "-reader.err").toFile()).start();
        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
            try {
                return produce(name, seconds, 1, true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        List<String> args = acquireArgs(name, out, "--parallelism", "1", "--checkpoint-interval", "200ms", "--chunk-bytes", "64kb",
                "--stop-after-idle", "3s");
        args.addAll(List.of(options));
        Process acquiring = start(name, args.toArray(String[]::new));
        meanwhile.run();
        long rows = producing.get(5, TimeUnit.MINUTES);
        Run r = finish(name, acquiring);
        Files.writeString(stop, "");
        assertTrue(watching.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, watching.exitValue(), Files.readString(dir.resolve(name + "-reader.err")));
        assertEquals(String.valueOf(rows), check(out, rows, "/data"));
        List<String> seen = new ArrayList<>(List.of(Files.readString(dir.resolve(name + "-reader.out")).strip().split(" ")));
        assertEquals(String.valueOf(rows), seen.get(2), "the reader's last look shows every row");
        seen.add(String.valueOf(rows));
        return seen.toArray(String[]::new);
    }

    /**
     * Detector frames (the producer's 512 x 512 uint16 at 100 Hz, one frame per message) rolled
     * over data files of 40 frames under a virtual-dataset master, as EIGER and odin-data users
     * lay them out: h5py reads every frame through the master and each data file on its own.
     */
    @Test
    void detectorFramesRolledOverDataFilesUnderAVirtualDatasetMaster() throws Exception {
        broker.createTopic("frames", 1);
        AcquisitionProducerExample.run(new AcquisitionProducerExample.Plan(broker.bootstrapServers(), "frames", "frames", 1.0, 1,
                false, "/entry/data/data", 0, 0), new PrintStream(PrintStream.nullOutputStream()));
        Path out = dir.resolve("scan.h5");
        Run r = acquire("frames", acquireArgs("frames", out, "--parallelism", "2", "--dataset", "/entry/data/data", "--dtype", "uint16",
                "--rows-per-file", "40", "--chunk-bytes", "512kb", "--codec", "lz4", "--stop-after-idle", "2s").toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        H5py.check("""
                import os
                master = sys.argv[1]
                n = np.arange(100, dtype=np.int64)[:, None, None]; y = np.arange(512)[None, :, None]; x = np.arange(512)[None, None, :]
                want = ((n * 3 + y * 512 + x) & 0xFFFF).astype(np.uint16)
                with h5py.File(master, 'r') as f:
                    d = f['/entry/data/data']
                    assert d.is_virtual and d.shape == (100, 512, 512) and d.dtype == np.uint16, (d.is_virtual, d.shape, d.dtype)
                    assert np.array_equal(d[:], want), 'frames read through the master differ'
                base = master[:-3]
                for k, rows in enumerate([40, 40, 20]):
                    with h5py.File(f'{base}_{k + 1:06d}.h5', 'r') as f:
                        d = f['/entry/data/data']
                        assert d.shape == (rows, 512, 512) and d.chunks == (1, 512, 512), (k, d.shape, d.chunks)
                        assert np.array_equal(d[:], want[40 * k:40 * k + rows]), f'data file {k + 1} differs'
                assert not os.path.exists(f'{base}_000004.h5')
                """, out);
    }

    /**
     * Ctrl-C (SIGINT) while a producer streams: {@code acquire} stops with a drained savepoint, so
     * the file holds exactly the rows its summary counts, every one right; the same command later
     * continues to the end, nothing lost or doubled.
     */
    @Test
    void ctrlCCommitsEveryRowReadAndTheSameCommandContinues() throws Exception {
        broker.createTopic("ctrlc", 1);
        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
            try {
                return produce("ctrlc", 10, 1, true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Path out = dir.resolve("ctrlc.h5");
        String[] args = acquireArgs("ctrlc", out, "--parallelism", "1", "--checkpoint-interval", "500ms", "--chunk-bytes", "64kb")
                .toArray(String[]::new);
        Process p = start("ctrlc", args);
        Thread.sleep(6000);
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        Run stopped = finish("ctrlc", p);
        assertEquals(0, stopped.exit(), stopped.err());
        assertTrue(stopped.err().contains("acquire: stopping: committing every row read"), stopped.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("acquired ([0-9,]+) rows").matcher(stopped.out());
        assertTrue(m.find() && stopped.out().contains("stopped by Ctrl-C"), stopped.out());
        long shown = Long.parseLong(m.group(1).replace(",", ""));
        assertTrue(shown > 0, stopped.out());
        assertEquals(String.valueOf(shown), check(out, shown, "/data"), "the file holds exactly the rows read, every one");
        long rows = producing.get(2, TimeUnit.MINUTES);
        Run rest = acquire("ctrlc-rest", acquireArgs("ctrlc", out, "--parallelism", "1", "--checkpoint-interval", "500ms",
                "--chunk-bytes", "64kb", "--stop-after-idle", "2s").toArray(String[]::new));
        assertEquals(0, rest.exit(), rest.err());
        assertEquals(String.valueOf(rows), check(out, rows, "/data"));
    }

    /**
     * {@code --no-direct-io} reaches the sink: its output stays in the page cache (for a reader on
     * the same machine), where by default the pages inside 1 MB chunks go past it. Measured with
     * {@code fincore}, before anything reads the files.
     */
    @Test
    void noDirectIoKeepsTheOutputInThePageCache() throws Exception {
        broker.createTopic("pagecache", 1);
        long rows = produce("pagecache", 30, 1, false); // 900,000 rows of 4 int16: 7.2 MB
        Path past = dir.resolve("past.h5");
        Path through = dir.resolve("through.h5");
        for (Path out : List.of(past, through)) {
            List<String> args = acquireArgs("pagecache", out, "--parallelism", "1", "--group-id", out.getFileName().toString(),
                    "--stop-after-idle", "2s", "--codec", "none", "--chunk-bytes", "1mb");
            if (out == through) args.add("--no-direct-io");
            Run r = acquire(out.getFileName().toString(), args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
        }
        long pastResident = PageCache.residentBytes(past);
        long throughResident = PageCache.residentBytes(through);
        assertTrue(pastResident < Files.size(past) / 2, "past the page cache by default, yet " + pastResident + " of "
                + Files.size(past) + " bytes are cached");
        assertTrue(throughResident > Files.size(through) * 9 / 10, "--no-direct-io, yet only " + throughResident + " of "
                + Files.size(through) + " bytes are cached");
        assertEquals(String.valueOf(rows), check(past, rows, "/data"));
        assertEquals(String.valueOf(rows), check(through, rows, "/data"));
    }

    /** Issue 15, test 4: bad messages fail the run naming topic, partition and offset, or are set aside and counted. */
    @Test
    void badMessagesFailTheRunOrAreSetAside() throws Exception {
        broker.createTopic("bad", 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>("bad", AcquisitionProducerExample.ephysBlock(0, 300, CHANNELS))).get();
            producer.send(new ProducerRecord<>("bad", "not an array".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>("bad", AcquisitionProducerExample.ephysBlock(300, 300, CHANNELS + 1))).get();
            ProducerRecord<byte[], byte[]> misspelt = new ProducerRecord<>("bad", AcquisitionProducerExample.ephysBlock(300, 300, CHANNELS));
            misspelt.headers().add(NpyMessages.PREFIX + "datset", "/data".getBytes(StandardCharsets.UTF_8));
            producer.send(misspelt).get();
            producer.send(new ProducerRecord<>("bad", AcquisitionProducerExample.ephysBlock(300, 300, CHANNELS))).get();
        }
        Run failed = acquire("bad-fail", acquireArgs("bad", dir.resolve("bad-fail.h5"), "--parallelism", "1", "--stop-after-idle", "2s")
                .toArray(String[]::new));
        assertEquals(1, failed.exit(), failed.err());
        assertTrue(failed.err().contains("bad message at topic bad partition 0 offset 1: the value is not a .npy array"), failed.err());

        Path out = dir.resolve("bad-aside.h5");
        Run aside = acquire("bad-aside", acquireArgs("bad", out, "--parallelism", "1", "--stop-after-idle", "2s", "--bad-messages",
                "set-aside").toArray(String[]::new));
        assertEquals(0, aside.exit(), aside.err());
        assertTrue(aside.err().contains("rejected topic bad partition 0 offset 1"), aside.err());
        assertTrue(aside.err().contains("rejected topic bad partition 0 offset 2 (") && aside.err().contains("/data takes rows of int16 [4]"),
                aside.err());
        assertTrue(aside.err().contains("offset 3 (") && aside.err().contains("unknown header hdf5.datset"), aside.err());
        assertTrue(aside.out().contains("3 bad messages set aside"), aside.out());
        assertEquals("600", check(out, 600, "/data"));
    }
}
