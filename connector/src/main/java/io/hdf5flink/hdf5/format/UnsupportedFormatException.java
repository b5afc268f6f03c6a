package io.hdf5flink.hdf5.format;

/**
 * A valid HDF5 file uses a feature this engine cannot append to (a newer superblock, object
 * header or chunk index version, an unknown filter, ...). The message names the feature.
 */
public class UnsupportedFormatException extends Hdf5FormatException {
    public UnsupportedFormatException(String message) {
        super(message);
    }
}
