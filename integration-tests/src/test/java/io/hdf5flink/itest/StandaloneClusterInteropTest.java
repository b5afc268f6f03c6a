package io.hdf5flink.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convert} on a real standalone Flink cluster of separate processes
 * ({@link StandaloneCluster}), submitted with the Flink CLI as the cluster jar: writers in two
 * TaskManager processes write their chunks in place into one output file, coordinating through
 * the file's space ledger across processes, and one TaskManager is killed with SIGKILL after a
 * checkpoint. The cluster restarts the job on a new TaskManager from that checkpoint; the output
 * must equal the input (h5py), hold no space beyond its chunks but a bounded amount, and leave no
 * staging files behind. The same for a SQL {@code INSERT} run by the {@code sql} command.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandaloneClusterInteropTest {
    static final Path CLUSTER_JAR = Path.of("../examples/target/flink-hdf5-examples-cluster.jar").toAbsolutePath().normalize();

    @TempDir Path dir;

    @Test
    void convertSurvivesATaskManagerKilledAfterACheckpoint() throws Exception {
        Path in = recording(5);
        Path out = dir.resolve("out.h5");
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 2)) {
            String clientLog = convertKillingATaskManager(cluster, dir.resolve("out.h5.checkpoints"), "--input", in.toString(),
                    "--output", out.toString(), "--parallelism", "4", "--chunks", "8192,64", "--codec", "gzip:9", "--shuffle",
                    "--checkpoint-interval", "500ms");
            assertTrue(clientLog.contains("converted 750,000 rows"), clientLog);
            for (String taskManager : new String[] {"taskmanager-0", "taskmanager-1"}) {
                assertTrue(cluster.log(taskManager).contains("Writer ("), taskManager + " ran no writer");
            }
            // gzip 9 runs on libdeflate, whose native library must load inside Flink's user-code
            // class loader too (jlibdeflate extracts it to a file of its own for each loader). Each
            // TaskManager says so when its first chunk is compressed; TaskManager 0 is killed
            // after the first checkpoint, possibly before it compressed a whole chunk.
            String taskManagers = cluster.log("taskmanager-1") + cluster.log("taskmanager-2");
            assertTrue(taskManagers.contains("use libdeflate"), "no TaskManager compressed with libdeflate: "
                    + taskManagers.lines().filter(l -> l.contains("io.hdf5flink")).limit(20).toList());
            assertFalse((cluster.log("taskmanager-0") + taskManagers).contains("libdeflate is unusable"));
        }
        H5py.check("""
                import os
                a = np.load(sys.argv[1]); f = h5py.File(sys.argv[2], 'r'); d = f['/data']
                assert d.shape == a.shape and d.chunks == (8192, 64), (d.shape, d.chunks)
                assert np.array_equal(d[:], a), 'the output differs from the input'
                stored = d.id.get_storage_size(); size = os.path.getsize(sys.argv[2])
                assert size - stored <= (1 << 20) + stored // 4, ('bytes that are not chunks', size - stored, stored)
                """, in, out);
        try (Stream<Path> staging = Files.exists(dir.resolve(".hdf5-staging")) ? Files.list(dir.resolve(".hdf5-staging")) : Stream.empty()) {
            assertEquals(0, staging.count(), "staging files left behind");
        }
        assertTrue(Files.notExists(dir.resolve("out.h5.checkpoints")), "a finished conversion removes its checkpoints");
    }

    /**
     * {@code in.npy}: 96 MB of int16 like a recording (sines plus noise from {@code seed}), which a
     * slow codec (gzip 9) keeps converting for several checkpoints on two cores.
     */
    private Path recording(int seed) {
        Path in = dir.resolve("in.npy");
        H5py.check("""
                n = 750_000; t = np.arange(n)[:, None]
                a = (1000 * np.sin(t * 0.01 + np.arange(64)[None, :]) + np.random.default_rng(int(sys.argv[2])).normal(0, 30, (n, 64)))
                np.save(sys.argv[1], a.astype('<i2'))
                """, in, seed);
        return in;
    }

    /**
     * Runs {@code convert ARGS} on the cluster, kills TaskManager 0 with SIGKILL once a checkpoint
     * is in {@code checkpoints}, adds a TaskManager for the restarted job's slots, and waits for the
     * job: it must end with exit 0, restored from a checkpoint. Returns the client's log.
     */
    private static String convertKillingATaskManager(StandaloneCluster cluster, Path checkpoints, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "convert";
        System.arraycopy(args, 0, command, 1, args.length);
        Process client = cluster.run(CLUSTER_JAR, command);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (OutputWatch.newestCheckpoint(checkpoints) < 1 && client.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(client.isAlive(), "the job ended before its first checkpoint: " + cluster.log("client"));
        assertTrue(OutputWatch.newestCheckpoint(checkpoints) >= 1, "no checkpoint in 120 s: " + cluster.log("jobmanager"));
        cluster.killTaskManager(0);
        cluster.addTaskManager(); // the slots the restarted job needs

        assertTrue(client.waitFor(4, TimeUnit.MINUTES), "the job did not finish: " + cluster.log("jobmanager"));
        String clientLog = cluster.log("client");
        assertEquals(0, client.exitValue(), clientLog);
        assertTrue(cluster.log("jobmanager").contains("Restoring job"), "the job was not restored from a checkpoint");
        return clientLog;
    }

    /**
     * {@code convert --rows-per-file} on the cluster: four data files written by writers in both
     * TaskManager processes and committed by committer subtasks in both (whose master rebuilds take
     * turns through a lock file), a TaskManager killed after a checkpoint. The three full data
     * files must be committed and released, the master's virtual dataset must equal the input
     * (h5py), each data file its rows.
     */
    @Test
    void aRolledConversionCommitsItsFilesOnBothTaskManagersAndSurvivesOneKilled() throws Exception {
        Path in = recording(6);
        Path out = dir.resolve("rec.h5");
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 2)) {
            String clientLog = convertKillingATaskManager(cluster, dir.resolve("rec.h5.checkpoints"), "--input", in.toString(),
                    "--output", out.toString(), "--parallelism", "4", "--chunks", "8192,64", "--codec", "gzip:9", "--shuffle",
                    "--rows-per-file", "196608", "--checkpoint-interval", "500ms");
            assertTrue(clientLog.contains("converted 750,000 rows"), clientLog);
            java.util.Set<String> released = new java.util.TreeSet<>();
            int taskManagersReleasing = 0;
            for (String taskManager : new String[] {"taskmanager-0", "taskmanager-1", "taskmanager-2"}) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(rec_00000\\d\\.h5) is final").matcher(cluster.log(taskManager));
                boolean any = false;
                while (m.find()) {
                    released.add(m.group(1));
                    any = true;
                }
                if (any) taskManagersReleasing++;
            }
            assertEquals(java.util.Set.of("rec_000001.h5", "rec_000002.h5", "rec_000003.h5"), released, "the full data files");
            assertTrue(taskManagersReleasing >= 2, "the data files were committed in one TaskManager only");
        }
        H5py.check("""
                a = np.load(sys.argv[1])
                with h5py.File(sys.argv[2], 'r') as f:
                    d = f['/data']
                    assert d.is_virtual and d.shape == a.shape, d.shape
                    assert np.array_equal(d[:], a), 'the master differs from the input'
                for k in range(4):
                    with h5py.File(sys.argv[2][:-3] + '_%06d.h5' % (k + 1), 'r') as g:
                        assert np.array_equal(g['/data'][:], a[k * 196608:(k + 1) * 196608]), k
                """, in, out);
        try (Stream<Path> staging = Files.exists(dir.resolve(".hdf5-staging")) ? Files.list(dir.resolve(".hdf5-staging")) : Stream.empty()) {
            assertEquals(0, staging.count(), "staging files left behind");
        }
    }

    /**
     * The {@code sql} command under {@code flink run}: an INSERT of 1,500,000 rows from Flink's
     * datagen into an hdf5 table of two datasets (layout 'columns'), the table factory and the
     * table sink found in the cluster jar, the planner on the cluster's classpath as in a Flink
     * distribution's lib/. A TaskManager killed after a checkpoint: the job restores and h5py finds
     * every row once, the two datasets aligned.
     */
    @Test
    void aSqlInsertSurvivesATaskManagerKilledAfterACheckpoint() throws Exception {
        long rows = 1_500_000;
        String array = java.util.stream.IntStream.range(0, 16).mapToObj(k -> "CAST(MOD(t * " + (k + 1) + ", 1000) AS SMALLINT)")
                .collect(java.util.stream.Collectors.joining(", "));
        Path script = Files.writeString(dir.resolve("job.sql"), String.join("\n",
                "CREATE TABLE clock (t BIGINT NOT NULL) WITH ('connector' = 'datagen', 'fields.t.kind' = 'sequence',",
                "  'fields.t.start' = '0', 'fields.t.end' = '" + (rows - 1) + "', 'rows-per-second' = '100000');",
                "CREATE TABLE rec (t BIGINT NOT NULL, a ARRAY<SMALLINT NOT NULL> NOT NULL) WITH ('connector' = 'hdf5',",
                "  'path' = '" + dir + "', 'file' = 'sql.h5', 'dataset' = '/rec', 'columns.a.shape' = '16',",
                "  'chunks' = '16384', 'compression' = 'gzip:6');",
                "INSERT INTO rec SELECT t, ARRAY[" + array + "] FROM clock;"));
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 2)) {
            Process client = cluster.run(CLUSTER_JAR, "sql", "--file", script.toString(), "--parallelism", "4",
                    "--checkpoint-interval", "500ms", "--no-progress");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!cluster.log("jobmanager").contains("Completed checkpoint") && client.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(client.isAlive(), "the job ended before its first checkpoint: " + cluster.log("client"));
            assertTrue(cluster.log("jobmanager").contains("Completed checkpoint"), "no checkpoint in 120 s: " + cluster.log("jobmanager"));
            cluster.killTaskManager(0);
            cluster.addTaskManager();

            assertTrue(client.waitFor(4, TimeUnit.MINUTES), "the job did not finish: " + cluster.log("jobmanager"));
            String clientLog = cluster.log("client");
            assertEquals(0, client.exitValue(), clientLog);
            assertTrue(clientLog.contains("sql: INSERT INTO rec SELECT t, ARRAY[") && clientLog.contains(": finished in"), clientLog);
            assertTrue(cluster.log("jobmanager").contains("Restoring job"), "the job was not restored from a checkpoint");
        }
        assertEquals("1500000 rows once, aligned", H5py.check("""
                f = h5py.File(sys.argv[1], 'r'); t = f['/rec/t'][:]; a = f['/rec/a'][:]
                assert (np.sort(t) == np.arange(int(sys.argv[2]))).all(), 'rows lost or doubled'
                assert (a == (t[:, None] * np.arange(1, 17)[None, :]) % 1000).all(), 'datasets not aligned'
                print(len(t), 'rows once, aligned')
                """, dir.resolve("sql.h5"), rows).strip());
    }
}
