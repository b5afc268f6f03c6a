package io.hdf5flink.source.message;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka records in the {@link NpyMessages} format, decoded into {@link ArrayBlock}s by the
 * {@code KafkaSource} itself. A bad record fails the job with a {@link BadMessageException}
 * naming its topic, partition and offset; to set bad records aside instead, read
 * {@link ArrayMessage}s ({@link ArrayMessageKafkaDeserializer}) and decode them with
 * {@link ParseArrayMessages}.
 *
 * <pre>{@code
 * KafkaSource<ArrayBlock> source = KafkaSource.<ArrayBlock>builder()
 *         .setBootstrapServers("localhost:9092").setTopics("acquisition").setGroupId("hdf5")
 *         .setDeserializer(new NpyBlockKafkaDeserializer("/acquisition/data"))
 *         .build();
 * }</pre>
 */
@PublicEvolving
public final class NpyBlockKafkaDeserializer implements KafkaRecordDeserializationSchema<ArrayBlock> {
    private static final long serialVersionUID = 1L;

    private final String defaultDataset;

    /** @param defaultDataset the dataset of records without a {@value NpyMessages#DATASET} header (null: none; such records are bad) */
    public NpyBlockKafkaDeserializer(String defaultDataset) {
        this.defaultDataset = defaultDataset;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ArrayBlock> out) throws BadMessageException {
        ArrayBlock block = ArrayMessageKafkaDeserializer.message(record).toBlock(defaultDataset);
        if (block.shape()[0] > 0) out.collect(block);
    }

    @Override
    public TypeInformation<ArrayBlock> getProducedType() {
        return ArrayBlockTypeInfo.INSTANCE;
    }
}
