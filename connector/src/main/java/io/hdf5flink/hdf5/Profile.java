package io.hdf5flink.hdf5;

/**
 * The on-disk format a new file is written in. Objects added to an existing file follow that
 * file's format: version 2 object headers and link-message groups in files with superblock 2 or
 * 3, version 1 headers and symbol-table groups in the others.
 */
public enum Profile {
    /**
     * h5py's default ({@code libver='earliest'}): superblock 0, version 1 object headers,
     * symbol-table groups, version 1 B-tree chunk indexes. Read by libhdf5 1.8 and later, h5py,
     * MATLAB and jhdf; any libhdf5 reader may open it at any instant.
     */
    DEFAULT,
    /**
     * Superblock 3 with its file-consistency flags, version 2 (checksummed) object headers, groups
     * stored with link messages, version 1 B-tree chunk indexes (layout message version 3, as
     * libhdf5 1.8's newest format). Needs libhdf5 1.10 or later. While a writer has the file open
     * it is flagged for SWMR writing: readers open it with {@code h5py.File(path, 'r', swmr=True)}
     * and call {@code refresh()} to see new rows; a reader without SWMR mode is refused by libhdf5
     * until the writer closes the file (or, after a writer was killed, until {@code h5clear -s}
     * clears the flags; this engine reopens such a file as it is).
     */
    LATEST
}
