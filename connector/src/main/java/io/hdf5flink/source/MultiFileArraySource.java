package io.hdf5flink.source;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.probe.ArrayProber;
import io.hdf5flink.source.enumerate.FileSelection;
import io.hdf5flink.source.probe.ProbedArray;
import io.hdf5flink.source.format.RawFormat;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A bounded source reading many files as one logical array, one file per column
 * ({@link Layout#COLUMNS}) or one file per range of rows ({@link Layout#SEGMENTS}):
 *
 * <pre>{@code
 * MultiFileArraySource source = MultiFileArraySource.builder(Layout.COLUMNS)
 *         .glob("/data/rec/ch*.bin.gz").raw(DataType.INT16, ByteOrder.LITTLE_ENDIAN)
 *         .dataset("/data").chunkRows(16384).build();
 * }</pre>
 *
 * <p>Files are {@code .npy} (those that start with numpy's magic, whatever their name) or raw
 * (the others, when a raw format is set), each possibly compressed
 * ({@code .gz}, {@code .bz2}, {@code .xz}, {@code .zst}) or inside an archive ({@code .npz}, {@code .zip}, {@code .tar}, {@code .tar.gz},
 * {@code .tgz}, other compressed tars), whose members count as files in natural name order. Files
 * given as a list, a directory or a glob are read in natural order ({@code ch2} before
 * {@code ch10}).
 *
 * <p>{@link #build()} reads every header and decodes every compressed input once, on the client,
 * so missing, malformed, truncated or corrupt inputs and inputs that do not agree fail the build
 * with the file (and archive member) named, before the job writes anything. Uncompressed inputs
 * (also uncompressed {@code .npz}, zip and tar members) are memory-mapped and split by rows;
 * compressed ones are read sequentially, one split each, and re-read from their start up to the
 * checkpointed row on restore.
 */
@PublicEvolving
public final class MultiFileArraySource extends ArrayBlockSource {
    private static final long serialVersionUID = 1L;

    /** How the files form the output array. */
    @PublicEvolving
    public enum Layout {
        /**
         * Each file is a 1-D array of the same length R, one column: the output is (R, files),
         * and each block is one column's rows, of shape {@code {rows, 1}} at {@code {row, column}}.
         */
        COLUMNS,
        /**
         * Each file is a range of rows with the same row shape: the output is the files'
         * rows concatenated in order, each block at {@code {segment's first row + row, 0, ...}}.
         */
        SEGMENTS
    }

    private MultiFileArraySource(Builder builder, DataType type, long[] shape, List<Placement> placements) {
        super(builder, type, shape, placements);
    }

    /** A builder of a source with the given layout. */
    public static Builder builder(Layout layout) {
        return new Builder(Objects.requireNonNull(layout, "layout"));
    }

    /** Builds a {@link MultiFileArraySource}; {@link #build()} checks every input. */
    @PublicEvolving
    public static final class Builder extends ArrayBlockSource.Builder<Builder> {
        private final Layout layout;
        private FileSelection selection;

        private Builder(Layout layout) {
            this.layout = layout;
        }

        /** These files, in this order. */
        public Builder files(Path... files) {
            return files(Arrays.asList(files));
        }

        /** These files, in this order. */
        public Builder files(List<Path> files) {
            return select(FileSelection.of(files));
        }

        /** The regular, non-hidden files directly in {@code directory}, in natural order. */
        public Builder directory(Path directory) {
            return select(FileSelection.directory(directory));
        }

        /** The files matching a glob such as {@code /data/rec/ch*.npy}, in natural order. */
        public Builder glob(String pattern) {
            return select(FileSelection.glob(pattern));
        }

        private Builder select(FileSelection files) {
            if (selection != null) throw new IllegalStateException("the input files are already chosen");
            this.selection = files;
            return this;
        }

        /**
         * Reads files and members that do not start with numpy's magic as raw binary: elements of
         * {@code type} in byte order {@code order}, by default 1-D. A {@code .npy} file among them
         * is read by its header, which must agree with this format.
         */
        public Builder raw(DataType type, ByteOrder order) {
            this.raw = RawFormat.vector(type, order);
            return this;
        }

        /**
         * Lists the files, probes every input and checks they agree.
         *
         * @throws IllegalArgumentException naming the file (and archive member) at fault
         */
        public MultiFileArraySource build() {
            requireDataset();
            if (selection == null) throw new IllegalStateException("no input files: call files, directory or glob");
            List<Path> files;
            try {
                files = selection.files();
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            List<ProbedArray> arrays = new ArrayList<>();
            for (Path file : files) arrays.addAll(ArrayProber.probe(file, raw));
            return layout == Layout.COLUMNS ? columns(arrays) : segments(arrays);
        }

        private MultiFileArraySource columns(List<ProbedArray> arrays) {
            ProbedArray first = arrays.get(0);
            List<Placement> placements = new ArrayList<>();
            for (ProbedArray a : arrays) {
                if (a.shape().length != 1) {
                    throw new IllegalArgumentException(a.input() + ": shape " + Arrays.toString(a.shape())
                            + " is not 1-D; the columns layout takes one 1-D array per file");
                }
                Segments.requireType(a, first, "column");
                if (a.rows() != first.rows()) {
                    throw new IllegalArgumentException(a.input() + ": " + a.rows() + " rows, but the first column ("
                            + first.input() + ") has " + first.rows() + "; columns must be of equal length");
                }
                placements.add(new Placement(a.input(), a.rows(), new long[] {0, placements.size()}, new long[] {1}));
            }
            return new MultiFileArraySource(this, first.input().type(), new long[] {first.rows(), arrays.size()},
                    placements);
        }

        private MultiFileArraySource segments(List<ProbedArray> arrays) {
            Segments segments = Segments.of(arrays);
            return new MultiFileArraySource(this, segments.type(), segments.shape(), segments.placements());
        }
    }
}
