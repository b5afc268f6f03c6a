package io.hdf5flink.cli;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5DatasetReader;
import io.hdf5flink.source.ArrayBlockSource;
import io.hdf5flink.source.Hdf5Source;
import io.hdf5flink.source.ArraySource;
import io.hdf5flink.source.MultiFileArraySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * What {@code convert} reads: its {@code --input} paths resolved (files, a directory or a glob,
 * HDF5 datasets as {@code FILE:/path}), the kind of source that reads them decided once (one file
 * mapped or streamed, HDF5 datasets, or several files forming one array by {@code --layout};
 * HDF5, {@code .npy} or raw by content), and that source built for given chunk rows. Every mistake is a {@link UsageException} naming the option or the file.
 */
final class ConvertInputs {
    /** The attributes convert records its runs in start with this ({@link InputIdentity}, {@link AppendClaim}). */
    private static final String CONVERT_ATTRIBUTES = "_hdf5flink_";

    private final ConvertCommand o;
    private final String dataset;
    private final List<Path> inputs;
    /** Per input, the HDF5 dataset named after its path ({@code FILE:/path}), or null. */
    private final List<String> inputDatasets = new ArrayList<>();
    /** Whether the inputs are HDF5 datasets, read by an {@link Hdf5Source}. */
    private final boolean hdf5;
    private final SourceFactory factory;

    private ConvertInputs(ConvertCommand o, String dataset) {
        this.o = o;
        this.dataset = dataset;
        this.inputs = resolveInputs(o, inputDatasets);
        this.hdf5 = inputDatasets.stream().anyMatch(d -> d != null)
                || (inputs.size() == 1 && Files.isRegularFile(inputs.get(0)) && isHdf5(inputs.get(0)));
        this.factory = hdf5 ? hdf5Factory() : sourceFactory(inputs);
    }

    static ConvertInputs resolve(ConvertCommand o, String dataset) {
        return new ConvertInputs(o, dataset);
    }

    /** The inputs as resolved: absolute paths, a glob as one pattern, an HDF5 dataset as {@code FILE:/path}. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            names.add(inputDatasets.get(i) == null ? inputs.get(i).toString() : inputs.get(i) + ":" + inputDatasets.get(i));
        }
        return names;
    }

    /** The HDF5 datasets named with the inputs, in order; empty when none is. */
    List<String> datasets() {
        return inputDatasets.stream().filter(d -> d != null).toList();
    }

    /**
     * {@code spec} with the attributes of the (first) HDF5 input's dataset, those the engine can
     * write; each one it cannot, and convert's own bookkeeping attributes, become a warning.
     */
    DatasetSpec withCopiedAttributes(DatasetSpec spec, List<String> warnings) {
        DatasetSpec.Builder b = spec.toBuilder();
        copyableAttributes(inputDatasetPath(), "attribute not copied: ", warnings).forEach(b::attribute);
        return b.build();
    }

    /**
     * Builds the source for output chunks of {@code chunkRows} rows. Its blocks are sized from
     * the chunk shape: a few MB of whole chunk row-bands, or one band when a band (a large frame)
     * is bigger.
     */
    ArrayBlockSource source(long chunkRows) {
        try {
            return factory.build(chunkRows);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | ArithmeticException e) {
            String m = e.getMessage();
            throw new UsageException(m == null ? e.toString() : m, e);
        }
    }

    /**
     * With {@code --copy-attributes}: the attributes of the groups that enclose the input dataset,
     * paired level by level, from the dataset upward, with the groups that enclose
     * {@code outputDataset} (the root of neither is paired), e.g. {@code /entry/data/data} to
     * {@code /entry/data/data} copies those of {@code /entry/data} and {@code /entry}, NeXus's
     * {@code NX_class} among them. Those not copyable become warnings.
     */
    Map<String, Map<String, AttributeValue>> groupAttributes(String outputDataset, List<String> warnings) {
        Map<String, Map<String, AttributeValue>> byGroup = new LinkedHashMap<>();
        String in = inputDatasetPath();
        String out = outputDataset;
        while (parent(in) != null && parent(out) != null) {
            in = parent(in);
            out = parent(out);
            Map<String, AttributeValue> copied = copyableAttributes(in, "attribute of " + in + " not copied: ", warnings);
            if (!copied.isEmpty()) byGroup.put(out, copied);
        }
        return byGroup;
    }

    /** The path of the (first) HDF5 input's dataset: named with it, or the file's only one. */
    private String inputDatasetPath() {
        if (!hdf5) throw new UsageException("--copy-attributes copies an HDF5 input's attributes; the input is not HDF5");
        if (inputDatasets.get(0) != null) return inputDatasets.get(0);
        try {
            return Hdf5DatasetReader.datasetPaths(inputs.get(0)).get(0);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--copy-attributes: " + e.getMessage(), e);
        }
    }

    /**
     * The attributes of {@code object} in the first input that the engine can write, except
     * convert's own records; each one left out becomes a warning starting with {@code prefix}.
     */
    private Map<String, AttributeValue> copyableAttributes(String object, String prefix, List<String> warnings) {
        List<String> skipped = new ArrayList<>();
        Map<String, AttributeValue> copied = new LinkedHashMap<>();
        try {
            Hdf5DatasetReader.copyableAttributes(inputs.get(0), object, skipped).forEach((name, value) -> {
                if (name.startsWith(CONVERT_ATTRIBUTES)) skipped.add(name + " (convert's record of an earlier run)");
                else copied.put(name, value);
            });
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("--copy-attributes: " + e.getMessage(), e);
        }
        for (String s : skipped) warnings.add(prefix + s);
        return copied;
    }

