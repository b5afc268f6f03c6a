package io.hdf5flink.source.input;

import org.apache.flink.annotation.Internal;

/**
 * The archive, if any, an input array is a member of. Part of every split's {@link Location}, so
 * its name is written into checkpoints: do not rename constants.
 */
@Internal
public enum Archive {
    /** A plain (possibly compressed) file holding one array. */
    NONE,
    /** A zip file ({@code .zip}, or numpy's {@code .npz}); members are read by random access. */
    ZIP,
    /** A tar file, possibly compressed as a whole; members are found by reading from its start. */
    TAR,
    /**
     * An HDF5 file; the member is a dataset's absolute path. Rows are read by random access
     * ({@code Hdf5DatasetReader}), or memory-mapped when the dataset is contiguous.
     */
    HDF5
}
