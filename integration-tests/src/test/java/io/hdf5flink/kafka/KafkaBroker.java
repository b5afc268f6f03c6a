package io.hdf5flink.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker for tests: one KRaft node (broker and controller in one process, no
 * ZooKeeper) in a child JVM on this machine, started from the Maven artifacts on the test classpath
 * ({@code kafka_2.13}, the same version as the {@code kafka-clients} that flink-connector-kafka is
 * built on). No Docker, no Testcontainers, no embedded in-process broker: the broker is the program
 * users run ({@code kafka.Kafka server.properties}), and it can be stopped, killed with SIGKILL and
 * started again on the same ports and log directories, so tests can take it away from a Flink job
 * and give it back as a real outage would.
 *
 * <p>The configuration is a single node's: every internal topic has one replica (and one
 * partition, which makes the first consumer group or transaction quick), topics are never created
 * on first use ({@link #createTopic} creates them), records are never deleted for age, and the
 * JVM is kept small ({@code -Xmx512m}, the serial collector) for a two-core machine. The broker's
 * session with its controller times out after 4 s (not 9), which is how long a start after a SIGKILL
 * waits before the new broker may register. The broker's stdout and stderr (slf4j-simple at info)
 * go to {@code broker.log} in the data directory, appended across restarts; a broker that does not
 * come up fails with the errors it logged and the log's tail.
 *
 * <p>It starts in about 3 s on two cores (formatting a new one takes another second).
 */
final class KafkaBroker implements AutoCloseable {
    /** How long {@link #start} and {@link #restart} wait for the broker to answer. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #stop} waits for a graceful shutdown before it kills the broker. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-Dorg.slf4j.simpleLogger.logFile=System.out");

    private final Path dataDir;
    private final Path serverProperties;
    private final Path log;
    private final int port;
    /** The running broker's JVM, or the last one; read by the shutdown hook. */
    private volatile Process process;
    /** Where this run's lines begin in {@link #log} (the log is appended to across restarts). */
    private int logLinesBeforeLaunch;

    private KafkaBroker(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.serverProperties = dataDir.resolve("server.properties");
        this.log = dataDir.resolve("broker.log");
        this.port = port;
        // A test JVM that ends without closing the broker (a crash, a timeout) must not leave it running.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) p.destroyForcibly();
        }, "kafka-broker-reaper"));
    }

    /**
     * Starts a new broker with its data in {@code dataDir} (created if missing; its log directory
     * must not be formatted yet): picks two free localhost ports (clients' and the controller's),
     * writes {@code server.properties}, formats the storage with a new cluster id
     * ({@code kafka.tools.StorageTool format}, a child JVM of its own) and starts the broker. Returns
     * once an admin client has described the cluster, i.e. the broker takes requests.
     *
     * @throws IllegalStateException if formatting fails, or the broker dies or does not answer
     *     within 60 s; the message holds the tool's output, or the broker's errors and log tail
     */
    static KafkaBroker start(Path dataDir) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        int[] ports = freePorts(2);
        KafkaBroker broker = new KafkaBroker(dataDir.toAbsolutePath(), ports[0]);
        Files.writeString(broker.serverProperties, serverProperties(broker.dataDir.resolve("logs"), ports[0], ports[1]));
        broker.format();
        broker.launch();
        return broker;
    }

    /** {@code localhost:PORT}, the same across {@link #restart}s. */
    String bootstrapServers() {
        return "localhost:" + port;
    }

    /** The directory the broker keeps its data, configuration and {@code broker.log} in. */
    Path dataDir() {
        return dataDir;
    }

    /**
     * Creates a topic with {@code partitions} partitions and one replica, and returns once every
     * partition has a leader, so producers and consumers can use it at once.
     *
     * @throws IllegalStateException if the topic exists already or is not ready within 30 s
     */
    /**
     * Whether the broker answers for every partition as its leader (a request for the latest
     * offsets, which only the leader serves). The metadata names the leader a moment before the
     * broker acts as one: a producer sending then got NOT_LEADER_OR_FOLLOWER for its first batch
     * and, idempotent, OUT_OF_ORDER_SEQUENCE_NUMBER for the rest, retrying without end (a CI run
     * hung so).
     */
    private static boolean servesOffsets(Admin admin, String name, int partitions) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) latest.put(new TopicPartition(name, p), OffsetSpec.latest());
        try {
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException notYet) {
            return false;
        }
    }

    void createTopic(String name, int partitions) throws InterruptedException {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name);
                    if (d.partitions().size() == partitions && d.partitions().stream().map(TopicPartitionInfo::leader)
                            .allMatch(leader -> leader != null && !leader.isEmpty()) && servesOffsets(admin, name, partitions)) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // UnknownTopicOrPartition until the metadata reaches the broker: ask again.
                }
                if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + name + " has no leaders after 30 s");
                Thread.sleep(100);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + " with " + partitions + " partitions", e);
        }
    }

    /**
     * Stops the broker gracefully (SIGTERM: it closes its logs cleanly) and returns once the
     * process has ended; one still running after 30 s is killed. Does nothing if it is not running.
     */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) kill();
    }

    /**
     * Kills the broker at once (SIGKILL: no shutdown; what it had acknowledged is in the page cache
     * and its logs are recovered on the next start) and returns once the process has ended. Does
     * nothing if it is not running. A {@link #restart} after a kill takes some 4 s longer: the
     * controller lets the dead broker's session time out before the new one may register.
     */
    void kill() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroyForcibly();
        process.waitFor();
    }

    /** Whether the broker process is running. */
    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the broker again on the same ports and log directories (no new format: its topics,
     * records and committed offsets are still there) and returns once it takes requests, as
     * {@link #start} does. A broker still running is first stopped gracefully.
     *
     * @throws IllegalStateException if it dies (say its port was taken meanwhile) or does not
     *     answer within 60 s; the message holds the errors it logged and the log's tail
     */
    void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    /** Stops the broker ({@link #stop}); its data directory is left as it is. */
    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static String serverProperties(Path logDirs, int port, int controllerPort) {
        return String.join("\n",
                "# A single KRaft node for tests, written by KafkaBroker.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDirs,
                "num.partitions=1",
                "default.replication.factor=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "share.coordinator.state.topic.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // After a SIGKILL the controller keeps the dead broker's registration until its session
                // times out, and the new broker cannot register before: 4 s instead of 9.
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=4000",
                "log.segment.bytes=16777216",
                "log.retention.ms=-1",
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "log.cleaner.dedupe.buffer.size=4194304",
                "");
    }

    private void format() throws IOException, InterruptedException {
        Path output = dataDir.resolve("format.log");
        Process format = java(List.of("-XX:TieredStopAtLevel=1"), "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()))
                .redirectOutput(output.toFile()).start();
        if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the storage took over " + START_TIMEOUT.toSeconds() + " s:\n" + tail(output));
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("formatting the storage failed (exit " + format.exitValue() + "):\n" + tail(output));
        }
    }

    private void launch() throws IOException, InterruptedException {
        logLinesBeforeLaunch = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).size() : 0;
        Files.writeString(log, "---- kafka.Kafka " + serverProperties + " ----\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        process = java(List.of(), "kafka.Kafka", List.of(serverProperties.toString()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady();
    }

    private ProcessBuilder java(List<String> extraOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(extraOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(arguments);
        return new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true);
    }

    /** Waits until the port accepts connections, then until an admin client describes the cluster. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // Polling the port first keeps the admin client from logging a failed connection per try.
        while (!accepts(port)) {
            if (!process.isAlive()) throw notReady("the broker exited with " + process.exitValue());
            if (System.nanoTime() > deadline) throw notReady("the broker did not open port " + port + " within 60 s");
            Thread.sleep(100);
        }
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) return;
                } catch (ExecutionException | TimeoutException e) {
                    // Not ready yet: ask again.
                }
                if (!process.isAlive()) throw notReady("the broker exited with " + process.exitValue());
                if (System.nanoTime() > deadline) throw notReady("the broker did not describe its cluster within 60 s");
                Thread.sleep(100);
            }
        }
    }

    private IllegalStateException notReady(String why) throws InterruptedException {
        kill();
        return new IllegalStateException(why + "; from " + log + ":\n" + errorsOfThisRun());
    }

    /** The first errors the broker logged since {@link #launch} (each with the line after it), then the log's tail. */
    private String errorsOfThisRun() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            lines = lines.subList(Math.min(logLinesBeforeLaunch, lines.size()), lines.size());
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < lines.size() && errors.size() < 12; i++) {
                if (lines.get(i).contains(" ERROR ")) {
                    errors.add(lines.get(i));
                    if (i + 1 < lines.size()) errors.add(lines.get(i + 1));
                }
            }
            List<String> tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
            return (errors.isEmpty() ? "" : String.join("\n", errors) + "\n...\n") + String.join("\n", tail);
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Distinct ports free now (all held open together while picked, so none is returned twice). */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) return "(no " + file + ")";
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
