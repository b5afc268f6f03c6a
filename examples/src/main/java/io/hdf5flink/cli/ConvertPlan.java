package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.source.ArrayBlockSource;
import io.hdf5flink.source.ArraySource;
import io.hdf5flink.source.MultiFileArraySource;
import io.hdf5flink.source.enumerate.NpyHeader;
import io.hdf5flink.source.split.ArraySplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything {@code convert} decides before it starts a job, checked up front so that a command
 * that cannot run fails with one line (exit 2) before anything is written: the inputs and the
 * source that reads them, the dataset spec (dtype and trailing shape from the input, or from the
 * existing dataset for {@code --append}; chunks given or chosen; filters; fill), the rows the
 * dataset already holds, whether the sink can take the blocks without a shuffle, and whether a
 * killed run is to be resumed.
 */
final class ConvertPlan {
    final Path output;
    final String dataset;
    final ArrayBlockSource source;
    final DatasetSpec spec;
    /** The dataset exists and is appended to. */
    final boolean appending;
    /** Rows the dataset held when the conversion (first) started; new rows go after them. */
    final long baseRows;
    /** The existing rows of the partial last chunk, re-emitted with the first new rows (null: aligned). */
    /** Blocks cover whole chunks, each chunk from one reader: the sink needs no shuffle. */
    final boolean chunkAligned;
    final String chunkChoice;
    final int parallelism;
    final Duration checkpointInterval;
    final CheckpointDirectory checkpoints;
    /** The checkpoint to resume from, or null for a fresh run. */
    final CheckpointDirectory.Completed resumeFrom;
    final Properties planFile;
    final String inputDescription;
    /** Lines to print before the job starts: the conversion will run, but not as well as it could. */
    final List<String> warnings;

    private ConvertPlan(Builder b) {
        this.output = b.output;
        this.dataset = b.dataset;
        this.source = b.source;
        this.spec = b.spec;
        this.appending = b.appending;
        this.baseRows = b.baseRows;
        this.chunkAligned = b.chunkAligned;
        this.chunkChoice = b.chunkChoice;
        this.parallelism = b.parallelism;
        this.checkpointInterval = b.interval;
        this.checkpoints = b.checkpoints;
        this.resumeFrom = b.resumeFrom;
        this.planFile = b.planFile;
        this.inputDescription = b.inputDescription;
        this.warnings = List.copyOf(b.warnings);
    }

    /** Raw bytes of the input: what the job hands to the sink. */
    long inputBytes() {
        long n = source.getDataType().size();
        for (long s : source.getShape()) n *= s;
        return n;
    }

    /** Bytes of one output row. */
    long rowBytes() {
        long[] shape = source.getShape();
        long n = source.getDataType().size();
        for (int d = 1; d < shape.length; d++) n *= shape[d];
        return n;
    }

    long inputRows() {
        return source.getShape()[0];
    }

    /** The codec as the summary names it. */
    String codecName() {
        return OutputSummary.filterNames(spec.filters());
    }

    static ConvertPlan make(ConvertCommand o) throws IOException {
        return new Builder(o).build();
    }

    private static final class Builder {
        private final ConvertCommand o;
        Path output;
        String dataset;
        ArrayBlockSource source;
        DatasetSpec spec;
        boolean appending;
        long baseRows;
        boolean chunkAligned;
        String chunkChoice;
        int parallelism;
        Duration interval;
        CheckpointDirectory checkpoints;
        CheckpointDirectory.Completed resumeFrom;
        Properties planFile;
        String inputDescription;
        final List<String> warnings = new ArrayList<>();
        private SourceFactory factory;

        Builder(ConvertCommand o) {
            this.o = o;
        }

