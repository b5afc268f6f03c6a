package io.hdf5flink.hdf5.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Builds the {@link FileDescription} a test expects, independently of any reader:
 *
 * <pre>{@code
 * FileDescription expected = ExpectedFile.create()
 *     .superblockVersion(0)
 *     .group("/g", g -> g.attribute("title", "run 7"))
 *     .dataset("/g/data", d -> d.dtype("<i2").shape(12, 64).maxshape(ExpectedFile.UNLIMITED, 64)
 *         .chunks(4, 64).filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).fill(0)
 *         .data(bytes).attribute("unit", "V"))
 *     .build();
 * }</pre>
 *
 * Whatever is not set is not checked: a dataset without {@code filters(...)} matches any
 * pipeline, one with {@code filters()} only an empty one; a group or dataset without any
 * {@code attribute(...)} or {@code noAttributes()} matches any attributes. The root group and
 * every parent group of a declared path are added (attributes unchecked) unless declared.
 */
public final class ExpectedFile {

    /** The maximum-dimension value of an unlimited dimension. */
    public static final long UNLIMITED = DatasetDescription.UNLIMITED;

    private Integer superblockVersion;
    private final Map<String, GroupSpec> groups = new TreeMap<>();
    private final Map<String, DatasetSpec> datasets = new TreeMap<>();

    private ExpectedFile() {}

    /** Starts an expectation with no groups or datasets besides the root group. */
    public static ExpectedFile create() {
        return new ExpectedFile();
    }

    /** Expects this superblock version (0 for h5py's default libver "earliest"). */
    public ExpectedFile superblockVersion(int version) {
        superblockVersion = version;
        return this;
    }

    /** Expects a group, its attributes unchecked. */
    public ExpectedFile group(String path) {
        groups.computeIfAbsent(path, GroupSpec::new);
        return this;
    }

    /** Expects a group, described by {@code spec}. */
    public ExpectedFile group(String path, Consumer<GroupSpec> spec) {
        spec.accept(groups.computeIfAbsent(path, GroupSpec::new));
        return this;
    }

    /** Expects a dataset, described by {@code spec}. */
    public ExpectedFile dataset(String path, Consumer<DatasetSpec> spec) {
        spec.accept(datasets.computeIfAbsent(path, DatasetSpec::new));
        return this;
    }

    /** The expectation as a description, with the root and parent groups added. */
    public FileDescription build() {
        Map<String, GroupDescription> groupDescriptions = new TreeMap<>();
        groupDescriptions.put("/", new GroupDescription("/", null));
        for (String path : datasets.keySet()) {
            addParents(groupDescriptions, path);
        }
        for (GroupSpec group : groups.values()) {
            addParents(groupDescriptions, group.path);
            groupDescriptions.put(group.path, new GroupDescription(group.path, group.attributes));
        }
        Map<String, DatasetDescription> datasetDescriptions = new TreeMap<>();
        for (DatasetSpec dataset : datasets.values()) {
            datasetDescriptions.put(dataset.path, dataset.build());
        }
        return FileDescription.of(superblockVersion, groupDescriptions, datasetDescriptions);
    }

