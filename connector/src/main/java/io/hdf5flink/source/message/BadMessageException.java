package io.hdf5flink.source.message;

import java.io.IOException;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A message that is not an array block this project can write: not a {@code .npy} array, an
 * array that does not match its dataset's declaration, or a header it does not know. The message
 * says where the message came from (topic, partition and offset for Kafka) and what is wrong.
 */
@PublicEvolving
public final class BadMessageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param where where the message came from, e.g. {@code "topic t partition 2 offset 17"}
     * @param reason what is wrong with it
     */
    public BadMessageException(String where, String reason) {
        super("bad message at " + where + ": " + reason);
        this.reason = reason;
    }

    /** What is wrong with the message, without where it came from. */
    public String reason() {
        return reason;
    }
}
