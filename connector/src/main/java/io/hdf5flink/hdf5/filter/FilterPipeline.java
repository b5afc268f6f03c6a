package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A dataset's filter pipeline: the filters of its Filter Pipeline message, applied in order to
 * each chunk on its way to disk and in reverse order on its way back.
 *
 * <p>Instances are immutable and thread-safe: many threads may encode chunks of one dataset at
 * once. An empty pipeline passes chunks through unchanged.
 */
public final class FilterPipeline {

    /** The format's limit on filters per pipeline; the chunk filter mask has one bit each. */
    public static final int MAX_FILTERS = 32;

    /** Largest array the JVM reliably allocates; bounds beyond it are clipped to it. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** One filter of the pipeline with its entry, client data completed. */
    private record Stage(FilterDescription description, Filter filter) {
    }

    private final List<FilterDescription> descriptions;
    private final Stage[] stages;

    private static final ThreadScratch SHUFFLE_SCRATCH = new ThreadScratch();

    private FilterPipeline(Stage[] stages) {
        this.stages = stages;
        this.descriptions = Arrays.stream(stages).map(Stage::description).toList();
    }

    /**
     * Builds the pipeline for a dataset.
     *
     * <p>Client data that libhdf5 fills in from the dataset when it is created (a filter's
     * "set local" step) is filled in here when absent, as {@link KnownFilter} says: the shuffle
     * filter's element size and the LZF filter's chunk size. {@link #descriptions()} returns the
     * completed entries.
     *
     * @param descriptions the filters in the order they apply when writing
     * @param elementSize the size of one dataset element in bytes
     * @param chunkBytes the size of one uncompressed chunk in bytes
     * @throws UnsupportedFilterException when a filter is unknown or its client data unusable;
     *     the message names the filter's id and name
     * @throws IllegalArgumentException when there are more than 32 filters or a size is not
     *     positive
     */
    public static FilterPipeline of(List<FilterDescription> descriptions, int elementSize, int chunkBytes)
            throws UnsupportedFilterException {
        if (descriptions.size() > MAX_FILTERS) {
            throw new IllegalArgumentException("a filter pipeline holds at most " + MAX_FILTERS + " filters, got "
                    + descriptions.size());
        }
        if (elementSize < 1 || chunkBytes < 1) {
            throw new IllegalArgumentException("element size and chunk size must be positive, got "
                    + elementSize + " and " + chunkBytes);
        }
        Stage[] stages = new Stage[descriptions.size()];
        for (int i = 0; i < stages.length; i++) {
            stages[i] = stage(descriptions.get(i), elementSize, chunkBytes);
        }
        return new FilterPipeline(stages);
    }

    private static Stage stage(FilterDescription d, int elementSize, int chunkBytes)
            throws UnsupportedFilterException {
        KnownFilter known = KnownFilter.byId(d.id()).orElseThrow(() -> new UnsupportedFilterException(d.id(),
                "filter " + label(d) + " is not supported; supported: " + KnownFilter.supportedList()));
        try {
            FilterDescription completed = known.completed(d, elementSize, chunkBytes);
            return new Stage(completed, known.filter(completed.clientData()));
        } catch (IllegalArgumentException e) {
            throw badClientData(d, e.getMessage());
        }
    }

    private static String label(FilterDescription d) {
        return d.name().isEmpty() ? Integer.toString(d.id()) : d.id() + " (" + d.name() + ")";
    }

    private static UnsupportedFilterException badClientData(FilterDescription d, String why) {
        return new UnsupportedFilterException(d.id(), "filter " + label(d) + " has unusable client data "
                + Arrays.toString(d.clientData()) + ": " + why);
    }

    /** The filters in the order they apply when writing, client data completed. */
    public List<FilterDescription> descriptions() {
        return descriptions;
    }

    /** Whether the pipeline has no filters, so chunks are stored as they are. */
    public boolean isEmpty() {
        return stages.length == 0;
    }

    /**
     * Applies the filters in order to the first {@code length} bytes of {@code raw}. An optional
     * filter that declines the chunk is skipped and its bit set in the filter mask.
     *
     * @throws IOException when a filter fails, or a mandatory filter declines the chunk
     */
    public EncodedChunk encode(byte[] raw, int length) throws IOException {
        return encode(raw, length, null);
    }