        ConvertPlan build() throws IOException {
            parallelism = o.parallelismOrDefault();
            interval = o.interval();
            output = o.output.toAbsolutePath().normalize();
            if (Files.isDirectory(output)) throw new UsageException("--output " + o.output + " is a directory; name an HDF5 file");
            try {
                dataset = Hdf5Paths.normalize(o.dataset);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--dataset '" + o.dataset + "': " + e.getMessage());
            }
            if (dataset.equals("/")) throw new UsageException("--dataset / is the root group; name a dataset, e.g. /data");
            ChunkFilters compression = compression();
            Number fillValue = null;
            List<Path> inputs = resolveInputs();
            factory = sourceFactory(inputs);
            checkpoints = new CheckpointDirectory(o.checkpointDir != null ? o.checkpointDir.toAbsolutePath().normalize()
                    : output.resolveSibling(output.getFileName() + ".checkpoints"));
            String canonical = o.canonicalOptions(inputs);
            Properties previous = readPlanOrRefuse();
            resumeFrom = completedCheckpoint().orElse(null);
            if (resumeFrom != null) {
                if (previous == null || !canonical.equals(previous.getProperty("options"))) {
                    throw new UsageException(checkpoints.path() + " holds the checkpoints of an interrupted conversion"
                            + (previous == null ? "" : " with other options (" + previous.getProperty("options") + ")")
                            + ": run that command again to resume it, or delete " + checkpoints.path() + " to start over");
                }
            }

            // Probe the input (a first build; rebuilt below once the chunk rows are known).
            ArrayBlockSource probe = build(o.chunks != null && !o.chunks.isEmpty() ? Math.max(1, o.chunks.get(0)) : 1);
            DataType type = probe.getDataType();
            long[] inShape = probe.getShape();
            inputDescription = describeInput(inputs, type, inShape);
            if (o.fill != null) fillValue = parseFill(o.fill, type);

            // The output as it is.
            boolean outputExists = Files.exists(output);
            if (outputExists && !o.append && resumeFrom == null) {
                throw new UsageException(output + " exists; pass --append to add to it, or choose another --output"
                        + (previous != null ? " (an earlier run may have completed; " + checkpoints.path()
                        + " holds no completed checkpoint)" : holdsTheInput(inShape)));
            }
            DatasetSpec existingSpec = null;
            long existingRows = 0;
            if (outputExists) {
                try (Hdf5File f = Hdf5File.openReadOnly(output)) {
                    if (f.exists(dataset)) {
                        Hdf5Dataset existing = f.dataset(dataset);
                        existingSpec = existing.spec();
                        existingRows = existing.shape()[0];
                    }
                } catch (Hdf5Exception e) {
                    throw new UsageException("cannot append to " + output + ": " + e.getMessage(), e);
                }
            }
            if (resumeFrom != null) {
                baseRows = Long.parseLong(previous.getProperty("baseRows", "0"));
                appending = Boolean.parseBoolean(previous.getProperty("appending", "false"));
                if (appending && existingSpec == null) {
                    throw new UsageException("the interrupted conversion appended to " + output + ":" + dataset
                            + ", which no longer exists; delete " + checkpoints.path() + " to start over");
                }
            } else {
                appending = o.append && existingSpec != null;
                baseRows = appending ? existingRows : 0;
            }

            long[] chunkShape;
            if (appending) {
                checkAppend(existingSpec, type, inShape, compression, fillValue);
                spec = existingSpec;
                chunkShape = existingSpec.chunks();
                chunkChoice = "those of the existing dataset";
                warnOfChunkSize(existingSpec, inShape[0]);
            } else {
                chunkShape = chooseChunks(type, inShape);
                long[] initial = inShape.clone();
                initial[0] = 0;
                long[] max = inShape.clone();
                max[0] = DatasetSpec.UNLIMITED;
                DatasetSpec.Builder b = DatasetSpec.builder(type, initial).maxShape(max).chunks(chunkShape);
                compression.applyTo(b);
                if (fillValue != null) b.fillValue(fillValue);
                try {
                    spec = b.build();
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage(), e);
                }
            }

            source = build(chunkShape[0]);
            chunkAligned = aligned(source, chunkShape, baseRows);

            planFile = new Properties();
            planFile.setProperty("options", canonical);
            planFile.setProperty("baseRows", Long.toString(baseRows));
            planFile.setProperty("appending", Boolean.toString(appending));
            planFile.setProperty("output", output.toString());
            return new ConvertPlan(this);
        }

