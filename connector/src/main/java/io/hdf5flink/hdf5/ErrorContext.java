package io.hdf5flink.hdf5;

import java.nio.file.Path;

/**
 * The file, and where there is one the object, that an engine error is about: the one place that
 * formats the {@code "file: /object: what went wrong"} prefix every {@link Hdf5Exception} message
 * starts with, so that a message read in a log always says which file and dataset to look at.
 */
record ErrorContext(Path file, String object) {
    /** Errors about the file as a whole: {@code "file: what"}. */
    static ErrorContext of(Path file) {
        return new ErrorContext(file, null);
    }

    /** Errors about the object at {@code path} in the same file. */
    ErrorContext object(String path) {
        return new ErrorContext(file, path);
    }

    Hdf5Exception error(String what) {
        return new Hdf5Exception(prefix() + what);
    }

    Hdf5Exception error(String what, Throwable cause) {
        return new Hdf5Exception(prefix() + what, cause);
    }

    /** {@code "file: /object: <action> failed: <cause's message>"}. */
    Hdf5Exception failed(String action, Exception cause) {
        return error(action + " failed: " + cause.getMessage(), cause);
    }

    /**
     * An error from a layer that does not know the file (an I/O or format error), with the prefix
     * added unless its message already names the file.
     */
    Hdf5Exception wrap(Exception cause) {
        String m = cause.getMessage();
        return m != null && m.startsWith(file.toString()) ? new Hdf5Exception(m, cause) : error(m, cause);
    }

    private String prefix() {
        return object == null ? file + ": " : file + ": " + object + ": ";
    }
}
