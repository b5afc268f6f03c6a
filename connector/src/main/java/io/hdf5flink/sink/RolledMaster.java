package io.hdf5flink.sink;

import org.apache.flink.annotation.PublicEvolving;

/** What the master file of a recording rolled over data files holds (see {@link DatasetDeclaration#rollEvery}). */
@PublicEvolving
public enum RolledMaster {
    /**
     * A virtual dataset at the dataset's path mapping every data file's committed rows: libhdf5
     * 1.10+ readers (h5py, h5dump, HDFView) see one dataset. The default.
     */
    VIRTUAL_DATASET,
    /**
     * External links {@code <dataset>_000001, <dataset>_000002, ...} beside the dataset's path, to
     * the dataset in each data file that holds committed rows (DECTRIS EIGER's master layout): for
     * readers that follow links but lack virtual datasets (jhdf).
     */
    EXTERNAL_LINKS
}
