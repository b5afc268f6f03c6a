package io.hdf5flink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.examples.AcquisitionProducerExample;
import io.hdf5flink.itest.H5py;
import io.hdf5flink.itest.StandaloneCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acquire} under {@code flink run} on a standalone cluster of separate processes
 * ({@link StandaloneCluster}, whose classpath has no Kafka: the cluster jar must bring the
 * connector and the client), reading from a real broker while a producer streams, with a
 * TaskManager killed with SIGKILL after a checkpoint. The cluster restarts the job from that
 * checkpoint; {@code --stop-after-idle} then stops it (waiting, under flink run, for the offsets
 * Flink commits to Kafka) and h5py finds every produced row once, in order.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AcquireClusterInteropTest {
    static final Path CLUSTER_JAR = Path.of("../examples/target/flink-hdf5-examples-cluster.jar").toAbsolutePath().normalize();
    private static final int CHANNELS = 4;

    @TempDir Path dir;

    @Test
    void acquireUnderFlinkRunSurvivesATaskManagerKilledAfterACheckpoint() throws Exception {
        Path out = dir.resolve("cluster.h5");
        long rows;
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
            broker.createTopic("cluster", 2);
            CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> {
                try {
                    return AcquisitionProducerExample.run(new AcquisitionProducerExample.Plan(broker.bootstrapServers(), "cluster", "ephys",
                            15, 2, true, "/data", CHANNELS, 0), new PrintStream(PrintStream.nullOutputStream()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), 2, 2)) {
                Process client = cluster.run(CLUSTER_JAR, "acquire", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "cluster",
                        // Parallelism 4 fills both TaskManagers' slots: the one killed runs part of the job.
                        "--output", out.toString(), "--parallelism", "4", "--checkpoint-interval", "500ms", "--chunk-bytes", "64kb",
                        "--stop-after-idle", "3s", "--no-progress");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!cluster.log("jobmanager").contains("Completed checkpoint") && client.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(client.isAlive(), "the job ended before its first checkpoint: " + cluster.log("client"));
                cluster.killTaskManager(0);
                cluster.addTaskManager();
                rows = producing.get(2, TimeUnit.MINUTES);
                assertTrue(client.waitFor(3, TimeUnit.MINUTES), "the job did not stop: " + cluster.log("jobmanager"));
                String clientLog = cluster.log("client");
                assertEquals(0, client.exitValue(), clientLog);
                assertTrue(clientLog.contains("acquired on the cluster in") && clientLog.contains("stopped after 0:03 without messages"),
                        clientLog);
                assertTrue(cluster.log("jobmanager").contains("Restoring job"), "the job was not restored from a checkpoint");
                assertTrue(cluster.log("taskmanager-0").contains("decode .npy messages"), "the killed TaskManager ran no part of the job");
            }
        }
        assertEquals(rows + " " + rows, H5py.check("""
                counts = []
                with h5py.File(sys.argv[1], 'r') as f:
                    for name in ('data_0', 'data_1'):
                        d = f[name]; n = d.shape[0]
                        r = np.arange(n, dtype=np.int64)[:, None] * 31 + np.arange(d.shape[1], dtype=np.int64)[None, :] * 7
                        assert np.array_equal(d[:], (r & 0xFFFF).astype(np.uint16).view(np.int16)), f'{name}: rows lost or doubled'
                        counts.append(n)
                print(*counts)
                """, out).strip());
    }
}
