package io.hdf5flink.hdf5.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of {@code reference/h5read_fixtures.py}: datasets h5py (and h5repack) wrote in every
 * layout a reader meets, each with the values h5py reads back, little-endian, in
 * {@code <case>.bin}. What the read path's tests judge against.
 */
public final class ReadFixtures {
    /**
     * Every case the script writes, for parameterized tests (their sources run before the files
     * are written, so the names are listed here; {@link #write} checks they all exist).
     */
    public static final List<String> CASES = List.of("gzip_shuffle_2d_edges", "lzf_1d", "fletcher32_3d", "gzip_4d_u1",
            "bool_complex", "lz4", "blosc_lz4", "lzf_incompressible", "unallocated_fill", "big_endian_contiguous",
            "big_endian_chunked", "compact", "contiguous_unwritten", "nested_path", "userblock",
            "latest_extensible_array", "latest_paged_extensible_array", "latest_fixed_array", "latest_btree2", "latest_single_chunk", "latest_contiguous",
            "v108_superblock2", "h5repack_rechunked", "h5repack_latest_fletcher");

    /** One case: the dataset, its shape and numpy dtype, and the file of what h5py reads. */
    public record Fixture(String name, Path file, String dataset, long[] shape, String dtype, Path values) {
        @Override
        public String toString() {
            return name;
        }
    }

    private ReadFixtures() {}

    /** Runs the script into {@code dir} (with h5py); the cases by name. */
    public static Map<String, Fixture> write(Path dir) {
        ReferenceLibrary.requireAvailable();
        Map<String, Fixture> cases = new TreeMap<>();
        try (InputStream in = ReadFixtures.class.getResourceAsStream("/reference/h5read_fixtures.py")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            ObjectMapper json = new ObjectMapper();
            for (String line : ReferenceLibrary.runPython(script, dir.toString()).split("\n")) {
                if (line.isBlank()) continue;
                JsonNode n = json.readTree(line);
                long[] shape = new long[n.get("shape").size()];
                for (int d = 0; d < shape.length; d++) shape[d] = n.get("shape").get(d).asLong();
                String name = n.get("case").asText();
                cases.put(name, new Fixture(name, Path.of(n.get("file").asText()), n.get("dataset").asText(), shape,
                        n.get("dtype").asText(), dir.resolve(name + ".bin")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!cases.keySet().equals(new java.util.TreeSet<>(CASES))) {
            throw new AssertionError("h5read_fixtures.py wrote " + cases.keySet() + ", the tests expect " + CASES);
        }
        return cases;
    }
}
