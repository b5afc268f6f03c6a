package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.flink.annotation.PublicEvolving;

/**
 * What one dataset of the sink's output looks like, declared up front: its file (null for the
 * sink's default file), its path and its {@link DatasetSpec} (dtype, shape, maxshape, chunks,
 * filters, fill value, attributes). Datasets that receive blocks at explicit offsets must be
 * declared, since every writer must cut blocks on the same chunk grid; appended datasets may
 * instead be inferred from their first block. A declaration also says which kind of block the
 * dataset takes, appended or at explicit offsets, so a block of the other kind is refused before
 * it is routed.
 *
 * <p>A dataset at explicit offsets may be declared <em>growing</em>: it fills along axis 0 (a
 * conversion, a recording replayed by several readers at once), and readers see only the longest
 * prefix of rows whose chunks are all stored, never the fill value standing in for rows a writer
 * has yet to deliver. Other datasets at explicit offsets show every block received, with the
 * fill value where nothing was written (a sparse or tiled dataset); appended datasets always show
 * a prefix, since one writer appends them in order.
 */
@PublicEvolving
public final class DatasetDeclaration implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String dataset;
    private final boolean appended;
    private final boolean growing;
    /** Whether the declaration holds for the dataset in whichever file a block names. */
    private final boolean everyFile;
    /**
     * Rows per chunk of a dataset whose row shape comes from its first block: 0 for the chunk-shape
     * rule; -1 when the declared spec's row shape holds.
     */
    private final long chunkRowsOfFirstBlock;
    /** Rows per data file of a dataset rolled over files (see {@link #rollEvery}); 0: one file. */
    private final long rowsPerFile;
    private final RolledMaster master;
    /** The spec in {@link DatasetSpecCodec}'s form: the sink ships it in the job graph. */
    private final byte[] encodedSpec;

    /**
     * @param appended whether the dataset takes appended blocks (true) or blocks at explicit
     *     offsets (false)
     */
    public DatasetDeclaration(String file, String dataset, DatasetSpec spec, boolean appended) {
        this(file, dataset, spec, appended, false);
    }

    /**
     * @param appended whether the dataset takes appended blocks (true) or blocks at explicit
     *     offsets (false)
     * @param growing whether a dataset at explicit offsets shows only its prefix of complete rows
     */
    public DatasetDeclaration(String file, String dataset, DatasetSpec spec, boolean appended, boolean growing) {
        this(file, dataset, encode(spec), appended, growing, false, -1, 0, RolledMaster.VIRTUAL_DATASET);
    }

    private DatasetDeclaration(String file, String dataset, byte[] encodedSpec, boolean appended, boolean growing,
            boolean everyFile, long chunkRowsOfFirstBlock, long rowsPerFile, RolledMaster master) {
        if (appended && growing) throw new IllegalArgumentException(dataset + ": only datasets at explicit offsets are declared growing");
        this.file = file;
        this.dataset = Hdf5Paths.normalize(dataset);
        this.appended = appended;
        this.growing = growing;
        this.everyFile = everyFile;
        this.chunkRowsOfFirstBlock = chunkRowsOfFirstBlock;
        this.rowsPerFile = rowsPerFile;
        this.master = master;
        this.encodedSpec = encodedSpec;
    }

    /**
     * This declaration for the dataset in every file blocks name, not one file: for sinks that
     * route records to files chosen at run time (a file per subject, per day), whose datasets
     * all share one layout, filters and attributes.
     */
    public DatasetDeclaration inEveryFile() {
        if (rowsPerFile > 0) throw new IllegalArgumentException(dataset + ": a dataset rolled over files is declared for one file, not every file");
        return new DatasetDeclaration(null, dataset, encodedSpec, appended, growing, true, chunkRowsOfFirstBlock, rowsPerFile, master);
    }

    /**
     * This declaration for an appended dataset whose row shape (every axis but the first) is known
     * only when its first block arrives: the dataset is created at the first block's row shape,
     * with {@code chunkRows} rows per chunk (0: as many as the sink's {@link ChunkShapeRule}
     * gives) and the rule's cut of the other axes (whole rows unless a row exceeds the target); filters, fill value and attributes are the spec's. An empty
     * stream leaves no such dataset.
     */
    public DatasetDeclaration rowShapeFromFirstBlock(long chunkRows) {
        if (!appended) throw new IllegalArgumentException(dataset + ": only appended datasets take their row shape from their first block");
        if (chunkRows < 0) throw new IllegalArgumentException(dataset + ": chunk rows must be positive, or 0 for the chunk-shape rule");
        if (rowsPerFile > 0 && chunkRows > 0) checkRowsPerFile(rowsPerFile, chunkRows);
        return new DatasetDeclaration(file, dataset, encodedSpec, appended, growing, everyFile, chunkRows, rowsPerFile, master);
    }

    /**
     * This declaration with the dataset rolled over data files of {@code rowsPerFile} rows each,
     * as detector writers do: rows {@code [k * rowsPerFile, (k + 1) * rowsPerFile)} go to the
     * data file {@code <name>_<k + 1, six digits>.<ext>} (see {@link RolledFiles}), each a complete
     * file with its own resizable dataset, final once the next one begins; the declared file
     * itself becomes the master file, rewritten atomically after each commit, whose virtual
     * dataset shows the committed rows of all data files as one dataset. Every dataset of a rolled
     * file must be declared and rolled alike. For appended datasets and datasets declared
     * growing; {@code rowsPerFile} must be a whole number of chunk rows, so no chunk spans two files.
     */
    public DatasetDeclaration rollEvery(long rowsPerFile) {
        return rollEvery(rowsPerFile, RolledMaster.VIRTUAL_DATASET);
    }

    /** As {@link #rollEvery(long)}, with the master file holding {@code master}. */
    public DatasetDeclaration rollEvery(long rowsPerFile, RolledMaster master) {
        if (rowsPerFile <= 0) throw new IllegalArgumentException(dataset + ": rows per file must be positive, got " + rowsPerFile);
        if (!appended && !growing) {
            throw new IllegalArgumentException(dataset + ": only appended datasets and datasets declared growing can roll over files;"
                    + " a dataset written at explicit offsets anywhere (sparse, tiled) cannot, since a file must be final once the next begins");
        }
        if (everyFile) throw new IllegalArgumentException(dataset + ": a dataset rolled over files is declared for one file, not every file");
        if (!rowShapeFromFirstBlock()) checkRowsPerFile(rowsPerFile, spec().chunks()[0]);
        else if (chunkRowsOfFirstBlock > 0) checkRowsPerFile(rowsPerFile, chunkRowsOfFirstBlock);
        return new DatasetDeclaration(file, dataset, encodedSpec, appended, growing, everyFile, chunkRowsOfFirstBlock, rowsPerFile,
                java.util.Objects.requireNonNull(master, "master"));
    }

    private void checkRowsPerFile(long rowsPerFile, long chunkRows) {
        if (rowsPerFile % chunkRows != 0) {
            throw new IllegalArgumentException(dataset + ": " + rowsPerFile + " rows per file is not a multiple of the chunk's "
                    + chunkRows + " rows: a chunk would span two files (use " + Math.max(chunkRows, rowsPerFile / chunkRows * chunkRows)
                    + " or " + (rowsPerFile / chunkRows + 1) * chunkRows + ")");
        }
    }

    /** Rows per data file when the dataset rolls over files (see {@link #rollEvery}), else 0. */
    public long rowsPerFile() { return rowsPerFile; }

    /** What the master file of a rolled dataset holds. */
    public RolledMaster master() { return master; }

    /** Whether the declaration holds in every file (see {@link #inEveryFile()}). */
    public boolean everyFile() { return everyFile; }

    /** Whether the row shape comes from the first block (see {@link #rowShapeFromFirstBlock(long)}). */
    public boolean rowShapeFromFirstBlock() { return chunkRowsOfFirstBlock >= 0; }

    /**
     * The spec of the dataset whose first block has shape {@code firstBlockShape}: the declared
     * spec, re-shaped to the block's row shape when {@link #rowShapeFromFirstBlock()}.
     */
    public DatasetSpec specFor(long[] firstBlockShape, long targetChunkBytes) {
        DatasetSpec spec = spec();
        if (!rowShapeFromFirstBlock()) return spec;
        long[] trailing = Arrays.copyOfRange(firstBlockShape, 1, firstBlockShape.length);
        long[] chunks = ChunkShapeRule.chunksFor(spec.type(), trailing, targetChunkBytes);
        if (chunkRowsOfFirstBlock > 0) chunks[0] = chunkRowsOfFirstBlock;
        if (rowsPerFile > 0) {
            // The rule's chunk rows are known only now; they must divide the rows per file.
            chunks[0] = RolledFiles.chunkRowsDividing(rowsPerFile, chunks[0]);
        }
        long[] shape = firstBlockShape.clone();
        shape[0] = 0;
        long[] max = firstBlockShape.clone();
        max[0] = DatasetSpec.UNLIMITED;
        return spec.toBuilder().shape(shape).maxShape(max).chunks(chunks).build();
    }

    /** Whether the dataset takes appended blocks rather than blocks at explicit offsets. */
    public boolean appended() { return appended; }

    /** Whether readers see only the prefix of rows whose chunks are all stored (see the class comment). */
    public boolean growing() { return growing; }

    public String file() { return file; }

    public String dataset() { return dataset; }

    public DatasetSpec spec() { return decode(encodedSpec); }

    static byte[] encode(DatasetSpec spec) {
        try {
            return StateWriter.toBytes(out -> DatasetSpecCodec.write(spec, out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DatasetSpec decode(byte[] encoded) {
        try {
            return DatasetSpecCodec.read(StateReader.of(encoded, "dataset declaration"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
