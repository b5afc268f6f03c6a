package io.hdf5flink.itest;

import io.hdf5flink.hdf5.testing.KilledProcesses;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink 2.3 standalone session cluster of separate processes on this machine, started from the
 * Maven artifacts (Maven Central serves no {@code flink-dist}): a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each
 * its own JVM with its own log, and the Flink CLI ({@code CliFrontend run}) to submit jars, as a
 * user's cluster runs them. The processes' classpath is Flink's alone: this project's classes and
 * libraries are left out, so a job gets them only from the jar it submits, as on a real cluster.
 *
 * <p>The configuration makes failures quick to notice (heartbeats every second, a TaskManager
 * lost after 5 s) and restarts jobs with a fixed delay, as a production cluster would be set up.
 */
public final class StandaloneCluster implements AutoCloseable {
    /** What is not part of a Flink cluster's own classpath: this project and the libraries it bundles. */
    private static final List<String> NOT_FLINK = List.of("/target/classes", "/target/test-classes", "/io/hdf5flink/",
            "/io/jhdf/", "/info/picocli/", "/com/intel/gkl/", "/org/broadinstitute/", "/com/github/luben/", "/io/airlift/",
            "/com/ning/", "/net/java/dev/jna/", "/org/openjdk/jmh/", "/org/junit/", "/org/opentest4j/", "/org/apiguardian/",
            // The Kafka connector and client: a Flink distribution has neither, the cluster jar bundles them.
            "/org/apache/kafka/", "/org/apache/flink/flink-connector-kafka/");

    /** What Flink's default configuration gives every JVM of a cluster on Java 17 ({@code env.java.opts.all}). */
    private static final List<String> JAVA_17_OPENS = List.of("--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path dir;
    private final Path conf;
    private final int restPort;
    private final String classpath;
    private final Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private int started;

    private StandaloneCluster(Path dir, int slotsPerTaskManager) throws IOException {
        this.dir = dir;
        this.conf = Files.createDirectories(dir.resolve("conf"));
        this.restPort = freePort();
        this.classpath = flinkClasspath();
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: localhost",
                "jobmanager.rpc.port: " + freePort(),
                "jobmanager.bind-host: localhost",
                "rest.address: localhost",
                "rest.bind-address: localhost",
                "rest.port: " + restPort,
                "taskmanager.host: localhost",
                "taskmanager.bind-host: localhost",
                "taskmanager.numberOfTaskSlots: " + slotsPerTaskManager,
                // Started directly (not by Flink's scripts, which compute these), a TaskManager
                // needs every part of its memory and its CPU share given.
                "taskmanager.cpu.cores: 2",
                "taskmanager.memory.framework.heap.size: 128m",
                "taskmanager.memory.framework.off-heap.size: 128m",
                "taskmanager.memory.task.heap.size: 256m",
                "taskmanager.memory.task.off-heap.size: 0m",
                "taskmanager.memory.network.min: 64m",
                "taskmanager.memory.network.max: 64m",
                "taskmanager.memory.managed.size: 64m",
                "taskmanager.memory.jvm-metaspace.size: 256m",
                "taskmanager.memory.jvm-overhead.min: 192m",
                "taskmanager.memory.jvm-overhead.max: 192m",
                "heartbeat.interval: 1000",
                "heartbeat.timeout: 5000",
                "restart-strategy.type: fixed-delay",
                "restart-strategy.fixed-delay.attempts: 10",
                "restart-strategy.fixed-delay.delay: 1 s",
                ""));
        this.jobManager = java("jobmanager", "-Xmx512m", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "--configDir", conf.toString());
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers and waits until all have registered. */
    public static StandaloneCluster start(Path dir, int taskManagers, int slotsPerTaskManager) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster(dir, slotsPerTaskManager);
        try {
            for (int i = 0; i < taskManagers; i++) cluster.addTaskManager();
            cluster.awaitTaskManagers(taskManagers);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one more TaskManager process. */
    public void addTaskManager() throws IOException {
        taskManagers.add(java("taskmanager-" + started++, "-Xmx512m", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "--configDir", conf.toString()));
    }

    /** Kills TaskManager {@code i} (in start order) with SIGKILL and waits for the process to end. */
    public void killTaskManager(int i) throws InterruptedException {
        Process p = taskManagers.get(i);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("TaskManager " + i + " survived SIGKILL");
    }

    /** Waits until the JobManager lists {@code count} registered TaskManagers. */
    public void awaitTaskManagers(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Pattern id = Pattern.compile("\"id\"\\s*:");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!jobManager.isAlive()) throw new IllegalStateException("the JobManager exited: " + log("jobmanager"));
            try {
                last = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/taskmanagers"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = id.matcher(last);
                int n = 0;
                while (m.find()) n++;
                if (n >= count) return;
            } catch (IOException notUpYet) {
                last = notUpYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(count + " TaskManagers did not register in 90 s; the JobManager says " + last);
    }

    /**
     * The Flink CLI's {@code run JAR ARGS...} (the client), as a process whose output goes to
     * {@code client.log} in the cluster's directory.
     */
    public Process run(Path jar, String... args) throws IOException {
        List<String> cli = new ArrayList<>(List.of("org.apache.flink.client.cli.CliFrontend", "run", jar.toString()));
        cli.addAll(Arrays.asList(args));
        return java("client", "-Xmx512m", cli.toArray(String[]::new));
    }

    /** The log of a process: {@code jobmanager}, {@code taskmanager-N} or {@code client}. */
    public String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Process java(String name, String heap, String... mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", KilledProcesses.tmpdirIn(dir)));
        command.addAll(JAVA_17_OPENS);
        command.addAll(List.of("-cp", classpath));
        command.addAll(Arrays.asList(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        return pb.start();
    }

    private static String flinkClasspath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String normalized = entry.replace(File.separatorChar, '/');
            if (NOT_FLINK.stream().noneMatch(normalized::contains)) kept.add(entry);
        }
        return String.join(File.pathSeparator, kept);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(taskManagers);
        all.add(jobManager);
        for (Process p : all) p.destroyForcibly();
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
