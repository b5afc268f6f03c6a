package io.hdf5flink.cli;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.ArrayBlockSource;
import io.hdf5flink.source.ArraySource;
import io.hdf5flink.source.MultiFileArraySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code convert} reads: its {@code --input} paths resolved (files, a directory or a glob),
 * the kind of source that reads them decided once (one file mapped or streamed, or several
 * forming one array by {@code --layout}; {@code .npy} or raw by content), and that source built
 * for given chunk rows. Every mistake is a {@link UsageException} naming the option or the file.
 */
final class ConvertInputs {
    private final ConvertCommand o;
    private final String dataset;
    private final List<Path> inputs;
    private final SourceFactory factory;

    private ConvertInputs(ConvertCommand o, String dataset) {
        this.o = o;
        this.dataset = dataset;
        this.inputs = resolveInputs(o);
        this.factory = sourceFactory(inputs);
    }

    static ConvertInputs resolve(ConvertCommand o, String dataset) {
        return new ConvertInputs(o, dataset);
    }

    /** The inputs as resolved: absolute paths, a glob as one pattern. */
    List<Path> paths() {
        return inputs;
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

    /** The input as the first line names it, e.g. {@code rec.npy (<i2, shape (1000, 64))}. */
    String describe(DataType type, long[] shape) {
        String what = inputs.size() == 1 ? inputs.get(0).toString() : inputs.size() + " files";
        return what + " (" + type.numpyStr() + ", shape " + OutputSummary.tuple(shape) + ")";
    }

    /** The inputs as absolute paths; globs stay patterns. Missing inputs are refused here. */
    private static List<Path> resolveInputs(ConvertCommand o) {
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
