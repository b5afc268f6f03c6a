package io.hdf5flink.source.message;

import io.hdf5flink.record.ArrayBlock;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A message as it came off the bus, not yet decoded: where it came from, the headers of
 * {@link NpyMessages} and the value. What the Kafka source emits when bad messages must be set
 * aside rather than fail the job: decoding then happens in {@link ParseArrayMessages}, which can
 * route a bad one to a side output. A Flink POJO (public fields, no-argument constructor), so Flink
 * serializes it field by field, never with Kryo.
 */
@PublicEvolving
public class ArrayMessage {
    /** The topic (or other source name) it came from. */
    public String topic;
    /** Its partition, or -1 when the source has none. */
    public int partition = -1;
    /** Its offset in the partition, or -1 when the source has none. */
    public long offset = -1;
    /** The {@value NpyMessages#FILE} header, or null. */
    public String file;
    /** The {@value NpyMessages#DATASET} header, or null. */
    public String dataset;
    /** The {@value NpyMessages#OFFSET} header, or null. */
    public String blockOffset;
    /** The first header named {@code hdf5.*} that this format does not know, or null. */
    public String unknownHeader;
    /** The value: a {@code .npy} array, or null for a tombstone. */
    public byte[] value;

    /** For Flink's POJO serializer. */
    public ArrayMessage() {}

    /** Where it came from, for errors: {@code "topic T partition P offset O"}. */
    public String where() {
        return partition < 0 ? "a message of " + topic
                : String.format(Locale.ROOT, "topic %s partition %d offset %d", topic, partition, offset);
    }

    /** The dataset it goes to: its header, or {@code defaultDataset}. */
    public String datasetOr(String defaultDataset) {
        return dataset != null ? dataset : defaultDataset;
    }

    /**
     * Decodes it into a block.
     *
     * @param defaultDataset the dataset of messages without a {@value NpyMessages#DATASET} header (null: none)
     * @throws BadMessageException saying where it came from and what is wrong with it
     */
    public ArrayBlock toBlock(String defaultDataset) throws BadMessageException {
        if (unknownHeader != null) {
            throw new BadMessageException(where(), "unknown header " + unknownHeader + " (known: " + NpyMessages.DATASET + ", "
                    + NpyMessages.FILE + ", " + NpyMessages.OFFSET + ")");
        }
        return NpyMessages.decode(where(), value, file, datasetOr(defaultDataset), blockOffset);
    }
}
