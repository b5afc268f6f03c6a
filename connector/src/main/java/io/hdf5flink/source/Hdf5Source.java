package io.hdf5flink.source;

import io.hdf5flink.source.probe.ArrayProber;
import io.hdf5flink.source.probe.ProbedArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A bounded source reading datasets of existing HDF5 files, to re-chunk, re-compress or
 * concatenate them through an {@code Hdf5Sink}:
 *
 * <pre>{@code
 * Hdf5Source source = Hdf5Source.builder()
 *         .input(Path.of("/data/run1.h5"), "/entry/data/data")
 *         .input(Path.of("/data/run2.h5"), "/entry/data/data")   // appended after run1's rows
 *         .dataset("/data").chunkRows(131072).build();
 * }</pre>
 *
 * <p>The inputs are placed one after the other along axis 0 and must share a dtype and row
 * shape. Splits are whole blocks of the <em>output</em> chunk grid ({@code chunkRows}), so the
 * sink gets chunk-aligned blocks without a shuffle, and readers pull them in parallel; each reader
 * decodes only the input chunks its block covers (a chunk that two blocks share is decoded by
 * both when they go to different readers).
 *
 * <p>Read: every layout libhdf5 writes (chunked with any filter the engine writes, with the
 * filter masks of chunks an optional filter declined; contiguous, memory-mapped; compact),
 * superblock 0 to 3 including {@code libver='latest'} files and every chunk index, the engine's
 * element types in either byte order (big-endian is emitted little-endian). Chunks never written
 * read as the dataset's fill value. {@link #build()} opens every input on the client, so a missing
 * dataset, an unknown filter (named by id), an unsupported datatype or a truncated contiguous
 * dataset fails before the job starts. Every TaskManager must see the files at the same paths,
 * and the files must not change while the job runs: a restored job reads them again.
 */
@PublicEvolving
public final class Hdf5Source extends ArrayBlockSource {
    private static final long serialVersionUID = 1L;

    private Hdf5Source(Builder builder, Segments segments) {
        super(builder, segments.type(), segments.shape(), segments.placements());
    }

    /** A builder; add inputs with {@link Builder#input(Path, String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Hdf5Source}; {@link #build()} opens and checks every input. */
    @PublicEvolving
    public static final class Builder extends ArrayBlockSource.Builder<Builder> {
        private final List<Path> files = new ArrayList<>();
        /** Per input, the dataset's path, or null for the file's only dataset. */
        private final List<String> datasets = new ArrayList<>();

        private Builder() {}

        /** Reads dataset {@code dataset} (an absolute path, e.g. {@code "/entry/data/data"}) of {@code file}. */
        public Builder input(Path file, String dataset) {
            files.add(file);
            datasets.add(dataset);
            return this;
        }

        /** Reads the only dataset of {@code file}; a file with several is refused when built, naming them. */
        public Builder input(Path file) {
            files.add(file);
            datasets.add(null);
            return this;
        }

        /**
         * Opens every input and checks that they agree.
         *
         * @throws IllegalArgumentException naming the file and dataset at fault
         */
        public Hdf5Source build() {
            requireDataset();
            if (files.isEmpty()) throw new IllegalStateException("no input: call input(file, dataset)");
            List<ProbedArray> arrays = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) arrays.add(ArrayProber.probeHdf5(files.get(i), datasets.get(i)));
            return new Hdf5Source(this, Segments.of(arrays));
        }
    }
}