        private Properties readPlanOrRefuse() {
            try {
                return checkpoints.readPlan();
            } catch (UncheckedIOException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }

        private Optional<CheckpointDirectory.Completed> completedCheckpoint() {
            try {
                return checkpoints.latestCompleted();
            } catch (UncheckedIOException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }

        private ChunkFilters compression() {
            ChunkFilters c;
            try {
                c = ChunkFilters.parse(o.codec == null ? "gzip:4" : o.codec);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--codec '" + o.codec + "': " + e.getMessage());
            }
            // Shuffle lifts every codec's ratio on numeric data: on by default, as in the sink's
            // default (shuffle + gzip 4); pointless without a compressor.
            boolean shuffle = o.shuffle != null ? o.shuffle : !c.codec().equals("none");
            if (shuffle) c = c.withShuffle();
            if (Boolean.TRUE.equals(o.fletcher32)) c = c.withFletcher32();
            return c;
        }

        /** The inputs as absolute paths; globs stay patterns. Missing inputs are refused here. */
        private List<Path> resolveInputs() {
            List<Path> paths = new ArrayList<>();
            for (String s : o.inputs) {
                if (isGlob(s)) {
                    if (o.inputs.size() > 1) {
                        throw new UsageException("--input " + s + ": a glob must be the only input (or let the shell expand it)");
                    }
                    String pattern = Path.of(s).isAbsolute() ? s : Path.of("").toAbsolutePath() + "/" + s;
                    paths.add(Path.of(pattern));
                    continue;
                }
                Path p = Path.of(s).toAbsolutePath().normalize();
                if (!Files.exists(p)) throw new UsageException("input not found: " + s);
                if (o.inputs.size() > 1 && !Files.isRegularFile(p)) {
                    throw new UsageException("--input " + s + " is not a file; several inputs must be files");
                }
                paths.add(p);
            }
            return paths;
        }

        private static boolean isGlob(String s) {
            return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
        }

        private static boolean compressedOrArchive(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            for (String ext : List.of(".gz", ".bz2", ".xz", ".zst", ".zstd", ".npz", ".zip", ".tar", ".tgz")) {
                if (n.endsWith(ext)) return true;
            }
            return false;
        }

        private static boolean archive(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return n.endsWith(".npz") || n.endsWith(".zip") || n.endsWith(".tgz") || n.contains(".tar");
        }

        /** Builds the source for a given chunk row count; the input kind is decided once, here. */
        interface SourceFactory {
            ArrayBlockSource build(long chunkRows);
        }

        private static boolean startsWithNpyMagic(Path file) {
            try {
                return NpyHeader.startsWithMagic(file);
            } catch (IOException e) {
                throw new UsageException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        private SourceFactory sourceFactory(List<Path> inputs) {
            DataType.Parsed raw = null;
            if (o.dtype != null) {
                try {
                    raw = DataType.parse(o.dtype);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--dtype: " + e.getMessage());
                }
            } else if (o.shape != null || o.headerBytes != null) {
                throw new UsageException("--shape and --header-bytes describe raw inputs: give --dtype too");
            }
            long[] rawShape = o.shape == null ? null : o.shape.stream().mapToLong(Long::longValue).toArray();
            if (rawShape != null) {
                for (int d = 0; d < rawShape.length; d++) {
                    if (rawShape[d] < (d == 0 ? -1 : 1) || rawShape[d] == 0) {
                        throw new UsageException("--shape " + join(o.shape) + ": extents must be positive (the first may be -1)");
                    }
                }
            }
            if (o.headerBytes != null && o.headerBytes < 0) throw new UsageException("--header-bytes must not be negative");
            final DataType.Parsed rawType = raw;
            Path first = inputs.get(0);
            boolean single = inputs.size() == 1 && Files.isRegularFile(first) && o.layout == null;
            if (single && !compressedOrArchive(first.getFileName().toString())) {
                // By content, not by name: HDMF's tutorials write raw np.memmap files named .npy.
                if (rawType == null && !startsWithNpyMagic(first)) {
                    throw new UsageException(first + " is not a .npy file (it does not start with numpy's magic \\x93NUMPY):"
                            + " a raw input needs --dtype (numpy notation, e.g. <f8, >i2) and --shape when it is not 1-D");
                }
                return chunkRows -> {
                    ArraySource.Builder b = rawType == null ? ArraySource.npy(first)
                            : ArraySource.raw(first, rawType.type(), rawType.order());
                    if (rawShape != null) b.shape(rawShape);
                    if (o.headerBytes != null) b.headerBytes(o.headerBytes);
                    return b.dataset(dataset).chunkRows(chunkRows).build();
                };
            }
            final MultiFileArraySource.Layout layout;
            if (o.layout != null) {
                layout = o.layout.source();
            } else if (single && !archive(first.getFileName().toString())) {
                layout = MultiFileArraySource.Layout.SEGMENTS; // one compressed file
            } else {
                throw new UsageException("--layout columns|segments is required for several files, a directory, a glob or an archive");
            }
            return chunkRows -> {
                MultiFileArraySource.Builder b = MultiFileArraySource.builder(layout);
                if (inputs.size() > 1) {
                    b.files(inputs);
                } else if (isGlob(first.toString())) {
                    b.glob(first.toString());
                } else if (Files.isDirectory(first)) {
                    b.directory(first);
                } else {
                    b.files(first);
                }
                if (rawType != null) {
                    b.raw(rawType.type(), rawType.order());
                    if (rawShape != null) b.shape(rawShape);
                    if (o.headerBytes != null) b.headerBytes(o.headerBytes);
                }
                return b.dataset(dataset).chunkRows(chunkRows).build();
            };
        }

        /**
         * Builds the source. Its blocks are sized from the chunk shape: a few MB of whole chunk
         * row-bands, or one band when a band (a large frame) is bigger.
         */
        private ArrayBlockSource build(long chunkRows) {
            try {
                return factory.build(chunkRows);
            } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | ArithmeticException e) {
                String m = e.getMessage();
                throw new UsageException(m == null ? e.toString() : m, e);
            }
        }

        /**
         * The hint for an output that already has the whole input's shape: a run killed after it
         * completed and removed its checkpoints leaves just that (empty when it does not).
         */
        private String holdsTheInput(long[] inShape) {
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

        private long[] chooseChunks(DataType type, long[] shape) {
            if (o.chunks != null) {
                long[] c = o.chunks.stream().mapToLong(Long::longValue).toArray();
                if (c.length != shape.length) {
                    throw new UsageException("--chunks " + join(o.chunks) + " has " + c.length + " extent"
                            + (c.length == 1 ? "" : "s") + ", but the output " + dataset + " " + OutputSummary.tuple(shape)
                            + " has rank " + shape.length);
                }
                for (int d = 0; d < c.length; d++) {
                    if (c[d] < 1) throw new UsageException("--chunks " + join(o.chunks) + ": extents must be positive");
                    if (d > 0 && c[d] > shape[d]) {
                        throw new UsageException("--chunks " + join(o.chunks) + ": extent " + c[d] + " on axis " + d
                                + " exceeds the output's " + shape[d]);
                    }
                }
                chunkChoice = "as given";
                return c;
            }
            // For the dataset's future, not its first piece: it grows without limit along axis 0, and
            // later appends keep these chunks (h5py and HDMF do not cap chunks by the first write either).
            chunkChoice = "automatic: whole rows of about 10 MB";
            return ChunkShapeRule.chunksFor(type, Arrays.copyOfRange(shape, 1, shape.length),
                    ChunkShapeRule.DEFAULT_TARGET_BYTES);
        }

        /**
         * Chunks far from the automatic rule's size (ten times smaller or larger) stay with the
         * dataset: tiny ones make a huge index and slow reads, huge ones slow every small read.
         */
        private void warnOfChunkSize(DatasetSpec existing, long newRows) {
            long[] chunks = existing.chunks();
            long bytes = existing.type().size();
            long perRowBand = 1;
            for (int d = 0; d < chunks.length; d++) {
                bytes *= chunks[d];
                if (d > 0) perRowBand *= (existing.shape()[d] + chunks[d] - 1) / chunks[d];
            }
            long target = ChunkShapeRule.DEFAULT_TARGET_BYTES;
            if (bytes * 10 >= target && bytes <= target * 10) return;
            long newChunks = (newRows + chunks[0] - 1) / chunks[0] * perRowBand;
            warnings.add(String.format(Locale.ROOT, "%s:%s has chunks %s of %s, far from the ~10 MB the automatic rule"
                    + " chooses; appending keeps them (these %,d rows take about %,d chunks)%s", output, dataset,
                    OutputSummary.tuple(chunks), bytes < 1_000_000 ? String.format(Locale.ROOT, "%,d bytes", bytes)
                            : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6), newRows, newChunks,
                    bytes * 10 < target ? ": many small chunks make a large index and slow reads; convert the whole"
                            + " dataset into a new file to choose new chunks" : ": every read decompresses whole chunks"));
        }

        private void checkAppend(DatasetSpec existing, DataType type, long[] inShape, ChunkFilters compression, Number fill) {
            String where = output + ":" + dataset;
            long[] shape = existing.shape();
            if (existing.type() != type) {
                throw new UsageException("cannot append " + type.numpyStr() + " to " + where + ", which holds "
                        + existing.type().numpyStr());
            }
            if (shape.length != inShape.length || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length),
                    Arrays.copyOfRange(inShape, 1, inShape.length))) {
                throw new UsageException("cannot append rows of shape " + OutputSummary.tuple(Arrays.copyOfRange(inShape, 1, inShape.length))
                        + " to " + where + ", whose rows have shape " + OutputSummary.tuple(Arrays.copyOfRange(shape, 1, shape.length)));
            }
            long max = existing.maxShape()[0];
            if (max != DatasetSpec.UNLIMITED && baseRows + inShape[0] > max) {
                throw new UsageException("cannot append " + inShape[0] + " rows to " + where + ": its maxshape "
                        + OutputSummary.tuple(existing.maxShape()) + " allows " + max + " rows, it holds " + baseRows);
            }
            if (o.chunks != null && !Arrays.equals(o.chunks.stream().mapToLong(Long::longValue).toArray(), existing.chunks())) {
                throw new UsageException("--chunks " + join(o.chunks) + " differs from the chunks "
                        + OutputSummary.tuple(existing.chunks()) + " of " + where + "; appending keeps them (omit --chunks)");
            }
            if (o.codec != null || o.shuffle != null || o.fletcher32 != null) {
                DatasetSpec asked = compression.applyTo(DatasetSpec.builder(type, existing.shape())
                        .maxShape(existing.maxShape()).chunks(existing.chunks())).build();
                if (!asked.filters().equals(existing.filters())) {
                    throw new UsageException("--codec/--shuffle/--fletcher32 ask for " + OutputSummary.filterNames(asked.filters())
                            + ", but " + where + " uses " + OutputSummary.filterNames(existing.filters())
                            + "; appending keeps its filters (omit them)");
                }
            }
            if (fill != null) {
                byte[] asked = DatasetSpec.builder(type, shape).chunks(existing.chunks()).fillValue(fill).build().fillValue();
                if (!Arrays.equals(asked, existing.fillValue())) {
                    throw new UsageException("--fill " + o.fill + " differs from the fill value of " + where
                            + "; appending keeps it (omit --fill)");
                }
            }
        }

        /** Whether every chunk's data comes from one split, and splits start on chunk boundaries. */
        private static boolean aligned(ArrayBlockSource source, long[] chunk, long base) {
            long[] shape = source.getShape();
            if (base % chunk[0] != 0) return false;
            for (ArraySplit s : source.getSplits()) {
                long[] offset = s.offset();
                long[] rowShape = s.rowShape();
                long start = offset[0] + s.nextRow();
                long end = offset[0] + s.endRow();
                if (start % chunk[0] != 0 || (end % chunk[0] != 0 && end != shape[0])) return false;
                for (int d = 1; d < chunk.length; d++) {
                    long lo = offset[d];
                    long hi = offset[d] + rowShape[d - 1];
                    if (lo % chunk[d] != 0 || (hi % chunk[d] != 0 && hi != shape[d])) return false;
                }
            }
            return true;
        }

        private static Number parseFill(String text, DataType type) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            try {
                if (type.isFloatingPoint()) {
                    return switch (t) {
                        case "nan" -> Double.NaN;
                        case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
                        case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                        default -> Double.parseDouble(t);
                    };
                }
                Number n = Long.parseLong(t);
                DatasetSpec.builder(type, 1).chunks(1).fillValue(n).build(); // range check
                return n;
            } catch (NumberFormatException e) {
                throw new UsageException("--fill '" + text + "' is not a " + type.name().toLowerCase(Locale.ROOT) + " value");
            } catch (IllegalArgumentException e) {
                throw new UsageException("--fill " + text + ": " + e.getMessage());
            }
        }

        private String describeInput(List<Path> inputs, DataType type, long[] shape) {
            String what = inputs.size() == 1 ? inputs.get(0).toString() : inputs.size() + " files";
            return what + " (" + type.numpyStr() + ", shape " + OutputSummary.tuple(shape) + ")";
        }
    }

    static String join(List<Long> values) {
        List<String> s = new ArrayList<>();
        for (Long v : values) s.add(Long.toString(v));
        return String.join(",", s);
    }
}
