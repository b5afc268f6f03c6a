package io.hdf5flink.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Input files for the source tests, written by numpy (and Python's gzip, bz2, lzma, zstandard,
 * zipfile and tarfile) in one run of {@code source/arrays.py}: collect the files a test needs,
 * then {@link #write()}. Each array's expected output, its elements little-endian in C order,
 * goes to {@link #expected(Path) a file} in the hidden subdirectory {@code .expect}, out of the way
 * of directory listings and globs.
 */
final class NumpyFixtures {
    /** The interpreter with numpy; a {@code python3} earlier on the PATH may lack it. */
    static final String PYTHON = "/usr/bin/python3";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<Map<String, Object>> ops = new ArrayList<>();

    NumpyFixtures(Path dir) {
        this.dir = dir;
    }

    /** A {@code .npy} of random bytes viewed as {@code dtype} (numpy notation), written in {@code version}. */
    Path npy(String name, String dtype, int version, long... shape) {
        return add(name, Map.of("op", "npy", "dtype", dtype, "shape", shape, "version", List.of(version, 0)));
    }

    /** A raw file: {@code header} random bytes, then random elements in {@code dtype}'s byte order. */
    Path raw(String name, String dtype, long header, long... shape) {
        return add(name, Map.of("op", "raw", "dtype", dtype, "shape", shape, "header", header));
    }

    /** {@code np.save(name, eval(expr))}, e.g. for dtypes the sources refuse. */
    Path save(String name, String expr) {
        return add(name, Map.of("op", "save", "expr", expr));
    }

    /** {@code src} compressed with {@code codec} (gz, bz2, xz, zst), named {@code src.codec}. */
    Path compress(Path src, String codec) {
        return add(src.getFileName() + "." + codec, Map.of("op", "compress", "src", src.toString(), "codec", codec));
    }

    /** {@code np.savez} (or {@code savez_compressed}) of the given {@code .npy} files, keyed by their names. */
    Path npz(String name, boolean compressed, List<Path> members) {
        List<List<String>> keyed = new ArrayList<>();
        for (Path m : members) keyed.add(List.of(m.getFileName().toString().replace(".npy", ""), m.toString()));
        return add(name, Map.of("op", "npz", "members", keyed, "compressed", compressed));
    }

    /** A zip with {@code members} (name to file), compressed with {@code method}: stored, deflated, bzip2. */
    Path zip(String name, String method, Map<String, Path> members) {
        return add(name, Map.of("op", "zip", "method", method, "members", pairs(members)));
    }

    /** A tar with {@code members} (name to file), opened with Python's tarfile {@code mode}. */
    Path tar(String name, String mode, Map<String, Path> members) {
        return tar(name, mode, List.copyOf(members.entrySet()));
    }

    /** A tar with {@code members} in this order, names repeated if they are repeated here. */
    Path tar(String name, String mode, List<Map.Entry<String, Path>> members) {
        List<List<String>> pairs = new ArrayList<>();
        for (Map.Entry<String, Path> m : members) pairs.add(List.of(m.getKey(), m.getValue().toString()));
        return add(name, Map.of("op", "tar", "mode", mode, "members", pairs));
    }

    /**
     * A sparse {@code .npy} of {@code shape}, zero but for random values in {@code rows}; its
     * {@code .expect} holds those rows in the order given.
     */
    Path sparse(String name, String dtype, long[] rows, long... shape) {
        return add(name, Map.of("op", "sparse", "dtype", dtype, "shape", shape, "rows", rows));
    }

    /** Runs numpy to write every file collected so far. */
    void write() {
        try {
            // Not in dir, where the tests list and glob inputs.
            Path spec = Files.createTempFile("arrays-spec", ".json");
            JSON.writeValue(spec.toFile(), ops);
            ops.clear();
            Path script = Path.of(NumpyFixtures.class.getResource("/source/arrays.py").toURI());
            Process process = new ProcessBuilder(PYTHON, script.toString(), spec.toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("arrays.py timed out");
            }
            Files.delete(spec);
            assertEquals(0, process.exitValue(), () -> "arrays.py failed:\n" + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The elements {@code input} holds, little-endian in C order, as numpy wrote them. */
    static byte[] expected(Path input) {
        try {
            return Files.readAllBytes(expectation(input));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path expectation(Path input) {
        return input.resolveSibling(".expect").resolve(input.getFileName());
    }

    private Path add(String name, Map<String, Object> op) {
        Path path = dir.resolve(name);
        try {
            Files.createDirectories(expectation(path).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> full = new LinkedHashMap<>(op);
        full.put("path", path.toString());
        full.put("seed", ops.size() + 1);
        full.put("expect", expectation(path).toString());
        ops.add(full);
        return path;
    }

    private static List<List<String>> pairs(Map<String, Path> members) {
        List<List<String>> pairs = new ArrayList<>();
        members.forEach((name, file) -> pairs.add(List.of(name, file.toString())));
        return pairs;
    }
}