    private void addParents(Map<String, GroupDescription> groupDescriptions, String path) {
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String parent = path.substring(0, slash);
            GroupSpec declared = groups.get(parent);
            groupDescriptions.putIfAbsent(parent, new GroupDescription(parent, declared == null ? null : declared.attributes));
        }
    }

    /** The expected attributes of a group. */
    public static final class GroupSpec {
        private final String path;
        private Map<String, AttributeValue> attributes;

        private GroupSpec(String path) {
            this.path = path;
        }

        /** Expects this attribute; once any is given, the attribute names must match exactly. */
        public GroupSpec attribute(String name, AttributeValue value) {
            attributes = put(attributes, name, value);
            return this;
        }

        /** Expects a variable-length UTF-8 string attribute (what h5py writes for a {@code str}). */
        public GroupSpec attribute(String name, String value) {
            return attribute(name, AttributeValue.string(value));
        }

        /** Expects no attributes at all. */
        public GroupSpec noAttributes() {
            attributes = new LinkedHashMap<>();
            return this;
        }
    }

    /** The expected properties of a dataset. */
    public static final class DatasetSpec {
        private final String path;
        private String dtype;
        private long[] shape;
        private long[] maxshape;
        private String layout;
        private long[] chunks;
        private List<FilterInfo> filters;
        private Object fillValue;
        private String fillValueDefined;
        private String fillTime;
        private String allocTime;
        private Long allocatedChunks;
        private Long storedBytes;
        private Map<String, AttributeValue> attributes;
        private DatasetData data;
        private boolean patternData;

        private DatasetSpec(String path) {
            this.path = path;
        }

        /** The numpy dtype string: "<i2", "|u1", "<f8", ... */
        public DatasetSpec dtype(String dtype) {
            this.dtype = dtype;
            return this;
        }

        /** The current dimensions. */
        public DatasetSpec shape(long... shape) {
            this.shape = shape.clone();
            return this;
        }

        /** The maximum dimensions; {@link #UNLIMITED} for an unlimited one. */
        public DatasetSpec maxshape(long... maxshape) {
            this.maxshape = maxshape.clone();
            return this;
        }

        /** The layout: "contiguous", "chunked" or "compact". */
        public DatasetSpec layout(String layout) {
            this.layout = layout;
            return this;
        }

        /** The chunk dimensions; also expects layout "chunked" unless a layout was given. */
        public DatasetSpec chunks(long... chunks) {
            this.chunks = chunks.clone();
            if (layout == null) {
                layout = "chunked";
            }
            return this;
        }

        /** The whole filter pipeline, in order; no arguments for an unfiltered dataset. */
        public DatasetSpec filters(FilterInfo... filters) {
            this.filters = List.of(filters);
            return this;
        }

        /**
         * The fill value: a number ({@code Double.NaN} for NaN; 0 or 1 for bool), or for a
         * complex dtype the list {@code [real, imaginary]}.
         */
        public DatasetSpec fill(Object value) {
            this.fillValue = value;
            return this;
        }

        /** libhdf5's fill-value status: "undefined", "default" or "user". */
        public DatasetSpec fillValueDefined(String status) {
            this.fillValueDefined = status;
            return this;
        }

        /** When fill values are written: "alloc", "never" or "ifset". */
        public DatasetSpec fillTime(String fillTime) {
            this.fillTime = fillTime;
            return this;
        }

        /** When storage is allocated: "early", "late" or "incremental". */
        public DatasetSpec allocTime(String allocTime) {
            this.allocTime = allocTime;
            return this;
        }

        /** How many chunks are allocated. */
        public DatasetSpec allocatedChunks(long count) {
            this.allocatedChunks = count;
            return this;
        }

        /** Bytes of storage the data takes in the file. */
        public DatasetSpec storedBytes(long bytes) {
            this.storedBytes = bytes;
            return this;
        }

        /** Expects this attribute; once any is given, the attribute names must match exactly. */
        public DatasetSpec attribute(String name, AttributeValue value) {
            attributes = put(attributes, name, value);
            return this;
        }

        /** Expects a variable-length UTF-8 string attribute (what h5py writes for a {@code str}). */
        public DatasetSpec attribute(String name, String value) {
            return attribute(name, AttributeValue.string(value));
        }

        /** Expects no attributes at all. */
        public DatasetSpec noAttributes() {
            attributes = new LinkedHashMap<>();
            return this;
        }

        /** The full contents as little-endian C-order bytes (used, not copied). */
        public DatasetSpec data(byte[] bytes) {
            return data(DatasetData.ofBytes(bytes));
        }

        /** The full contents as the remaining bytes of a buffer, little-endian C order (copied). */
        public DatasetSpec data(ByteBuffer buffer) {
            return data(DatasetData.ofBuffer(buffer));
        }

        /** The full contents. */
        public DatasetSpec data(DatasetData data) {
            this.data = data;
            this.patternData = false;
            return this;
        }

        /** The contents are the standard {@linkplain DatasetData#pattern pattern} over the whole shape. */
        public DatasetSpec patternData() {
            this.data = null;
            this.patternData = true;
            return this;
        }

        private DatasetDescription build() {
            DatasetData expectedData = data;
            if (patternData) {
                if (dtype == null || shape == null) {
                    throw new IllegalStateException(path + ": patternData() needs dtype and shape");
                }
                expectedData = DatasetData.pattern(dtype, 0, Arrays.stream(shape).reduce(1, Math::multiplyExact));
            }
            return new DatasetDescription(path, dtype, shape, maxshape, layout, chunks, filters, fillValue,
                    fillValueDefined, fillTime, allocTime, allocatedChunks, storedBytes, attributes, null, expectedData);
        }
    }

    private static Map<String, AttributeValue> put(Map<String, AttributeValue> attributes, String name,
            AttributeValue value) {
        Map<String, AttributeValue> result = attributes == null ? new LinkedHashMap<>() : attributes;
        result.put(name, value);
        return result;
    }
}
