package io.hdf5flink.hdf5.testing;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One dataset as a reader sees it. A {@code null} component means "not known" (the reader cannot
 * report it) or, in an expected description, "not checked"; {@link HdfAssertions} compares a
 * component only where both sides know it.
 *
 * @param path the absolute path ("/g/data")
 * @param dtype the numpy dtype string ("<i2", "|u1", ">f8"); strings as in {@link AttributeValue}
 * @param shape the current dimensions ({@code []} for a scalar)
 * @param maxshape the maximum dimensions, {@link #UNLIMITED} for an unlimited one
 * @param layout "contiguous", "chunked", "compact" or "virtual"
 * @param chunks the chunk dimensions of a chunked dataset
 * @param filters the filter pipeline in order (empty when unfiltered)
 * @param fillValue the fill value, normalized as in {@link AttributeValue} (NaN as {@link Double#NaN})
 * @param fillValueDefined libhdf5's fill-value status: "undefined", "default" or "user"
 * @param fillTime "alloc", "never" or "ifset"
 * @param allocTime "early", "late" or "incremental"
 * @param allocatedChunks how many chunks are allocated (chunked datasets only)
 * @param storedBytes bytes of storage the data takes in the file
 * @param attributes the attributes by name
 * @param chunkList the first allocated chunks in index order, when a listing was requested
 * @param data the full contents
 */
public record DatasetDescription(
        String path,
        String dtype,
        long[] shape,
        long[] maxshape,
        String layout,
        long[] chunks,
        List<FilterInfo> filters,
        Object fillValue,
        String fillValueDefined,
        String fillTime,
        String allocTime,
        Long allocatedChunks,
        Long storedBytes,
        Map<String, AttributeValue> attributes,
        List<ChunkInfo> chunkList,
        DatasetData data) {

    /** The {@link #maxshape} value of an unlimited dimension. */
    public static final long UNLIMITED = -1;

    /**
     * Copies the arrays and collections, sorts attributes by name and normalizes the fill value
     * (a float dtype's fill value is always a {@link Double}).
     */
    public DatasetDescription {
        Objects.requireNonNull(path, "path");
        shape = shape == null ? null : shape.clone();
        maxshape = maxshape == null ? null : maxshape.clone();
        chunks = chunks == null ? null : chunks.clone();
        filters = filters == null ? null : List.copyOf(filters);
        fillValue = Values.normalize(fillValue, dtype);
        attributes = attributes == null ? null : Collections.unmodifiableMap(new TreeMap<>(attributes));
        chunkList = chunkList == null ? null : List.copyOf(chunkList);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DatasetDescription that
                && path.equals(that.path)
                && Objects.equals(dtype, that.dtype)
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(maxshape, that.maxshape)
                && Objects.equals(layout, that.layout)
                && Arrays.equals(chunks, that.chunks)
                && Objects.equals(filters, that.filters)
                && Objects.equals(fillValue, that.fillValue)
                && Objects.equals(fillValueDefined, that.fillValueDefined)
                && Objects.equals(fillTime, that.fillTime)
                && Objects.equals(allocTime, that.allocTime)
                && Objects.equals(allocatedChunks, that.allocatedChunks)
                && Objects.equals(storedBytes, that.storedBytes)
                && Objects.equals(attributes, that.attributes)
                && Objects.equals(chunkList, that.chunkList)
                && Objects.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, dtype, Arrays.hashCode(shape), Arrays.hashCode(maxshape), layout,
                Arrays.hashCode(chunks), filters, fillValue, fillValueDefined, fillTime, allocTime,
                allocatedChunks, storedBytes, attributes, chunkList);
    }

    @Override
    public String toString() {
        return path + " {dtype " + dtype
                + ", shape " + Values.formatShape(shape)
                + ", maxshape " + Values.formatShape(maxshape)
                + ", layout " + layout
                + ", chunks " + Values.formatShape(chunks)
                + ", filters " + filters
                + ", fill " + Values.format(fillValue) + " (" + fillValueDefined + ")"
                + ", fillTime " + fillTime
                + ", allocTime " + allocTime
                + ", allocatedChunks " + allocatedChunks
                + ", storedBytes " + storedBytes
                + ", attributes " + attributes
                + (chunkList == null ? "" : ", chunkList " + chunkList)
                + ", data " + data + "}";
    }
}
