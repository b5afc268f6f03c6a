package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
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
        if (appended && growing) throw new IllegalArgumentException(dataset + ": only datasets at explicit offsets are declared growing");
        this.file = file;
        this.dataset = Hdf5Paths.normalize(dataset);
        this.appended = appended;
        this.growing = growing;
        this.encodedSpec = encode(spec);
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
