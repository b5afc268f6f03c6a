package io.hdf5flink.source.message;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A message {@link ParseArrayMessages} set aside: where it came from, why, and its value, for a
 * dead-letter topic or a log. A Flink POJO.
 */
@PublicEvolving
public class RejectedMessage {
    /** The topic (or other source name) it came from. */
    public String topic;
    /** Its partition, or -1. */
    public int partition = -1;
    /** Its offset in the partition, or -1. */
    public long offset = -1;
    /** What is wrong with it. */
    public String reason;
    /** Its value as received (null for a tombstone). */
    public byte[] value;

    /** For Flink's POJO serializer. */
    public RejectedMessage() {}

    static RejectedMessage of(ArrayMessage m, String reason) {
        RejectedMessage r = new RejectedMessage();
        r.topic = m.topic;
        r.partition = m.partition;
        r.offset = m.offset;
        r.reason = reason;
        r.value = m.value;
        return r;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "rejected topic %s partition %d offset %d (%d bytes): %s", topic, partition, offset,
                value == null ? 0 : value.length, reason);
    }
}
