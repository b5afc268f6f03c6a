package io.hdf5flink.cli;

/**
 * The command cannot run as given: a bad option value, a missing or malformed input, an output
 * that exists, an append that does not fit. Thrown before anything is written; exit code 2.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