    /**
     * As {@link #encode(byte[], int)}, the last filter writing into an array from {@code
     * outputs}, which is given the size it must have at least (its bound for this chunk): for a
     * caller that writes the chunk and then reuses the array, so that no chunk costs an array of
     * its exact size. The result's data is that array unless the last filter declined.
     *
     * @param outputs null to have every filter return its own exactly sized array
     */
    public EncodedChunk encode(byte[] raw, int length, IntFunction<byte[]> outputs) throws IOException {
        if (length < 0 || length > raw.length) {
            throw new IllegalArgumentException("length " + length + " outside the " + raw.length + "-byte array");
        }
        byte[] data = raw;
        int dataLength = length;
        int mask = 0;
        byte[] scratch = null;
        for (int i = 0; i < stages.length; i++) {
            Filter filter = stages[i].filter();
            byte[] out;
            int outLength;
            if (filter instanceof ShuffleFilter shuffle && i < stages.length - 1 && scratch == null) {
                // A filter follows and reads the shuffled bytes into its own output: shuffle into
                // this thread's buffer instead of a new chunk-sized array per chunk.
                scratch = SHUFFLE_SCRATCH.atLeast(dataLength);
                outLength = shuffle.encodeInto(data, dataLength, scratch);
                out = scratch;
            } else if (outputs != null && i == stages.length - 1) {
                out = outputs.apply((int) Math.min(MAX_ARRAY, filter.encodedLengthBound(dataLength)));
                outLength = filter.encodeInto(data, dataLength, out);
                if (outLength < 0) out = null;
            } else {
                out = filter.encode(data, dataLength);
                outLength = out == null ? -1 : out.length;
            }
            if (out == null) {
                FilterDescription d = stages[i].description();
                if (!d.optional()) {
                    throw new IOException("filter " + label(d) + " could not encode a chunk of " + dataLength
                            + " bytes and is not optional, so the chunk cannot be stored");
                }
                mask |= 1 << i;
            } else {
                data = out;
                dataLength = outLength;
            }
        }
        // The buffer is this thread's, reused by its next chunk: a result still in it is copied out
        // (when every filter after the shuffle declined).
        if (data == scratch) data = Arrays.copyOf(data, dataLength);
        return new EncodedChunk(data, dataLength, mask);
    }

    /**
     * Undoes the filters in reverse order, skipping those whose bit is set in
     * {@code filterMask}.
     *
     * @param stored the chunk as stored; the first {@code length} bytes count
     * @param rawLength the chunk's size before filtering (the full chunk's size in bytes)
     * @return exactly {@code rawLength} bytes
     * @throws IOException when the chunk is corrupt or does not decode to {@code rawLength}
     */
    public byte[] decode(byte[] stored, int length, int filterMask, int rawLength) throws IOException {
        if (length < 0 || length > stored.length) {
            throw new IllegalArgumentException("length " + length + " outside the " + stored.length + "-byte array");
        }
        // The input of each stage when the chunk was written bounds what decoding may produce.
        long[] inputBound = new long[stages.length];
        long bound = rawLength;
        for (int i = 0; i < stages.length; i++) {
            inputBound[i] = bound;
            if ((filterMask & (1 << i)) == 0) {
                bound = Math.min(MAX_ARRAY, stages[i].filter().encodedLengthBound(bound));
            }
        }
        byte[] data = stored;
        int dataLength = length;
        for (int i = stages.length - 1; i >= 0; i--) {
            if ((filterMask & (1 << i)) != 0) {
                continue;
            }
            data = stages[i].filter().decode(data, dataLength, (int) inputBound[i]);
            dataLength = data.length;
        }
        if (dataLength != rawLength) {
            throw new IOException("chunk decodes to " + dataLength + " bytes, not the " + rawLength
                    + " bytes of a chunk: corrupt chunk");
        }
        return data.length == dataLength ? data : Arrays.copyOf(data, dataLength);
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Stage s : stages) {
            names.add(label(s.description()));
        }
        return "FilterPipeline" + names;
    }
}
