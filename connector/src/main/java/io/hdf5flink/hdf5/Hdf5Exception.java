package io.hdf5flink.hdf5;

/**
 * An operation on an HDF5 file failed or was refused: bad input (a shape, offset, dtype or name
 * that does not fit the dataset), an unsupported feature of a file opened for append, or an
 * I/O error. The message names the file and, where there is one, the dataset and the offset.
 * After any such exception the file on disk still holds its last commit.
 */
public class Hdf5Exception extends RuntimeException {
    public Hdf5Exception(String message) {
        super(message);
    }

    public Hdf5Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
