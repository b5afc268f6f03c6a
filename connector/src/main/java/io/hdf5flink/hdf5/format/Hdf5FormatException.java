package io.hdf5flink.hdf5.format;

/**
 * A structure on disk is not what the specification says it must be (bad signature, version,
 * length or address). The message names the structure, the field and the file address.
 */
public class Hdf5FormatException extends RuntimeException {
    public Hdf5FormatException(String message) {
        super(message);
    }
}
