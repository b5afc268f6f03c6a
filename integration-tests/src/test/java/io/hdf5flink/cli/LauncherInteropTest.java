package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.itest.H5py;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/flink-hdf5}, the command the CLI's messages and {@code --help} name, as users run
 * it: from the repository, through symbolic links placed elsewhere (as on PATH), with JAVA_OPTS,
 * and without the jar built. Its conversion is judged by h5py against the .npy numpy wrote, value
 * for value.
 */
class LauncherInteropTest {
    /** The launcher, relative to this module's directory (where surefire runs the tests). */
    static final Path SCRIPT = Path.of("../scripts/flink-hdf5");

    @TempDir Path dir;

    record Run(int exit, String out, String err) {}

    /** Runs {@code command} in {@code workDir} with the test's JVM first on PATH; extra environment in {@code env}. */
    private Run run(Path workDir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // The launcher runs `java` from PATH: make it the JVM running this test.
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        pb.environment().put("PATH", javaBin + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("JAVA_HOME"); // which the launcher prefers to PATH's java
        // The class archive the launcher makes goes to the test's directory, not the machine's cache.
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish in 180 s: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String describe(Run r) {
        return "exit " + r.exit() + "\nstdout: " + r.out() + "\nstderr: " + r.err();
    }

    @Test
    void helpNamesTheCommandItIs() throws Exception {
        Run help = run(Path.of("."), Map.of(), "bash", SCRIPT.toString(), "--help");
        assertEquals(0, help.exit(), describe(help));
        assertTrue(help.out().contains("Usage: flink-hdf5"), describe(help));
        assertTrue(help.out().contains("convert") && help.out().contains("demo"), describe(help));

        Run convertHelp = run(Path.of("."), Map.of(), "bash", SCRIPT.toString(), "convert", "--help");
        assertEquals(0, convertHelp.exit(), describe(convertHelp));
        assertTrue(convertHelp.out().contains("Usage: flink-hdf5 convert"), describe(convertHelp));

        // The command's own exit codes come through: a usage error is 2, one line on stderr.
        Run usage = run(dir, Map.of(), "bash", SCRIPT.toAbsolutePath().toString(), "convert", "--input", "missing.npy",
                "--output", "out.h5");
        assertEquals(Main.USAGE, usage.exit(), describe(usage));
        assertEquals(1, usage.err().lines().filter(l -> !l.isBlank()).count(), describe(usage));
        assertFalse(Files.exists(dir.resolve("out.h5")));
    }

    @Test
    void javaOptsReachTheJvm() throws Exception {
        Run r = run(Path.of("."), Map.of("JAVA_OPTS", "-Xmx256m -XX:+PrintCommandLineFlags"),
                "bash", SCRIPT.toString(), "--version");
        assertEquals(0, r.exit(), describe(r));
        assertTrue(r.out().contains("-XX:MaxHeapSize=268435456"), describe(r));
        assertTrue(r.out().contains("-XX:TieredStopAtLevel=1"), "C1 alone by default: " + describe(r));
        assertTrue(r.out().contains("flink-hdf5"), describe(r));
    }

    @Test
    void javaOptsCanTurnTheOptimisingCompilerBackOn() throws Exception {
        Run r = run(Path.of("."), Map.of("JAVA_OPTS", "-XX:TieredStopAtLevel=4 -XX:+PrintCommandLineFlags"),
                "bash", SCRIPT.toString(), "--version");
        assertEquals(0, r.exit(), describe(r));
        assertTrue(r.out().contains("-XX:TieredStopAtLevel=4"), describe(r));
        assertFalse(r.out().contains("-XX:TieredStopAtLevel=1"), describe(r));
    }

    @Test
    void convertsANpyThatNumpyWrote() throws Exception {
        Path in = dir.resolve("tiny.npy");
        H5py.check("np.save(sys.argv[1], np.random.default_rng(7).standard_normal((1000, 7)))", in);
        Path out = dir.resolve("tiny.h5");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Run r = run(Path.of("."), Map.of("JAVA_OPTS", "-Djava.io.tmpdir=" + tmp), "bash", SCRIPT.toString(), "convert", "--input",
                in.toString(), "--output", out.toString(), "--chunks", "256,7", "--checkpoint-interval", "300ms", "--no-progress");
        assertEquals(0, r.exit(), describe(r));
        assertTrue(r.out().strip().startsWith("converted 1,000 rows"), describe(r));
        H5py.check("""
                a = np.load(sys.argv[1]); d = h5py.File(sys.argv[2], 'r')['/data']
                assert d.shape == a.shape and d.dtype == a.dtype, (d.shape, d.dtype)
                assert d.maxshape == (None, 7) and d.chunks == (256, 7), (d.maxshape, d.chunks)
                assert np.array_equal(d[:], a)
                """, in, out);
        assertFalse(Files.exists(dir.resolve("tiny.h5.checkpoints")), "a run that completes removes its checkpoints");
        // Flink's scratch files go with the process: it used to leave a minicluster_* directory and
        // a 24 MB flink-rpc-akka*.jar (Flink's RPC system, copied out at every start) per run.
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "left in java.io.tmpdir");
        }
    }

