package io.hdf5flink.source.probe;

import io.hdf5flink.hdf5.Hdf5DatasetReader;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Describes a dataset of an HDF5 file as an input array: its element type, shape and byte order,
 * read by the engine's {@link Hdf5DatasetReader} (which also refuses what it cannot read: an
 * unknown filter by id, an unsupported datatype or storage). A contiguous dataset whose storage is
 * allocated lies verbatim in the file and is memory-mapped; every other one is read chunk by chunk.
 */
final class HdfDatasets {
    /** How many dataset names a refusal lists. */
    private static final int LISTED = 10;

    private HdfDatasets() {}

    /** Dataset {@code dataset} (an absolute path in the file) of {@code file}. */
    static ProbedArray dataset(Path file, String dataset) throws IOException {
        if (!dataset.startsWith("/")) {
            throw new IOException("the dataset path " + dataset + " is not absolute: write it as " + file + ":/" + dataset);
        }
        try (Hdf5DatasetReader reader = Hdf5DatasetReader.open(file, dataset)) {
            Location location = Location.hdf5(file.toString(), dataset);
            long offset = reader.contiguousOffset().orElse(0);
            boolean mapped = reader.contiguousOffset().isPresent();
            return new ProbedArray(new ArrayInput(location, mapped, offset, reader.type(), reader.bigEndian()), reader.shape());
        }
    }

    /** The only dataset of {@code file}; a file holding none or several is refused, naming them. */
    static ProbedArray onlyDataset(Path file) throws IOException {
        List<String> paths = Hdf5DatasetReader.datasetPaths(file);
        if (paths.size() == 1) return dataset(file, paths.get(0));
        if (paths.isEmpty()) throw new IOException("the HDF5 file holds no dataset");
        String listed = String.join(", ", paths.subList(0, Math.min(LISTED, paths.size())))
                + (paths.size() > LISTED ? ", ..." : "");
        throw new IOException("the HDF5 file holds " + paths.size() + " datasets (" + listed + "): name one, as "
                + file + ":" + paths.get(0));
    }
}
