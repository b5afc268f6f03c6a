package io.hdf5flink.table;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.DatasetDeclaration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.factories.FactoryUtil;

/**
 * The writing options of a table, parsed and checked when the table is planned: where files go,
 * the chunk shape, filters, fill value and attributes of every dataset written. Each error names
 * its option.
 */
@Internal
final class SinkSettings {
    private final Path baseDirectory;
    private final String file;
    private final ChunkFilters filters;
    private final long[] chunks;
    private final String fillValue;
    private final Map<String, AttributeValue> attributes;
    private final long bufferBudgetBytes;
    private final boolean directIo;
    private final Integer parallelism;

    private SinkSettings(Path baseDirectory, String file, ChunkFilters filters, long[] chunks, String fillValue,
            Map<String, AttributeValue> attributes, long bufferBudgetBytes, boolean directIo, Integer parallelism) {
        this.baseDirectory = baseDirectory;
        this.file = file;
        this.filters = filters;
        this.chunks = chunks;
        this.fillValue = fillValue;
        this.attributes = attributes;
        this.bufferBudgetBytes = bufferBudgetBytes;
        this.directIo = directIo;
        this.parallelism = parallelism;
    }

    /**
     * @param attributes the {@code attribute.<name>} options, by attribute name
     */
    static SinkSettings of(ReadableConfig options, Map<String, String> attributes) {
        ChunkFilters filters;
        String compression = options.get(Hdf5TableOptions.COMPRESSION);
        try {
            filters = ChunkFilters.parse(compression);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("option '" + Hdf5TableOptions.COMPRESSION.key() + "' is '" + compression + "': " + e.getMessage());
        }
        if (options.get(Hdf5TableOptions.SHUFFLE) && !filters.codec().equals("none") && !filters.codecShuffles()) {
            filters = filters.withShuffle();
        }
        if (options.get(Hdf5TableOptions.FLETCHER32)) filters = filters.withFletcher32();
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        attributes.forEach((name, value) -> values.put(name, attribute(value)));
        Integer parallelism = options.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null);
        if (parallelism != null && parallelism < 1) {
            throw new ValidationException("option '" + FactoryUtil.SINK_PARALLELISM.key() + "' is " + parallelism + "; it must be at least 1");
        }
        return new SinkSettings(Path.of(options.get(Hdf5TableOptions.PATH)).toAbsolutePath().normalize(),
                options.get(Hdf5TableOptions.FILE), filters, chunks(options.getOptional(Hdf5TableOptions.CHUNKS).orElse(null)),
                options.getOptional(Hdf5TableOptions.FILL_VALUE).orElse(null), values,
                options.get(Hdf5TableOptions.SINK_BUFFER_BUDGET).getBytes(), options.get(Hdf5TableOptions.SINK_DIRECT_IO),
                parallelism);
    }

    /** An attribute's value: a whole number as int64, another decimal number as float64, anything else as a string. */
    private static AttributeValue attribute(String value) {
        String v = value.trim();
        if (v.matches("[-+]?[0-9]{1,18}")) return AttributeValue.of(Long.parseLong(v));
        if (v.matches("[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?")) return AttributeValue.of(Double.parseDouble(v));
        return AttributeValue.of(value);
    }

    private static long[] chunks(String text) {
        if (text == null) return null;
        String option = "option '" + Hdf5TableOptions.CHUNKS.key() + "' is '" + text + "'";
        String[] parts = text.split(",");
        if (parts.length > 2) throw new ValidationException(option + "; give rows, or rows,columns");
        long[] chunks = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                chunks[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ValidationException(option + "; '" + parts[i].trim() + "' is not a number");
            }
            if (chunks[i] < 1) throw new ValidationException(option + "; every chunk extent is at least 1");
        }
        return chunks;
    }

    Path baseDirectory() { return baseDirectory; }

    String file() { return file; }

    ChunkFilters filters() { return filters; }

    long bufferBudgetBytes() { return bufferBudgetBytes; }

    boolean directIo() { return directIo; }

    Integer parallelism() { return parallelism; }

    String describe() {
        return baseDirectory.resolve(file) + " (" + filters + ")";
    }

    /**
     * The declaration of the appended dataset {@code dataset} holding {@code columns} (one array
     * or scalar column, or the scalar columns of a matrix), for the default file.
     */
    DatasetDeclaration declaration(String dataset, List<ColumnBinding> columns) {
        ColumnBinding first = columns.get(0);
        DataType type = ColumnTypes.written(first.element());
        boolean fromFirstRow = first.array() && first.length() == 0;
        long width = first.array() ? Math.max(1, first.length()) : first.column() >= 0 ? columns.size() : 0;
        long[] shape = width > 0 ? new long[] {0, width} : new long[] {0};
        long[] max = width > 0 ? new long[] {DatasetSpec.UNLIMITED, width} : new long[] {DatasetSpec.UNLIMITED};
        long[] trailing = width > 0 ? new long[] {width} : new long[0];
        long[] chunkShape = ChunkShapeRule.chunksFor(type, trailing, ChunkShapeRule.DEFAULT_TARGET_BYTES);
        if (chunks != null) {
            chunkShape[0] = chunks[0];
            if (chunks.length > 1 && chunkShape.length > 1) chunkShape[1] = Math.min(chunks[1], width);
        }
        DatasetSpec.Builder spec = filters.applyTo(DatasetSpec.builder(type, shape).maxShape(max).chunks(chunkShape));
        if (fillValue != null) spec.fillValue(fill(type, dataset));
        attributes.forEach(spec::attribute);
        DatasetSpec built;
        try {
            built = spec.build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException(dataset + ": " + e.getMessage());
        }
        DatasetDeclaration d = new DatasetDeclaration(null, dataset, built, true);
        return fromFirstRow ? d.rowShapeFromFirstBlock(chunks != null ? chunks[0] : 0) : d;
    }

    private Number fill(DataType type, String dataset) {
        String option = "option '" + Hdf5TableOptions.FILL_VALUE.key() + "' is '" + fillValue + "'";
        try {
            return type.parseValue(fillValue);
        } catch (NumberFormatException e) {
            throw new ValidationException(option + "; " + dataset + " is " + type.numpyName() + ": give a number of that type");
        } catch (IllegalArgumentException e) {
            throw new ValidationException(option + "; " + dataset + " is " + type.numpyName() + ", which cannot hold it");
        }
    }
}
