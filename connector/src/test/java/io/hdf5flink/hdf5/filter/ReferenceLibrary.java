package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference-library script (h5py, hdf5plugin, zstandard under /usr/bin/python3) on a
 * batch of cases. A missing interpreter or module fails the calling test: these checks are the
 * point of the interop tests and must never be skipped quietly.
 */
final class ReferenceLibrary {

    /** Debian's interpreter, the one with h5py; a python3 earlier on the PATH may lack it. */
    static final String PYTHON = "/usr/bin/python3";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceLibrary() {
    }

    /** Runs the cases in one interpreter and returns one result per case, in order. */
    static List<JsonNode> run(Path workDir, List<Map<String, Object>> cases) throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(ReferenceLibrary.class.getResource("/filter/h5py_filters.py").toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path request = Files.createTempFile(workDir, "request", ".json");
        JSON.writeValue(request.toFile(), Map.of("cases", cases));
        Path stdout = workDir.resolve(request.getFileName() + ".out");
        Path stderr = workDir.resolve(request.getFileName() + ".err");
        Process process;
        try {
            process = new ProcessBuilder(PYTHON, script.toString(), request.toString())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("the reference library is missing: cannot run " + PYTHON
                    + " (install python3-h5py python3-hdf5plugin python3-zstandard)", e);
        }
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("the reference-library script did not finish within 10 minutes");
        }
        if (process.exitValue() != 0) {
            fail("the reference-library script failed (exit " + process.exitValue() + "); is h5py with hdf5plugin "
                    + "and zstandard installed for " + PYTHON + "?\n" + Files.readString(stderr));
        }
        JsonNode results = JSON.readTree(stdout.toFile()).get("results");
        List<JsonNode> out = new ArrayList<>();
        results.forEach(out::add);
        assertEquals(cases.size(), out.size(), "one result per case");
        return out;
    }

    /** The filters libhdf5 reported for a dataset, as descriptions. */
    static List<FilterDescription> recorded(JsonNode result) {
        List<FilterDescription> out = new ArrayList<>();
        for (JsonNode f : result.get("recorded")) {
            int[] cd = new int[f.get("cd").size()];
            for (int i = 0; i < cd.length; i++) {
                cd[i] = (int) f.get("cd").get(i).asLong();
            }
            String name = f.get("name").isNull() ? "" : f.get("name").asText();
            out.add(new FilterDescription(f.get("id").asInt(), name, f.get("flags").asInt(), cd));
        }
        return out;
    }

    /**
     * How the filter list is handed to the script: id, flags and client data of each. bitshuffle's
     * client data goes without its first three values, which the plugin's "set local" step
     * fills in (moving what it is given past them), as h5py users give it.
     */
    static List<Map<String, Object>> describe(List<FilterDescription> filters) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FilterDescription f : filters) {
            List<Long> cd = new ArrayList<>();
            int[] values = f.clientData();
            for (int i = f.id() == KnownFilter.BITSHUFFLE.id() ? 3 : 0; i < values.length; i++) {
                cd.add(Integer.toUnsignedLong(values[i]));
            }
            out.add(Map.of("id", f.id(), "flags", f.flags(), "cd", cd));
        }
        return out;
    }
}
