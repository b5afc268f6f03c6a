package io.hdf5flink.hdf5.testing;

import io.jhdf.AbstractNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import io.jhdf.object.datatype.VariableLength;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.FilterPipelineMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Describes an HDF5 file as jhdf 0.13 (a pure-Java reader independent of our engine) sees it,
 * in the same model as {@link ReferenceLibrary#describe}, so {@link HdfAssertions} can hold
 * both readers to the same expectation.
 *
 * <p>What jhdf cannot report is left {@code null} (or {@link DatasetData#unknown unknown}, with
 * the reason), and comparisons skip it:
 * <ul>
 *   <li>{@code fillValueDefined}: only "user" when the file stores a fill value; jhdf cannot tell
 *       libhdf5's "default" from "undefined", so otherwise unknown, and so is the fill value.
 *   <li>{@code fillTime}, {@code allocTime}: unknown for files with only the old fill-value message.
 *   <li>{@code storedBytes}: chunked datasets only (jhdf reports the logical size otherwise).
 *   <li>{@code allocatedChunks}, {@code chunkList}: read through jhdf's protected chunk index
 *       ({@code ChunkedDatasetBase#getChunkLookup}), as jhdf has no public accessor; the chunk
 *       list is ordered by chunk offset (C order), as libhdf5 lists chunks.
 *   <li>data unknown when jhdf would return wrong or no values: a filter it cannot decode (it has
 *       deflate, shuffle, fletcher32, LZF and LZ4; not bzip2, zstd or Blosc; its bitshuffle has no
 *       zstd inside and fails on chunks whose last block is partial, libhdf5's too); a chunk whose
 *       filter mask skips a stage (jhdf 0.13 ignores filter masks and decodes every chunk through
 *       the whole pipeline); unallocated chunks with a non-zero fill value (jhdf fills holes with
 *       zeros); no storage allocated at all; non-numeric types.
 * </ul>
 * jhdf reads h5py's bool enumeration as the member names and its complex compound as a map of
 * the arrays of real and imaginary parts; they are turned into the model's bools and
 * {@code [real, imaginary]} pairs, and float16 values (read as floats) back into binary16.
 * Soft and external links are not followed (libhdf5's description does not list them either).
 * Dataset contents are read when first compared, by reopening the file.
 */
public final class JhdfDescriber {

    private static final Method CHUNK_LOOKUP = chunkLookupMethod();

    private JhdfDescriber() {}

    /** Describes a file as jhdf sees it, without chunk listings. */
    public static FileDescription describe(Path h5) {
        return describe(h5, 0);
    }

    /**
     * Describes a file as jhdf sees it.
     *
     * @param chunkListLimit when positive, list up to this many allocated chunks of every
     *     chunked dataset, by ascending offset
     */
    public static FileDescription describe(Path h5, int chunkListLimit) {
        Map<String, GroupDescription> groups = new LinkedHashMap<>();
        Map<String, DatasetDescription> datasets = new LinkedHashMap<>();
        try (HdfFile file = new HdfFile(h5)) {
            visit(file, h5, chunkListLimit, groups, datasets);
            return FileDescription.of(file.getHdfBackingStorage().getSuperblock().getVersionOfSuperblock(),
                    groups, datasets);
        } catch (RuntimeException e) {
            throw new AssertionError("jhdf cannot describe " + h5 + ": " + e, e);
        }
    }

    private static void visit(Group group, Path h5, int chunkListLimit, Map<String, GroupDescription> groups,
            Map<String, DatasetDescription> datasets) {
        String path = absolute(group);
        groups.put(path, new GroupDescription(path, attributes(group)));
        for (Node child : group.getChildren().values()) {
            if (child.isLink()) {
                continue;
            }
            if (child instanceof Group childGroup) {
                visit(childGroup, h5, chunkListLimit, groups, datasets);
            } else if (child instanceof Dataset dataset) {
                datasets.put(absolute(dataset), dataset(dataset, h5, chunkListLimit));
            }
        }
    }

    /** jhdf spells group paths with a trailing slash ("/g/"); the model does not. */
    private static String absolute(Node node) {
        String path = node.getPath();
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static DatasetDescription dataset(Dataset dataset, Path h5, int chunkListLimit) {
        String path = absolute(dataset);
        String dtype = dtype(dataset.getDataType());
        long[] shape = dataset.getDimensionsAsLong();
        String layout = dataset.getDataLayout().name().toLowerCase(Locale.ROOT);
        AbstractNode node = (AbstractNode) dataset;

        List<FilterInfo> filters = new ArrayList<>();
        if (node.getHeader().hasMessageOfType(FilterPipelineMessage.class)) {
            for (FilterPipelineMessage.FilterInfo filter
                    : node.getHeader().getMessageOfType(FilterPipelineMessage.class).getFilters()) {
                filters.add(new FilterInfo(filter.getId(),
                        filter.isOptional() ? FilterInfo.OPTIONAL : FilterInfo.MANDATORY, filter.getData()));
            }
        }

        Object fillValue = null;
        String fillValueDefined = null;
        String fillTime = null;
        String allocTime = null;
        if (node.getHeader().hasMessageOfType(FillValueMessage.class)) {
            FillValueMessage fill = node.getHeader().getMessageOfType(FillValueMessage.class);
            fillTime = name(fill.getFillValueWriteTime(), "alloc", "never", "ifset");
            allocTime = name(fill.getSpaceAllocationTime(), null, "early", "late", "incremental");
            if (fill.isFillValueDefined()) {
                fillValueDefined = "user";
                fillValue = modelValue(dataset.getFillValue(), dtype);
            }
        }

        long[] chunks = null;
        Long allocatedChunks = null;
        Long storedBytes = null;
        List<ChunkInfo> chunkList = null;
        String dataProblem = dataProblem(dataset, dtype, shape);
        if (dataProblem == null && filters.stream().anyMatch(f -> f.id() == 32008)) {
            dataProblem = "jhdf 0.13 has no zstd inside bitshuffle, and fails on chunks whose last block is partial "
                    + "(libhdf5's too: an index out of bounds)";
        }
        if (dataset instanceof ChunkedDataset chunked) {
            chunks = Arrays.stream(chunked.getChunkDimensions()).asLongStream().toArray();
            Collection<Chunk> allocated = allocatedChunks(dataset);
            allocatedChunks = (long) allocated.size();
            storedBytes = dataset.getStorageInBytes();
            if (chunkListLimit > 0) {
                chunkList = allocated.stream()
                        .sorted(Comparator.comparing(Chunk::getChunkOffset, Arrays::compare))
                        .limit(chunkListLimit)
                        .map(chunk -> new ChunkInfo(chunk.getChunkOffset(), mask(chunk), chunk.getAddress(), chunk.getSize()))
                        .toList();
            }
            if (dataProblem == null) {
                dataProblem = chunkProblem(chunked, allocated, shape, fillValue, dtype);
            }
        }
        DatasetData data = dataProblem != null
                ? DatasetData.unknown("jhdf: " + dataProblem)
                : DatasetData.lazy("jhdf " + h5 + " " + path, () -> readData(h5, path, dtype));

        return new DatasetDescription(path, dtype, shape, unlimitedAsMarker(dataset.getMaxSize()), layout, chunks,
                filters, fillValue, fillValueDefined, fillTime, allocTime, allocatedChunks, storedBytes,
                attributes(dataset), chunkList, data);
    }

    /** Why jhdf's values cannot be trusted for any layout, or {@code null}. */
    private static String dataProblem(Dataset dataset, String dtype, long[] shape) {
        if (!Values.isNumeric(dtype)) {
            return "raw data is compared for numeric types only, not " + dtype;
        }
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) > 0 && dataset.isEmpty()) {
            return "no storage is allocated, and jhdf returns no values where libhdf5 returns the fill value";
        }
        return null;
    }

    /** Why jhdf's values of a chunked dataset cannot be trusted, or {@code null}. */
    private static String chunkProblem(ChunkedDataset dataset, Collection<Chunk> allocated, long[] shape,
            Object fillValue, String dtype) {
        try {
            dataset.getFilters();
        } catch (RuntimeException e) {
            return "cannot decode the filter pipeline: " + e.getMessage();
        }
        long skipping = allocated.stream().filter(chunk -> !chunk.getFilterMask().isEmpty()).count();
        if (skipping > 0) {
            return skipping + " chunk(s) skip filter stages (non-zero filter mask), which jhdf 0.13 ignores";
        }
        int[] chunkDims = dataset.getChunkDimensions();
        long gridChunks = 1;
        for (int d = 0; d < shape.length; d++) {
            gridChunks *= (shape[d] + chunkDims[d] - 1) / chunkDims[d];
        }
        if (allocated.size() < gridChunks && !isZero(fillValue, dtype)) {
            return (gridChunks - allocated.size()) + " unallocated chunk(s) read as zeros by jhdf, not as the fill value "
                    + Values.format(Values.normalize(fillValue));
        }
        return null;
    }

    private static boolean isZero(Object fillValue, String dtype) {
        if (fillValue == null) {
            return true;
        }
        Object normalized = Values.normalize(fillValue, dtype);
        if (normalized instanceof List<?> parts) return parts.stream().allMatch(p -> isZero(p, "<f8"));
        if (normalized instanceof Boolean bool) return !bool;
        return Values.isFloat(dtype)
                ? Double.doubleToRawLongBits((Double) normalized) == 0
                : Long.valueOf(0).equals(normalized);
    }

    private static int mask(Chunk chunk) {
        long[] words = chunk.getFilterMask().toLongArray();
        return words.length == 0 ? 0 : (int) words[0];
    }

    @SuppressWarnings("unchecked")
    private static Collection<Chunk> allocatedChunks(Dataset dataset) {
        try {
            return ((Map<?, Chunk>) CHUNK_LOOKUP.invoke(dataset)).values();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot reach jhdf's chunk index", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("jhdf cannot read the chunk index of " + dataset.getPath(), e.getCause());
        }
    }

    private static Method chunkLookupMethod() {
        try {
            Method method = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("jhdf changed: ChunkedDatasetBase#getChunkLookup is gone", e);
        }
    }

    /** jhdf reads an unlimited maximum dimension as unsigned all-ones, i.e. -1: the model's marker. */
    private static long[] unlimitedAsMarker(long[] maxSize) {
        return Arrays.stream(maxSize).map(m -> m == -1 ? DatasetDescription.UNLIMITED : m).toArray();
    }

    private static String name(int code, String... names) {
        return code >= 0 && code < names.length && names[code] != null ? names[code] : "code " + code;
    }

    /** The numpy dtype string of a jhdf datatype; strings in {@link AttributeValue}'s spelling. */
    private static String dtype(DataType type) {
        if (type instanceof FixedPoint fixed) {
            return order(fixed.getByteOrder(), fixed.getSize()) + (fixed.isSigned() ? "i" : "u") + fixed.getSize();
        }
        if (type instanceof FloatingPoint floating) {
            return order(floating.getByteOrder(), floating.getSize()) + "f" + floating.getSize();
        }
        if (type instanceof EnumDataType enumeration && enumeration.getBaseType().getSize() == 1
                && enumeration.getEnumMapping().equals(Map.of(0, "FALSE", 1, "TRUE"))) {
            return "|b1";
        }
        if (type instanceof CompoundDataType compound && isComplex(compound)) {
            FloatingPoint part = (FloatingPoint) compound.getMembers().get(0).getDataType();
            return order(part.getByteOrder(), part.getSize()) + "c" + compound.getSize();
        }
        if (type instanceof StringData string) {
            return AttributeValue.fixedStringType(string.getSize(), charset(string.getCharset()),
                    padding(string.getPaddingType()));
        }
        if (type instanceof VariableLength variable && variable.isVariableLengthString()) {
            return AttributeValue.variableStringType(charset(variable.getEncoding()));
        }
        return "unsupported(" + type.getClass().getSimpleName() + ")";
    }

    /** h5py's complex type: the float members r at 0 and i right after it, of one size. */
    private static boolean isComplex(CompoundDataType compound) {
        List<CompoundDataType.CompoundDataMember> members = compound.getMembers();
        if (members.size() != 2) return false;
        CompoundDataType.CompoundDataMember r = members.get(0);
        CompoundDataType.CompoundDataMember i = members.get(1);
        int size = r.getDataType().getSize();
        return r.getName().equals("r") && i.getName().equals("i") && r.getDataType() instanceof FloatingPoint
                && i.getDataType() instanceof FloatingPoint && i.getDataType().getSize() == size
                && r.getOffset() == 0 && i.getOffset() == size && compound.getSize() == 2 * size;
    }

    /**
     * A value as jhdf returns it, in the model's form: enumeration names as bools, a complex
     * compound's map of part arrays as {@code [real, imaginary]} pairs (one pair for a scalar).
     */
    private static Object modelValue(Object value, String dtype) {
        if (Values.isBool(dtype)) return bools(value);
        if (Values.isComplex(dtype) && value instanceof Map<?, ?> parts) {
            Object real = parts.get("r");
            Object imaginary = parts.get("i");
            int length = java.lang.reflect.Array.getLength(real);
            List<Object> pairs = new ArrayList<>(length);
            for (int k = 0; k < length; k++) {
                pairs.add(List.of(java.lang.reflect.Array.get(real, k), java.lang.reflect.Array.get(imaginary, k)));
            }
            return length == 1 ? pairs.get(0) : pairs;
        }
        return value;
    }

    private static Object bools(Object value) {
        if (value instanceof String name) return name.equals("TRUE");
        if (value != null && value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int k = 0; k < java.lang.reflect.Array.getLength(value); k++) {
                list.add(bools(java.lang.reflect.Array.get(value, k)));
            }
            return list;
        }
        return value;
    }

    private static String order(ByteOrder order, int size) {
        return size == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<";
    }

    private static String charset(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8) ? "utf-8" : charset.equals(StandardCharsets.US_ASCII) ? "ascii" : charset.name();
    }

    private static String padding(StringData.PaddingType padding) {
        switch (padding) {
            case NULL_TERMINATED: return "nullterm";
            case NULL_PADDED: return "nullpad";
            default: return "spacepad";
        }
    }

    private static Map<String, AttributeValue> attributes(Node node) {
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        for (Attribute attribute : node.getAttributes().values()) {
            boolean empty = attribute.isEmpty();
            String dtype = dtype(attribute.getDataType());
            attributes.put(attribute.getName(), new AttributeValue(dtype,
                    empty ? null : attribute.getDimensionsAsLong(), empty ? null : modelValue(attribute.getData(), dtype)));
        }
        return attributes;
    }

    /** Reopens the file and converts jhdf's flat Java array back to little-endian bytes. */
    private static byte[] readData(Path h5, String path, String dtype) {
        try (HdfFile file = new HdfFile(h5)) {
            Dataset dataset = file.getDatasetByPath(path);
            if (dataset.getSize() == 0) {
                return new byte[0];
            }
            return toLittleEndian(dataset.getDataFlat(), dtype);
        } catch (RuntimeException e) {
            throw new AssertionError("jhdf cannot read the data of " + path + " in " + h5 + ": " + e, e);
        }
    }

    /**
     * Encodes jhdf's flat array: signed types come as byte/short/int/long arrays, unsigned ones
     * widened (u1 and u2 as int, u4 as long, u8 as BigInteger), so each element is narrowed
     * back to its size; float16 comes as floats, bool as the enumeration's names, complex as a
     * map of the real and the imaginary parts.
     */
    private static byte[] toLittleEndian(Object flat, String dtype) {
        int size = Values.elementSize(dtype);
        if (flat instanceof Map<?, ?> parts) {
            byte[] real = toLittleEndian(parts.get("r"), dtype.charAt(0) + "f" + size / 2);
            byte[] imaginary = toLittleEndian(parts.get("i"), dtype.charAt(0) + "f" + size / 2);
            ByteBuffer out = ByteBuffer.allocate(real.length * 2);
            for (int at = 0; at < real.length; at += size / 2) {
                out.put(real, at, size / 2).put(imaginary, at, size / 2);
            }
            return out.array();
        }
        int length = java.lang.reflect.Array.getLength(flat);
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(length, size)).order(ByteOrder.LITTLE_ENDIAN);
        if (flat instanceof String[] names) {
            for (String name : names) {
                out.put((byte) (name.equals("TRUE") ? 1 : 0));
            }
        } else if (flat instanceof byte[] bytes) {
            out.put(bytes);
        } else if (flat instanceof short[] shorts) {
            out.asShortBuffer().put(shorts);
        } else if (flat instanceof float[] floats) {
            if (size == 2) {
                for (float value : floats) {
                    out.putShort(HalfFloats.fromDouble(value));
                }
            } else {
                out.asFloatBuffer().put(floats);
            }
        } else if (flat instanceof double[] doubles) {
            out.asDoubleBuffer().put(doubles);
        } else if (flat instanceof int[] ints) {
            if (size == 4) {
                out.asIntBuffer().put(ints);
            } else {
                for (int value : ints) {
                    putLow(out, value, size);
                }
            }
        } else if (flat instanceof long[] longs) {
            if (size == 8) {
                out.asLongBuffer().put(longs);
            } else {
                for (long value : longs) {
                    putLow(out, value, size);
                }
            }
        } else if (flat instanceof BigInteger[] bigs) {
            for (BigInteger value : bigs) {
                out.putLong(value.longValue());
            }
        } else {
            throw new IllegalStateException("Unexpected jhdf data array " + flat.getClass().getSimpleName());
        }
        return out.array();
    }

    private static void putLow(ByteBuffer out, long value, int size) {
        switch (size) {
            case 1: out.put((byte) value); break;
            case 2: out.putShort((short) value); break;
            default: out.putInt((int) value);
        }
    }
}
