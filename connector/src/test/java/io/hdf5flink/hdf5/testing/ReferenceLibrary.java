package io.hdf5flink.hdf5.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reference HDF5 library (libhdf5, through h5py and the HDF5 command-line tools), as the
 * judge of the files our engine writes. Everything runs {@value #PYTHON}, the system interpreter
 * that has h5py, numpy and hdf5plugin; the scripts are the test resources under
 * {@code reference/}.
 *
 * <p>Every method first calls {@link #requireAvailable()}, so a test that needs the library
 * fails, never skips, when it is missing. Failures of the library on a file (a file it cannot
 * open, a script error) are {@link AssertionError}s carrying the process's stderr.
 */
public final class ReferenceLibrary {

    /** The interpreter with h5py; a {@code python3} earlier on the PATH may lack it. */
    public static final String PYTHON = "/usr/bin/python3";

    /** How to install the reference library on Debian or Ubuntu. */
    public static final String INSTALL_HINT =
            "apt-get install -y hdf5-tools python3-h5py python3-numpy python3-hdf5plugin python3-zstandard";

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final List<String> SCRIPTS =
            List.of("h5describe.py", "h5pattern.py", "h5py_fixture.py", "h5py_append.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean available;
    private static Path scriptDirectory;

    private ReferenceLibrary() {}

    /**
     * Checks that {@value #PYTHON} imports h5py, numpy, hdf5plugin and zstandard and that
     * {@code h5dump} runs.
     *
     * @throws AssertionError naming what is missing and how to install it
     */
    public static synchronized void requireAvailable() {
        if (available) {
            return;
        }
        String problem = null;
        if (!Files.isExecutable(Path.of(PYTHON))) {
            problem = PYTHON + " does not exist";
        } else {
            ProcessResult imports = execute(List.of(PYTHON, "-c", "import h5py, numpy, hdf5plugin, zstandard"));
            if (imports.exitCode != 0) {
                problem = PYTHON + " cannot import the reference library: " + imports.stderr.strip();
            } else {
                ProcessResult h5dump = execute(List.of("h5dump", "--version"));
                if (h5dump.exitCode != 0) {
                    problem = "h5dump does not run: " + h5dump.stderr.strip();
                }
            }
        }
        if (problem != null) {
            throw new AssertionError("The reference HDF5 library (libhdf5 via h5py, h5dump, hdf5plugin) is "
                    + "required by this test and is missing: " + problem + ". Install it (as root): "
                    + INSTALL_HINT + "  -- or run scripts/test.sh as root, which does.");
        }
        available = true;
    }

    /**
     * Describes a file as libhdf5 sees it; the dataset contents go to a temporary directory
     * deleted when the JVM exits.
     */
    public static FileDescription describe(Path h5) {
        Path outDir;
        try {
            outDir = Files.createTempDirectory("h5describe-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        outDir.toFile().deleteOnExit();
        FileDescription description = describe(h5, outDir, 0);
        for (int i = 0; i < description.datasets().size(); i++) {
            outDir.resolve(i + ".bin").toFile().deleteOnExit();
        }
        return description;
    }

    /**
     * Describes a file as libhdf5 sees it, writing the dataset contents to {@code outDir}.
     *
     * @param chunkListLimit when positive, also list up to this many allocated chunks of every
     *     chunked dataset ({@link DatasetDescription#chunkList()}); 0 makes no per-chunk query
     */
    public static FileDescription describe(Path h5, Path outDir, int chunkListLimit) {
        String json = runScript("h5describe.py", h5.toString(), outDir.toString(), "--chunk-list",
                Integer.toString(chunkListLimit));
        try {
            return parse(JSON.readTree(json), outDir);
        } catch (IOException e) {
            throw new AssertionError("h5describe.py printed invalid JSON for " + h5 + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs Python code with {@value #PYTHON}: {@code sys.argv[1:]} are {@code args}, and the
     * harness's modules (such as {@code h5pattern}) are importable.
     *
     * @return what the code printed on stdout
     * @throws AssertionError when it exits non-zero, with its stderr and stdout
     */
    public static String runPython(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", script));
        command.addAll(Arrays.asList(args));
        return run(command, "Python code");
    }

    /**
     * Runs {@code h5dump} with {@code args} on a file.
     *
     * @return its output
     * @throws AssertionError when it exits non-zero, with its output
     */
    public static String h5dump(Path h5, String... args) {
        List<String> command = new ArrayList<>(List.of("h5dump"));
        command.addAll(Arrays.asList(args));
        command.add(h5.toString());
        return run(command, "h5dump");
    }

    /**
     * The judges of a file the engine appended to: h5py runs {@code checks} (Python, with {@code f}
     * open read-only and {@code np} imported), then appends two rows of 7s to every dataset with an
     * unlimited first axis and adds a dataset, and reads them back (h5py must be able to keep
     * writing the file); then h5stat and h5dump read it.
     *
     * @throws AssertionError naming what failed
     */
    public static void checkAndKeepWriting(Path h5, String checks) {
        String indented = checks.strip().replace("\n", "\n    ");
        String out = runPython("""
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], "r") as f:
                    CHECKS
                with h5py.File(sys.argv[1], "a") as f:
                    names = []
                    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) and o.maxshape and o.maxshape[0] is None else None)
                    for n in names:
                        d = f[n]; k = d.shape[0]; d.resize((k + 2,) + d.shape[1:]); d[k:] = 7
                    f.create_dataset("added_by_h5py", data=np.arange(4))
                with h5py.File(sys.argv[1], "r") as f:
                    for n in names:
                        assert (f[n][-2:] == 7).all(), n
                    assert (f["added_by_h5py"][:] == np.arange(4)).all()
                print("ok")
                """.replace("CHECKS", indented), h5.toString());
        if (!out.strip().equals("ok")) throw new AssertionError("h5py's checks of " + h5 + " printed: " + out);
        run(List.of("h5stat", h5.toString()), "h5stat");
        h5dump(h5);
    }

    /**
     * Creates {@code h5} with h5py's defaults per the JSON specification documented in
     * {@code reference/h5py_fixture.py}; datasets hold the standard
     * {@linkplain DatasetData#pattern pattern} unless the spec says {@code "data": "none"}.
     */
    public static void makeFixture(Path h5, String specJson) {
        runScript("h5py_fixture.py", h5.toString(), specJson);
    }

    /**
     * Creates {@code h5} with h5py's default fixture: libver earliest, nested groups with
     * attributes, resizable chunked datasets of several dtypes with gzip+shuffle, fletcher32,
     * LZF, LZ4, bzip2, a NaN fill value and an empty one (see {@code h5py_fixture.py}).
     */
    public static void makeFixture(Path h5) {
        runScript("h5py_fixture.py", h5.toString());
    }

    /**
     * Appends {@code rows} rows along axis 0 of {@code dataset} with h5py, filled with the
     * standard pattern continuing the flat index where the dataset ends.
     *
     * @return the dataset's new shape
     */
    public static long[] appendWithH5py(Path h5, String dataset, long rows) {
        String json = runScript("h5py_append.py", h5.toString(), dataset, Long.toString(rows));
        try {
            return longs(JSON.readTree(json).get("shape"));
        } catch (IOException e) {
            throw new AssertionError("h5py_append.py printed invalid JSON: " + json, e);
        }
    }

    private static String runScript(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, scriptDirectory().resolve(script).toString()));
        command.addAll(Arrays.asList(args));
        return run(command, script);
    }

    private static String run(List<String> command, String what) {
        requireAvailable();
        scriptDirectory();
        ProcessResult result = execute(command);
        if (result.exitCode != 0) {
            throw new AssertionError(what + " failed (exit " + result.exitCode + "): " + command
                    + "\n--- stderr ---\n" + result.stderr + "--- stdout ---\n" + tail(result.stdout));
        }
        return result.stdout;
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }

    private record ProcessResult(int exitCode, String stdout, String stderr) {}

    private static ProcessResult execute(List<String> command) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("reference-out-", ".txt");
            stderr = Files.createTempFile("reference-err-", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            if (scriptDirectory != null) {
                builder.environment().put("PYTHONPATH", scriptDirectory.toString());
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return new ProcessResult(-1, "", "cannot start " + command.get(0) + ": " + e.getMessage());
            }
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " timed out after " + TIMEOUT + "\n--- stderr ---\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new ProcessResult(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command, e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            file.toFile().delete();
        }
    }

    /** Copies the scripts out of the test resources once, into one directory so they import each other. */
    private static synchronized Path scriptDirectory() {
        if (scriptDirectory == null) {
            try {
                Path directory = Files.createTempDirectory("reference-scripts-");
                directory.toFile().deleteOnExit();
                for (String script : SCRIPTS) {
                    Path target = directory.resolve(script);
                    try (InputStream in = ReferenceLibrary.class.getResourceAsStream("/reference/" + script)) {
                        if (in == null) {
                            throw new IllegalStateException("Test resource reference/" + script + " is missing");
                        }
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    target.toFile().deleteOnExit();
                }
                scriptDirectory = directory;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scriptDirectory;
    }

    // ---- JSON to model -------------------------------------------------------------------

    private static FileDescription parse(JsonNode root, Path outDir) {
        Map<String, GroupDescription> groups = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = required(root, "groups", "file").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> group = it.next();
            groups.put(group.getKey(), new GroupDescription(group.getKey(),
                    attributes(required(group.getValue(), "attributes", group.getKey()))));
        }
        Map<String, DatasetDescription> datasets = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = required(root, "datasets", "file").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            datasets.put(entry.getKey(), dataset(entry.getKey(), entry.getValue(), outDir));
        }
        return FileDescription.of(required(root, "superblock_version", "file").intValue(), groups, datasets);
    }

    private static DatasetDescription dataset(String path, JsonNode node, Path outDir) {
        String dtype = text(required(node, "dtype", path));
        List<FilterInfo> filters = new ArrayList<>();
        for (JsonNode filter : required(node, "filters", path)) {
            filters.add(new FilterInfo(filter.get("id").intValue(), filter.get("flags").intValue(),
                    ints(filter.get("cd"))));
        }
        List<ChunkInfo> chunkList = null;
        if (node.has("chunk_list")) {
            chunkList = new ArrayList<>();
            for (JsonNode chunk : node.get("chunk_list")) {
                chunkList.add(new ChunkInfo(longs(chunk.get("offset")), chunk.get("filter_mask").intValue(),
                        chunk.get("address").longValue(), chunk.get("size").longValue()));
            }
        }
        JsonNode dataFile = required(node, "data_file", path);
        DatasetData data = dataFile.isNull()
                ? DatasetData.unknown("h5describe.py: " + required(node, "data_unavailable", path).textValue())
                : DatasetData.ofFile(outDir.resolve(dataFile.textValue()));
        return new DatasetDescription(
                path,
                dtype,
                longs(required(node, "shape", path)),
                longs(required(node, "maxshape", path)),
                text(required(node, "layout", path)),
                longs(required(node, "chunks", path)),
                filters,
                value(required(node, "fill_value", path), dtype),
                text(required(node, "fill_value_defined", path)),
                text(required(node, "fill_time", path)),
                text(required(node, "alloc_time", path)),
                nullableLong(required(node, "allocated_chunks", path)),
                nullableLong(required(node, "stored_bytes", path)),
                attributes(required(node, "attributes", path)),
                chunkList,
                data);
    }

    private static Map<String, AttributeValue> attributes(JsonNode node) {
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode attribute = entry.getValue();
            String dtype = attribute.get("dtype").textValue();
            attributes.put(entry.getKey(), new AttributeValue(dtype, longs(attribute.get("shape")),
                    value(attribute.get("value"), dtype)));
        }
        return attributes;
    }

    private static JsonNode required(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new AssertionError("h5describe.py output lacks \"" + field + "\" for " + where);
        }
        return value;
    }

    private static String text(JsonNode node) {
        return node.isNull() ? null : node.textValue();
    }

    private static Long nullableLong(JsonNode node) {
        return node.isNull() ? null : node.longValue();
    }

    /** An array of numbers, JSON {@code null} elements (unlimited dimensions) as {@link DatasetDescription#UNLIMITED}. */
    private static long[] longs(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).isNull() ? DatasetDescription.UNLIMITED : node.get(i).longValue();
        }
        return values;
    }

    private static int[] ints(JsonNode node) {
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).intValue();
        }
        return values;
    }

    /** A JSON value as a normalized Java value; for float and complex dtypes, "nan", "inf" and "-inf" are doubles. */
    private static Object value(JsonNode node, String dtype) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                list.add(value(element, dtype));
            }
            return list;
        }
        if (node.isTextual()) {
            if (Values.isFloat(dtype) || Values.isComplex(dtype)) {
                switch (node.textValue()) {
                    case "nan": return Double.NaN;
                    case "inf": return Double.POSITIVE_INFINITY;
                    case "-inf": return Double.NEGATIVE_INFINITY;
                    default: break;
                }
            }
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isFloatingPointNumber()) {
            return node.doubleValue();
        }
        return Values.normalize(node.numberValue());
    }
}