    /** The enclosing group of an absolute path, or null for the root and its members' parent (the root). */
    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }

    /** The input as the first line names it, e.g. {@code rec.npy (<i2, shape (1000, 64))}. */
    String describe(DataType type, long[] shape) {
        String what = inputs.size() == 1 ? names().get(0) : inputs.size() + (hdf5 ? " datasets" : " files");
        return what + " (" + type.numpyStr() + ", shape " + OutputSummary.tuple(shape) + ")";
    }

    /**
     * The inputs as absolute paths; globs stay patterns. Missing inputs are refused here. An
     * input {@code FILE:/path} whose {@code FILE} is a file names a dataset of it: its path goes
     * to {@code datasets} (null for the other inputs).
     */
    private static List<Path> resolveInputs(ConvertCommand o, List<String> datasets) {
        List<Path> paths = new ArrayList<>();
        for (String given : o.inputs) {
            String s = given;
            String datasetPath = null;
            int colon = datasetSeparator(given);
            if (colon > 0) {
                s = given.substring(0, colon);
                datasetPath = given.substring(colon + 1);
            }
            datasets.add(datasetPath);
            if (isGlob(s)) {
                if (o.inputs.size() > 1) {
                    throw new UsageException("--input " + s + ": a glob must be the only input (or let the shell expand it)");
                }
                String pattern = Path.of(s).isAbsolute() ? s : Path.of("").toAbsolutePath() + "/" + s;
                paths.add(Path.of(pattern));
                continue;
            }
            Path p = Path.of(s).toAbsolutePath().normalize();
            checkReadable(s, p);
            if (o.inputs.size() > 1 && !Files.isRegularFile(p)) {
                throw new UsageException("--input " + s + " is not a file; several inputs must be files");
            }
            paths.add(p);
        }
        return paths;
    }

    /**
     * Refuses an input that is missing, a link that cannot be followed, unreadable, or neither a
     * file nor a directory (a device, a pipe, a socket: convert maps or seeks what it reads),
     * saying which.
     */
    private static void checkReadable(String s, Path p) {
        if (!Files.exists(p)) {
            if (!Files.isSymbolicLink(p)) throw new UsageException("input not found: " + s);
            try {
                p.toRealPath();
                throw new UsageException("input not found: " + s);
            } catch (IOException e) {
                String reason = e instanceof java.nio.file.NoSuchFileException ? "its target does not exist"
                        : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                        : e.getMessage();
                throw new UsageException("--input " + s + " is a symbolic link that cannot be followed: " + reason);
            }
        }
        if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
            throw new UsageException("--input " + s + " is not a regular file or a directory (a device, a pipe or a socket?):"
                    + " convert reads files it can map or seek");
        }
        if (!Files.isReadable(p)) throw new UsageException("cannot read --input " + s + ": permission denied");
    }

    /**
     * Where {@code FILE:/path} splits: at the first {@code ":/"} whose left side is an existing
     * file, unless the whole string is one (a file name may hold {@code ":/"} only in a directory
     * name, which is then not a file); -1 when it names no dataset.
     */
    private static int datasetSeparator(String s) {
        if (Files.exists(Path.of(s))) return -1;
        for (int at = s.indexOf(":/"); at > 0; at = s.indexOf(":/", at + 1)) {
            if (Files.isRegularFile(Path.of(s.substring(0, at)))) return at;
        }
        return -1;
    }

    private static boolean isHdf5(Path file) {
        try {
            return Hdf5DatasetReader.isHdf5File(file);
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads HDF5 datasets: one input, or several (files or datasets) with {@code --layout
     * segments}, their rows one after the other. Each must be an HDF5 file.
     */
    private SourceFactory hdf5Factory() {
        if (o.dtype != null || o.shape != null || o.headerBytes != null) {
            throw new UsageException("--dtype, --shape and --header-bytes describe raw inputs; an HDF5 dataset states its own");
        }
        if (inputs.size() > 1 && o.layout != ConvertCommand.Layout.segments) {
            throw new UsageException("several HDF5 inputs need --layout segments (their rows one after the other)");
        }
        if (o.layout == ConvertCommand.Layout.columns) {
            throw new UsageException("--layout columns takes 1-D files (a directory or a glob of them); name several "
                    + "HDF5 datasets with --layout segments");
        }
        for (Path p : inputs) {
            if (!Files.isRegularFile(p) || !isHdf5(p)) {
                throw new UsageException("--input " + p + " is not an HDF5 file (it does not start with HDF5's signature);"
                        + " HDF5 datasets cannot be mixed with other inputs");
            }
        }
        return chunkRows -> {
            Hdf5Source.Builder b = Hdf5Source.builder();
            for (int i = 0; i < inputs.size(); i++) {
                if (inputDatasets.get(i) == null) b.input(inputs.get(i));
                else b.input(inputs.get(i), inputDatasets.get(i));
            }
            // Safe here: ConvertJob's blocks go to the sink through PrepareBlocks, which keeps none.
            return b.dataset(dataset).chunkRows(chunkRows).recycleBlockArrays(true).build();
        };
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
    private interface SourceFactory {
        ArrayBlockSource build(long chunkRows);
    }

    private static boolean startsWithNpyMagic(Path file) {
        try {
            return ArraySource.isNpyFile(file);
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
                    throw new UsageException("--shape " + ConvertPlan.join(o.shape) + ": extents must be positive (the first may be -1)");
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
                // Safe here: ConvertJob's blocks go to the sink through PrepareBlocks, which keeps none.
                return b.dataset(dataset).chunkRows(chunkRows).recycleBlockArrays(true).build();
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
            return b.dataset(dataset).chunkRows(chunkRows).recycleBlockArrays(true).build();
        };
    }
}
