package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import java.util.Arrays;

/**
 * What {@code --codec}, {@code --shuffle}, {@code --fletcher32}, {@code --fill} and
 * {@code --chunks} say about the output dataset, checked and parsed; each mistake is a
 * {@link UsageException} naming the option.
 */
final class NewDatasetOptions {
    /** A chunk shape and why it was chosen, as the first line prints it. */
    record ChunkChoice(long[] shape, String reason) {}

    private NewDatasetOptions() {}

    /** The filters: shuffle + gzip 4 unless the options say otherwise, as the sink's default. */
    static ChunkFilters filters(ConvertCommand o) {
        return filters(o.codec, o.shuffle, o.fletcher32);
    }

    /** The filters {@code --codec}, {@code --shuffle} and {@code --fletcher32} give (each null when not given). */
    static ChunkFilters filters(String codec, Boolean shuffleOption, Boolean fletcher32) {
        ChunkFilters c;
        try {
            c = ChunkFilters.parse(codec == null ? "gzip:4" : codec);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--codec '" + codec + "': " + e.getMessage());
        }
        // Shuffle lifts every codec's ratio on numeric data: on by default; pointless without a compressor,
        // and before bitshuffle or Blosc, which shuffle as they are told.
        boolean shuffle = shuffleOption != null ? shuffleOption : !c.codec().equals("none") && !c.codecShuffles();
        if (shuffle) c = c.withShuffle();
        if (Boolean.TRUE.equals(fletcher32)) c = c.withFletcher32();
        return c;
    }

    /** Whether any option names filters (an append must then match the dataset's). */
    static boolean namesFilters(ConvertCommand o) {
        return o.codec != null || o.shuffle != null || o.fletcher32 != null;
    }

    /**
     * The fill value {@code --fill} gives for {@code type}, or null: for complex types the real
     * part (the imaginary part is 0), for bool 0 or 1 (also {@code false} or {@code true}).
     */
    static Number fill(ConvertCommand o, DataType type) {
        if (o.fill == null) return null;
        try {
            return type.parseValue(o.fill);
        } catch (NumberFormatException e) {
            throw new UsageException("--fill '" + o.fill + "' is not a " + type.numpyName() + " value");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--fill " + o.fill + ": " + e.getMessage());
        }
    }

    /** The chunks of a new dataset of {@code shape} (its first extent the input's rows). */
    static ChunkChoice chunks(ConvertCommand o, String dataset, DataType type, long[] shape) {
        if (o.chunks != null) {
            long[] c = o.chunks.stream().mapToLong(Long::longValue).toArray();
            if (c.length != shape.length) {
                throw new UsageException("--chunks " + ConvertPlan.join(o.chunks) + " has " + c.length + " extent"
                        + (c.length == 1 ? "" : "s") + ", but the output " + dataset + " " + OutputSummary.tuple(shape)
                        + " has rank " + shape.length);
            }
            for (int d = 0; d < c.length; d++) {
                if (c[d] < 1) throw new UsageException("--chunks " + ConvertPlan.join(o.chunks) + ": extents must be positive");
                if (d > 0 && c[d] > shape[d]) {
                    throw new UsageException("--chunks " + ConvertPlan.join(o.chunks) + ": extent " + c[d] + " on axis " + d
                            + " exceeds the output's " + shape[d]);
                }
            }
            return new ChunkChoice(c, "as given");
        }
        // For the dataset's future, not its first piece: it grows without limit along axis 0, and
        // later appends keep these chunks (h5py and HDMF do not cap chunks by the first write either).
        return new ChunkChoice(ChunkShapeRule.chunksFor(type, Arrays.copyOfRange(shape, 1, shape.length),
                ChunkShapeRule.DEFAULT_TARGET_BYTES), "automatic: whole rows of about 10 MB");
    }

    /** The spec of a new dataset: unlimited along axis 0, empty, the chunks, filters and fill given. */
    static DatasetSpec spec(DataType type, long[] inShape, long[] chunks, ChunkFilters filters, Number fill) {
        long[] initial = inShape.clone();
        initial[0] = 0;
        long[] max = inShape.clone();
        max[0] = DatasetSpec.UNLIMITED;
        DatasetSpec.Builder b = DatasetSpec.builder(type, initial).maxShape(max).chunks(chunks);
        filters.applyTo(b);
        if (fill != null) b.fillValue(fill);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
