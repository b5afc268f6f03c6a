package io.hdf5flink.hdf5.format;

/**
 * A valid HDF5 file uses a feature this engine cannot append to (a newer superblock, object
 * header or chunk index version, an unknown filter, ...). The message names the feature.
 */
class UnsupportedFormatException extends Hdf5FormatException {
    UnsupportedFormatException(String message) {
        super(message);
    }
}