    /**
     * The first convert makes the class archive (one file in the cache directory), later runs map
     * their classes from it (the JVM's class-load log names the archive as their source), and an
     * error or help run makes none.
     */
    @Test
    void theFirstConvertMakesAClassArchiveThatLaterRunsUse() throws Exception {
        Path cache = dir.resolve("cache").resolve("flink-hdf5");
        Run help = run(Path.of("."), Map.of(), "bash", SCRIPT.toString(), "--help");
        assertEquals(0, help.exit(), describe(help));
        Run refused = run(Path.of("."), Map.of(), "bash", SCRIPT.toString(), "convert", "--input", dir.resolve("missing.npy").toString(),
                "--output", dir.resolve("never.h5").toString());
        assertEquals(Main.USAGE, refused.exit(), describe(refused));
        assertFalse(Files.exists(cache) && Files.list(cache).findAny().isPresent(), "a failed or help run made an archive");

        Path in = dir.resolve("cds.npy");
        H5py.check("np.save(sys.argv[1], np.arange(64000, dtype='<i2').reshape(1000, 64))", in);
        for (int i = 1; i <= 2; i++) {
            Path out = dir.resolve("cds-" + i + ".h5");
            Path classLog = dir.resolve("classes-" + i + ".log");
            Run r = run(Path.of("."), Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog), "bash", SCRIPT.toString(),
                    "convert", "--input", in.toString(), "--output", out.toString(), "--chunks", "256,64", "--no-progress");
            assertEquals(0, r.exit(), describe(r));
            H5py.check("assert np.array_equal(h5py.File(sys.argv[2], 'r')['data'][:], np.load(sys.argv[1]))", in, out);
            long archives;
            try (var files = Files.list(cache)) {
                archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa")).count();
            }
            assertEquals(1, archives, "run " + i + " left one archive");
            List<String> classes = Files.readAllLines(classLog);
            long fromArchive = classes.stream().filter(l -> l.contains(" org.apache.flink.") && l.contains("shared objects file")).count();
            if (i == 1) assertEquals(0, fromArchive, "the first run has no archive yet");
            else assertTrue(fromArchive > 1000, "the second run mapped only " + fromArchive + " of Flink's classes from the archive");
            // A static archive, which holds picocli's classes (class-file version 49) too: a
            // dynamic one cannot.
            String picocli = classes.stream().filter(l -> l.contains(" picocli.CommandLine ")).findFirst()
                    .orElse("run " + i + " loaded no picocli.CommandLine");
            assertTrue(picocli.contains(i == 1 ? "flink-hdf5-examples.jar" : "shared objects file"), picocli);
            // Flink's RPC system (Pekko, Scala) comes from the class path beside the jar, so the
            // archive holds it too, rather than from a copy Flink makes and loads on its own.
            String actorSystem = classes.stream().filter(l -> l.contains(" org.apache.pekko.actor.ActorSystem "))
                    .findFirst().orElse("run " + i + " loaded no Pekko actor system");
            assertTrue(actorSystem.contains(i == 1 ? "lib/flink-rpc-akka.jar" : "shared objects file"), actorSystem);
        }
    }

    /** A Java 25 installation, where this kind of machine has one. */
    static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    /**
     * With JAVA_HOME naming a Java 25, the launcher runs that java, and the first convert makes an
     * ahead-of-time cache instead of a class archive, which later runs use; the JVM's messages
     * about recording and making it stay out of the command's output, and Java 25's warnings about
     * Flink's sun.misc.Unsafe and snappy's native library do not show.
     */
    @Test
    void onJava25TheFirstConvertMakesAnAheadOfTimeCacheThatLaterRunsUse() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(JAVA_25.resolve("bin/java")), "no Java 25 at " + JAVA_25);
        Path cache = dir.resolve("cache").resolve("flink-hdf5");
        Path in = dir.resolve("aot.npy");
        H5py.check("np.save(sys.argv[1], np.arange(64000, dtype='<i2').reshape(1000, 64))", in);
        for (int i = 1; i <= 2; i++) {
            Path out = dir.resolve("aot-" + i + ".h5");
            Path classLog = dir.resolve("classes-" + i + ".log");
            Run r = run(Path.of("."), Map.of("JAVA_HOME", JAVA_25.toString(), "JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog),
                    "bash", SCRIPT.toString(), "convert", "--input", in.toString(), "--output", out.toString(), "--chunks", "256,64",
                    "--no-progress");
            assertEquals(0, r.exit(), describe(r));
            H5py.check("assert np.array_equal(h5py.File(sys.argv[2], 'r')['data'][:], np.load(sys.argv[1]))", in, out);
            assertTrue(r.out().startsWith("converted 1,000 rows") && r.out().strip().lines().count() == 1, describe(r));
            assertFalse(r.err().contains("WARNING") || r.err().contains("AOT"), describe(r));
            List<String> files;
            try (var list = Files.list(cache)) {
                files = list.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertEquals(1, files.size(), "run " + i + " left " + files);
            assertTrue(files.get(0).startsWith("aot-") && files.get(0).endsWith(".aot"), files.toString());
            long fromCache = Files.readAllLines(classLog).stream().filter(l -> l.contains(" org.apache.flink.") && l.contains("shared objects file")).count();
            if (i == 1) assertEquals(0, fromCache, "the first run has no cache yet");
            else assertTrue(fromCache > 1000, "the second run took only " + fromCache + " of Flink's classes from the cache");
        }
    }

    @Test
    void worksThroughSymbolicLinksElsewhere() throws Exception {
        Path script = SCRIPT.toAbsolutePath().normalize();
        Path bin = Files.createDirectories(dir.resolve("home/bin"));
        Path link = Files.createSymbolicLink(bin.resolve("flink-hdf5"), script);
        // A relative link to that link: the launcher must follow the chain to the repository.
        Path other = Files.createDirectories(dir.resolve("elsewhere"));
        Path chained = Files.createSymbolicLink(other.resolve("h5conv"), Path.of("../home/bin/flink-hdf5"));
        Path cwd = Files.createDirectories(dir.resolve("cwd"));

        Run direct = run(cwd, Map.of(), link.toString(), "--help");
        assertEquals(0, direct.exit(), describe(direct));
        assertTrue(direct.out().contains("Usage: flink-hdf5"), describe(direct));

        Run viaChain = run(cwd, Map.of(), "bash", chained.toString(), "--version");
        assertEquals(0, viaChain.exit(), describe(viaChain));
        assertTrue(viaChain.out().contains("flink-hdf5"), describe(viaChain));

        // As a command on PATH.
        String path = bin + ":" + Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        Run onPath = run(cwd, Map.of("PATH", path), "bash", "-c", "flink-hdf5 --help");
        assertEquals(0, onPath.exit(), describe(onPath));
        assertTrue(onPath.out().contains("Usage: flink-hdf5"), describe(onPath));
    }

    @Test
    void aMissingJarIsOneLineNamingItAndTheBuildCommand() throws Exception {
        // A copy of the launcher in a repository layout without the jar built.
        Path repo = dir.resolve("unbuilt");
        Path copy = Files.createDirectories(repo.resolve("scripts")).resolve("flink-hdf5");
        Files.copy(SCRIPT, copy);
        Run r = run(dir, Map.of(), "bash", copy.toString(), "--help");
        assertEquals(2, r.exit(), describe(r));
        List<String> lines = new ArrayList<>(r.err().lines().filter(l -> !l.isBlank()).toList());
        assertEquals(1, lines.size(), describe(r));
        String jar = repo.toRealPath().resolve("examples/target/flink-hdf5-examples.jar").toString();
        assertTrue(lines.get(0).contains(jar) && lines.get(0).contains("mvn -B -q -DskipTests package"), describe(r));
        assertEquals("", r.out());
    }
}
