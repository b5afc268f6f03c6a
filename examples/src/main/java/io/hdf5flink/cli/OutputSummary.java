package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.KnownFilter;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a dataset of a written file looks like, read back: dtype, shape, maxshape, chunks and
 * filters with the append engine ({@link Hdf5File#openReadOnly}), stored bytes and attribute values
 * with jhdf (the engine lists attribute names but does not read values).
 */
public record OutputSummary(Path file, String dataset, DataType type, long[] shape, long[] maxShape, long[] chunks,
        List<FilterDescription> filters, long storedBytes, long fileBytes, Map<String, String> attributes) {

    /** Reads {@code dataset} of {@code file}. */
    public static OutputSummary read(Path file, String dataset) {
        DataType type;
        long[] shape;
        long[] maxShape;
        long[] chunks;
        List<FilterDescription> filters;
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            Hdf5Dataset d = f.dataset(dataset);
            type = d.dataType();
            shape = d.shape();
            maxShape = d.maxShape();
            chunks = d.chunkShape();
            filters = d.filters();
        }
        long stored;
        Map<String, String> attributes = new LinkedHashMap<>();
        try (HdfFile h = new HdfFile(file)) {
            Dataset d = h.getDatasetByPath(dataset);
            stored = d.getStorageInBytes();
            for (Map.Entry<String, Attribute> a : d.getAttributes().entrySet()) {
                if (a.getKey().startsWith("_hdf5flink")) continue;
                attributes.put(a.getKey(), render(a.getValue().getData()));
            }
        }
        try {
            return new OutputSummary(file, dataset, type, shape, maxShape, chunks, filters, stored, Files.size(file),
                    attributes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raw bytes of the dataset's current shape. */
    public long rawBytes() {
        long n = type.size();
        for (long s : shape) n *= s;
        return n;
    }

    /** Raw over stored bytes (0 when nothing is stored). */
    public double ratio() {
        return storedBytes == 0 ? 0 : (double) rawBytes() / storedBytes;
    }

    /** A shape in Python's notation, {@code None} for an unlimited axis: {@code (8000000, 64)}. */
    public static String tuple(long[] shape) {
        List<String> parts = new ArrayList<>();
        for (long s : shape) parts.add(s == DatasetSpec.UNLIMITED ? "None" : Long.toString(s));
        return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
    }

    /** Filters as users name them: {@code shuffle, gzip 4}. */
    public static String filterNames(List<FilterDescription> filters) {
        if (filters.isEmpty()) return "none";
        return filters.stream().map(KnownFilter::displayName).collect(Collectors.joining(", "));
    }

    /** A multi-line description, as the demo prints it. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s:%s%n", file, dataset));
        b.append(String.format(Locale.ROOT, "  dtype      %s (%s)%n", type.numpyName(), type.numpyStr()));
        b.append(String.format(Locale.ROOT, "  shape      %s   maxshape %s%n", tuple(shape), tuple(maxShape)));
        b.append(String.format(Locale.ROOT, "  chunks     %s (%.1f MB each)%n", tuple(chunks), chunkBytes() / 1e6));
        b.append(String.format(Locale.ROOT, "  filters    %s%n", filterNames(filters)));
        b.append(String.format(Locale.ROOT, "  size       %.2f MB raw, %.2f MB stored, ratio %.2f (file %.2f MB)%n",
                rawBytes() / 1e6, storedBytes / 1e6, ratio(), fileBytes / 1e6));
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            b.append(String.format(Locale.ROOT, "  @%-10s %s%n", a.getKey(), a.getValue()));
        }
        return b.toString();
    }

    long chunkBytes() {
        long n = type.size();
        for (long c : chunks) n *= c;
        return n;
    }

    private static String render(Object value) {
        if (value == null) return "null";
        if (value.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) parts.add(render(Array.get(value, i)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (value instanceof String s) return '"' + s + '"';
        return value.toString();
    }
}
