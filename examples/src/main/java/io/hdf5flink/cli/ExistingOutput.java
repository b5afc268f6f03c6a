package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The output dataset as {@code convert} finds it before it starts: absent, or there with its
 * layout and rows; whether the input may be appended to it (same dtype and row shape, room in its
 * maxshape, no option asking for another layout), and what its chunks will cost. Read without the
 * writer's lock: the sink checks the layout again when it opens the file.
 */
final class ExistingOutput {
    private final Path output;
    private final String dataset;
    /** Null when the dataset does not exist. */
    private final DatasetSpec spec;
    private final long rows;
    private final List<String> attributes;

    private ExistingOutput(Path output, String dataset, DatasetSpec spec, long rows, List<String> attributes) {
        this.output = output;
        this.dataset = dataset;
        this.attributes = attributes;
        this.spec = spec;
        this.rows = rows;
    }

    /** A dataset's element type and shape, to check messages appended to it against. */
    record Row(DataType type, long[] rowShape, long[] shape) {}

    /**
     * Every dataset {@code output} holds, by path, with its row type; none when the file does not
     * exist (what {@code acquire} checks the messages of a continued acquisition against).
     */
    static java.util.Map<String, Row> datasets(Path output) {
        java.util.Map<String, Row> found = new java.util.TreeMap<>();
        if (!Files.exists(output)) return found;
        List<String> paths = new java.util.ArrayList<>();
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(output)) {
            collect(h, paths);
        }
        try (Hdf5File f = Hdf5File.openReadOnly(output)) {
            for (String path : paths) {
                Hdf5Dataset d = f.dataset(path);
                long[] shape = d.shape();
                found.put(path, new Row(d.spec().type(), Arrays.copyOfRange(shape, 1, shape.length), shape));
            }
        }
        return found;
    }

    private static void collect(io.jhdf.api.Group group, List<String> paths) {
        for (io.jhdf.api.Node n : group.getChildren().values()) {
            if (n instanceof io.jhdf.api.Dataset d && !d.isScalar() && d.getDimensions().length > 0) paths.add(n.getPath());
            else if (n instanceof io.jhdf.api.Group g && !n.isLink()) collect(g, paths);
        }
    }

    /** No dataset: the output is new. */
    static ExistingOutput none(Path output, String dataset) {
        return new ExistingOutput(output, dataset, null, 0, List.of());
    }

    static ExistingOutput read(Path output, String dataset) {
        if (!Files.exists(output)) return new ExistingOutput(output, dataset, null, 0, List.of());
        try (Hdf5File f = Hdf5File.openReadOnly(output)) {
            if (!f.exists(dataset)) return new ExistingOutput(output, dataset, null, 0, List.of());
            Hdf5Dataset existing = f.dataset(dataset);
            return new ExistingOutput(output, dataset, existing.spec(), existing.shape()[0], existing.attributeNames());
        } catch (Hdf5Exception e) {
            throw new UsageException("cannot append to " + output + ": " + e.getMessage(), e);
        }
    }

    /** The dataset's layout, or null when it does not exist. */
    DatasetSpec spec() {
        return spec;
    }

    long rows() {
        return rows;
    }

    /** Whether {@code output} is an HDF5 file without any object: created, never committed to. */
    static boolean isEmpty(Path output) {
        try (Hdf5File f = Hdf5File.openReadOnly(output)) {
            return f.root().memberNames().isEmpty();
        } catch (RuntimeException notOurs) {
            return false;
        }
    }

    /**
     * The hint for an output that already has the whole input's shape: a run killed after it
     * completed and removed its checkpoints leaves just that (empty when it does not).
     */
    static String completedHint(Path output, String dataset, long[] inShape) {
        try (Hdf5File f = Hdf5File.openReadOnly(output)) {
            if (f.exists(dataset) && Arrays.equals(f.dataset(dataset).shape(), inShape)) {
                return " (its " + dataset + " already has the input's shape " + OutputSummary.tuple(inShape)
                        + ": an earlier run may have completed)";
            }
        } catch (RuntimeException notOurs) {
            // Not a file the engine reads, or no such dataset: no hint.
        }
        return "";
    }

    /**
     * Refuses to append an input the dataset already holds (recorded by the convert that wrote
     * it: {@link InputIdentity}): the same {@code --append} run again after it completed would
     * double its rows. {@code --append-again} says the repeat is meant.
     */
    void checkNotAppendedBefore(String inputAttribute, boolean again) {
        if (again || !attributes.contains(inputAttribute)) return;
        throw new UsageException(output + ":" + dataset + " already holds these inputs (recorded by the convert that wrote"
                + " them, attribute " + inputAttribute + "): appending them again would double their rows; pass"
                + " --append-again if that is what you want");
    }

    /** The inputs recorded in the dataset ({@link InputIdentity}), in one line for the plan file. */
    String recordedInputs() {
        return String.join(",", attributes.stream().filter(a -> a.startsWith(InputIdentity.ATTRIBUTE_PREFIX)).toList());
    }

    /**
     * Refuses to resume an append when another convert appended to the dataset since it started
     * (an input recorded that was not there then): its rows now sit where this run's go.
     *
     * @param atStart {@link #recordedInputs()} when the conversion first started
     */
    void checkNoOtherAppendSince(String atStart, String ownInput) {
        List<String> before = List.of(atStart.split(","));
        for (String a : attributes) {
            if (a.startsWith(InputIdentity.ATTRIBUTE_PREFIX) && !before.contains(a) && !a.equals(ownInput)) {
                throw new UsageException(output + ":" + dataset + " was appended to by another convert since this one started"
                        + " (it records input " + a + "): resuming would write over those rows; convert the rest into"
                        + " another dataset, or delete the checkpoints to start over");
            }
        }
    }

    /**
     * Refuses an append the dataset cannot take, naming the option or the property at fault.
     *
     * @param baseRows the rows the appended input goes after
     * @param filters the filters the options ask for, or null when they ask for none
     * @param fill the fill value asked for, or null
     */
    void checkAppendable(ConvertCommand o, DataType type, long[] inShape, long baseRows, ChunkFilters filters, Number fill) {
        String where = output + ":" + dataset;
        long[] shape = spec.shape();
        if (spec.type() != type) {
            throw new UsageException("cannot append " + type.numpyStr() + " to " + where + ", which holds " + spec.type().numpyStr());
        }
        long[] inRow = Arrays.copyOfRange(inShape, 1, inShape.length);
        long[] row = Arrays.copyOfRange(shape, 1, shape.length);
        if (shape.length != inShape.length || !Arrays.equals(row, inRow)) {
            throw new UsageException("cannot append rows of shape " + OutputSummary.tuple(inRow) + " to " + where
                    + ", whose rows have shape " + OutputSummary.tuple(row));
        }
        long max = spec.maxShape()[0];
        if (max != DatasetSpec.UNLIMITED && baseRows + inShape[0] > max) {
            throw new UsageException("cannot append " + inShape[0] + " rows to " + where + ": its maxshape "
                    + OutputSummary.tuple(spec.maxShape()) + " allows " + max + " rows, it holds " + baseRows);
        }
        if (o.chunks != null && !Arrays.equals(o.chunks.stream().mapToLong(Long::longValue).toArray(), spec.chunks())) {
            throw new UsageException("--chunks " + ConvertPlan.join(o.chunks) + " differs from the chunks "
                    + OutputSummary.tuple(spec.chunks()) + " of " + where + "; appending keeps them (omit --chunks)");
        }
        if (filters != null) {
            DatasetSpec asked = filters.applyTo(DatasetSpec.builder(type, shape).maxShape(spec.maxShape()).chunks(spec.chunks()))
                    .build();
            // As users name them: a plugin's version or block size in the client data is not a conflict.
            if (!OutputSummary.filterNames(asked.filters()).equals(OutputSummary.filterNames(spec.filters()))) {
                throw new UsageException("--codec/--shuffle/--fletcher32 ask for " + OutputSummary.filterNames(asked.filters())
                        + ", but " + where + " uses " + OutputSummary.filterNames(spec.filters())
                        + "; appending keeps its filters (omit them)");
            }
        }
        if (fill != null) {
            byte[] asked = DatasetSpec.builder(type, shape).chunks(spec.chunks()).fillValue(fill).build().fillValue();
            if (!Arrays.equals(asked, spec.fillValue())) {
                throw new UsageException("--fill " + o.fill + " differs from the fill value of " + where
                        + "; appending keeps it (omit --fill)");
            }
        }
    }

    /**
     * A warning when the dataset's chunks are far from the automatic rule's size (ten times
     * smaller or larger): they stay with the dataset, and tiny ones make a huge index and slow
     * reads, huge ones slow every small read.
     */
    Optional<String> chunkWarning(long newRows) {
        long[] chunks = spec.chunks();
        long bytes = spec.type().size();
        long perRowBand = 1;
        for (int d = 0; d < chunks.length; d++) {
            bytes *= chunks[d];
            if (d > 0) perRowBand *= (spec.shape()[d] + chunks[d] - 1) / chunks[d];
        }
        long target = ChunkShapeRule.DEFAULT_TARGET_BYTES;
        if (bytes * 10 >= target && bytes <= target * 10) return Optional.empty();
        long newChunks = (newRows + chunks[0] - 1) / chunks[0] * perRowBand;
        return Optional.of(String.format(Locale.ROOT, "%s:%s has chunks %s of %s, far from the ~10 MB the automatic rule"
                + " chooses; appending keeps them (these %,d rows take about %,d chunks)%s", output, dataset,
                OutputSummary.tuple(chunks), bytes < 1_000_000 ? String.format(Locale.ROOT, "%,d bytes", bytes)
                        : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6), newRows, newChunks,
                bytes * 10 < target ? ": many small chunks make a large index and slow reads; convert the whole"
                        + " dataset into a new file to choose new chunks" : ": every read decompresses whole chunks"));
    }
}
