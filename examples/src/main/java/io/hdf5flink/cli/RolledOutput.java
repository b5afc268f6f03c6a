package io.hdf5flink.cli;

import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.sink.RolledFiles;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The output of {@code convert --rows-per-file}: the master file {@code OUT.h5} and its data files
 * {@code OUT_000001.h5, ...} ({@link RolledFiles}), read back for the checks and the summary line.
 */
final class RolledOutput {
    private RolledOutput() {}

    /** The data files of {@code master} that exist, in order (up to the first missing one). */
    static List<Path> dataFiles(Path master) {
        List<Path> files = new ArrayList<>();
        for (int i = 0;; i++) {
            Path p = master.resolveSibling(Path.of(RolledFiles.dataFile(master.getFileName().toString(), i)));
            if (!Files.exists(p)) return files;
            files.add(p);
        }
    }

    /** Whether the master or any data file exists. */
    static boolean exists(Path master) {
        return Files.exists(master) || !dataFiles(master).isEmpty();
    }

    /**
     * Deletes the data files of a run killed before its first commit: files its writers created
     * (they write chunks into them before any commit) that hold no object. Only when there is no
     * master, which the first commit writes.
     */
    static void deleteUncommitted(Path master) throws IOException {
        if (Files.exists(master)) return;
        List<Path> files = dataFiles(master);
        for (Path p : files) if (!ExistingOutput.isEmpty(p)) return;
        for (Path p : files) Files.delete(p);
    }

    /** Rows the data files hold committed, as the master shows them: the full files, then the first that is not full. */
    static long rows(Path master, String dataset, long rowsPerFile) {
        return RolledFiles.committedRows(master, dataset, rowsPerFile, 0).stream().mapToLong(Long::longValue).sum();
    }

    /** The summary of the whole recording: the layout of its first data file, the rows and bytes of all. */
    static OutputSummary summary(Path master, String dataset, long rows) {
        List<Path> files = dataFiles(master);
        if (files.isEmpty()) throw new IllegalStateException(master + " has no data file");
        OutputSummary first = OutputSummary.read(files.get(0), dataset);
        long stored = 0;
        long bytes = 0;
        try {
            for (Path p : files) {
                try (HdfFile h = new HdfFile(p)) {
                    stored += h.getDatasetByPath(dataset).getStorageInBytes();
                }
                bytes += Files.size(p);
            }
            if (Files.exists(master)) bytes += Files.size(master);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long[] shape = first.shape();
        shape[0] = rows;
        return new OutputSummary(master, dataset, first.type(), shape, first.maxShape(), first.chunks(), first.filters(), stored,
                bytes, new LinkedHashMap<>(first.attributes()));
    }

    /** The rows the master's virtual dataset shows (libhdf5 readers see these). */
    static long masterRows(Path master, String dataset) {
        try (Hdf5File f = Hdf5File.openReadOnly(master)) {
            return f.datasetShape(dataset)[0];
        }
    }
}
