package io.hdf5flink.source.message;

import java.nio.charset.StandardCharsets;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka records as {@link ArrayMessage}s, undecoded: for a {@code KafkaSource} followed by
 * {@link ParseArrayMessages}, which decodes them and fails on a bad one or sets it aside. Never
 * fails itself, so that a bad record can be set aside with its topic, partition and offset.
 */
@PublicEvolving
public final class ArrayMessageKafkaDeserializer implements KafkaRecordDeserializationSchema<ArrayMessage> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ArrayMessage> out) {
        out.collect(message(record));
    }

    /** The record as a message. */
    static ArrayMessage message(ConsumerRecord<byte[], byte[]> record) {
        ArrayMessage m = new ArrayMessage();
        m.topic = record.topic();
        m.partition = record.partition();
        m.offset = record.offset();
        m.value = record.value();
        for (Header h : record.headers()) {
            String name = h.key();
            if (!name.startsWith(NpyMessages.PREFIX)) continue;
            String value = h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            switch (name) {
                case NpyMessages.DATASET -> m.dataset = value;
                case NpyMessages.FILE -> m.file = value;
                case NpyMessages.OFFSET -> m.blockOffset = value;
                default -> {
                    if (m.unknownHeader == null) m.unknownHeader = name;
                }
            }
        }
        return m;
    }

    @Override
    public TypeInformation<ArrayMessage> getProducedType() {
        return TypeInformation.of(ArrayMessage.class);
    }
}
