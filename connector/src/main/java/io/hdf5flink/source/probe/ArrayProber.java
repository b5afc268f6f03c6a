package io.hdf5flink.source.probe;

import io.hdf5flink.hdf5.Hdf5DatasetReader;
import io.hdf5flink.source.format.RawFormat;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.InputOpener;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.source.input.NaturalOrder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.flink.annotation.Internal;

/**
 * Checks input files on the client, before a job runs, and describes each array they hold: reads
 * {@code .npy} headers (or applies a {@link RawFormat}), expands archives into their members, and
 * makes sure each array's data is all there. A file is {@code .npy} when it starts with numpy's
 * magic, whatever its name (HDMF's tutorials write raw {@code np.memmap} files named {@code .npy});
 * a raw format given for one must agree with its header. A raw file must hold exactly the shape
 * given for it, or whole rows when the first extent is derived: a shape that covers only part of
 * a file would silently drop the rest. Compressed inputs are decoded to their end once here,
 * so truncated or corrupt streams and archive members fail the build instead of the job.
 *
 * <p>Every error is an {@link IllegalArgumentException} whose message starts with the file, and
 * the archive member when there is one.
 */
@Internal
public final class ArrayProber {

    private ArrayProber() {}

    /**
     * Probes a plain, uncompressed file to be memory-mapped, whatever its name.
     *
     * @param raw how to read a raw file, or null for {@code .npy}
     */
    public static ProbedArray probeMapped(Path given, RawFormat raw) {
        // Splits name the file absolutely: TaskManagers may run in another working directory.
        Path file = given.toAbsolutePath();
        Location location = Location.file(file.toString(), StreamCompression.NONE);
        return guard(location, () -> {
            requireFile(file);
            return ArrayData.mapped(location, 0, Files.size(file), raw);
        });
    }

    /**
     * Probes a file by its name: compression suffixes ({@code .gz .bz2 .xz .zst}), archives
     * ({@code .npz .zip .tar .tar.gz .tgz} and other compressed tars) expanded into their
     * members in {@link NaturalOrder}, and HDF5 files (their only dataset), {@code .npy} or raw
     * arrays, told apart by content.
     *
     * @param raw how to read files and members that do not start with numpy's magic, or null when
     *     all must be {@code .npy}
     */
    public static List<ProbedArray> probe(Path given, RawFormat raw) {
        Path file = given.toAbsolutePath();
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        StreamCompression compression = lower.endsWith(".tgz") ? StreamCompression.GZIP : StreamCompression.ofName(name);
        String inner = lower.endsWith(".tgz") ? "x.tar" : compression.strip(lower);
        Location whole = Location.file(file.toString(), compression);
        return guard(whole, () -> {
            requireFile(file);
            if (inner.endsWith(".tar")) return ArchiveMembers.tar(file, compression, raw);
            if (inner.endsWith(".zip") || inner.endsWith(".npz")) {
                if (compression != StreamCompression.NONE) {
                    throw new IOException("a compressed zip archive cannot be read; decompress it first");
                }
                return ArchiveMembers.zip(file, raw);
            }
            if (compression == StreamCompression.NONE && Hdf5DatasetReader.isHdf5File(file)) {
                return List.of(HdfDatasets.onlyDataset(file));
            }
            if (compression == StreamCompression.NONE) return List.of(ArrayData.mapped(whole, 0, Files.size(file), raw));
            try (InputStream in = InputOpener.decodedFile(whole)) {
                return List.of(ArrayData.streamed(whole, in, raw));
            }
        });
    }

    /**
     * Probes dataset {@code dataset} (an absolute path) of the HDF5 file {@code given}, or its only
     * dataset when {@code dataset} is null: chunked datasets with any filter the engine decodes,
     * contiguous and compact ones, in any format version libhdf5 writes.
     */
    public static ProbedArray probeHdf5(Path given, String dataset) {
        Path file = given.toAbsolutePath();
        return guard(dataset == null ? Location.file(file.toString(), StreamCompression.NONE)
                : Location.hdf5(file.toString(), dataset), () -> {
            requireFile(file);
            if (dataset != null) return HdfDatasets.dataset(file, dataset);
            if (!Hdf5DatasetReader.isHdf5File(file)) throw new IOException("not an HDF5 file (it has no HDF5 signature)");
            return HdfDatasets.onlyDataset(file);
        });
    }

    private static void requireFile(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("the file does not exist");
        if (!Files.isRegularFile(file)) throw new IOException("not a regular file");
    }

    interface Probe<T> {
        T run() throws IOException;
    }

    /** Runs a probe, turning every failure into an error that names the input. */
    static <T> T guard(Location location, Probe<T> probe) {
        try {
            return probe.run();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(location.path())) throw e;
            throw new IllegalArgumentException(location + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(location + ": " + describe(e), e);
        }
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
