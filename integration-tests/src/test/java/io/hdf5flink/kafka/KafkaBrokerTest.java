package io.hdf5flink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KafkaBroker}: the broker built from the Maven artifacts takes records with keys and
 * headers over three partitions, keeps them across a graceful restart and a SIGKILL on the same
 * ports and log directories, and serves them to flink-connector-kafka's {@link KafkaSource} on
 * this project's Flink (the connector 5.0.0-2.2 is released for Flink 2.2; the project runs 2.3).
 */
class KafkaBrokerTest {
    private static final int RECORDS = 1000;

    @TempDir
    static Path dir;
    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(dir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) broker.close();
    }

    @Test
    void recordsWithKeysAndHeadersSurviveARestartAndAKill() throws Exception {
        broker.createTopic("survive", 3);
        produce("survive", 0, RECORDS);
        assertRecords(readAll("survive", RECORDS), RECORDS);

        broker.restart();
        assertTrue(broker.isRunning());
        List<ConsumerRecord<String, String>> after = readAll("survive", RECORDS);
        assertRecords(after, RECORDS);
        assertEquals(Set.of(0, 1, 2), partitionsOf(after), "the keys spread the records over all three partitions");

        produce("survive", RECORDS, 1);
        assertRecords(readAll("survive", RECORDS + 1), RECORDS + 1);

        // SIGKILL: no clean shutdown; the broker recovers its logs on the next start.
        broker.kill();
        assertFalse(broker.isRunning());
        broker.restart();
        assertRecords(readAll("survive", RECORDS + 1), RECORDS + 1);
    }

    @Test
    void flinkKafkaSourceReadsTheTopicOnFlink23() throws Exception {
        broker.createTopic("flink", 3);
        produce("flink", 0, RECORDS);

        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(broker.bootstrapServers())
                .setTopics("flink")
                .setGroupId("kafka-broker-test")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new KeyValueSeq())
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        // The job ends by itself (bounded at the offsets that were latest when it started).
        // execute() rather than executeAndCollect(): the collect client of a bounded job on a local
        // environment logs a stack trace when it asks the already shut-down MiniCluster for the job's status.
        FLINK_READ.clear();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka").sinkTo(new Remember());
        env.execute("KafkaBrokerTest");

        List<String> read = new ArrayList<>(FLINK_READ);
        assertEquals(RECORDS, read.size());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < RECORDS; i++) expected.add("key-" + (i % 37) + "|value-" + i + "|" + i);
        assertEquals(expected, new HashSet<>(read));
    }

    /** What the Flink job of {@link #flinkKafkaSourceReadsTheTopicOnFlink23} read (one JVM: MiniCluster). */
    private static final Queue<String> FLINK_READ = new ConcurrentLinkedQueue<>();

    /** A sink that adds every element to {@link #FLINK_READ}. */
    private static final class Remember implements Sink<String> {
        @Override
        public SinkWriter<String> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(String element, Context context) {
                    FLINK_READ.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** {@code key|value|seq header}: what the Flink job sees of each record. */
    private static final class KeyValueSeq implements KafkaRecordDeserializationSchema<String> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) {
            Header seq = record.headers().lastHeader("seq");
            out.collect(new String(record.key(), StandardCharsets.UTF_8) + "|" + new String(record.value(), StandardCharsets.UTF_8)
                    + "|" + ByteBuffer.wrap(seq.value()).getInt());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    /** Records {@code from .. from+count-1}: key {@code key-(i mod 37)}, value {@code value-i}, header {@code seq} = i. */
    private static void produce(String topic, int from, int count) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, "key-" + (i % 37), "value-" + i);
                r.headers().add("seq", ByteBuffer.allocate(4).putInt(i).array());
                producer.send(r);
            }
            producer.flush();
        }
    }

    /** Every record of the topic from its beginning, read with assign and seekToBeginning, until {@code expected} came. */
    private static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) partitions.add(new TopicPartition(topic, p.partition()));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // Nothing beyond what was produced.
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    /** Exactly records 0 .. count-1, each once, with its key, value and header. */
    private static void assertRecords(List<ConsumerRecord<String, String>> records, int count) {
        assertEquals(count, records.size());
        Set<Integer> seen = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) {
            Header seq = r.headers().lastHeader("seq");
            assertNotNull(seq, "header seq");
            int i = ByteBuffer.wrap(seq.value()).getInt();
            assertEquals("key-" + (i % 37), r.key());
            assertEquals("value-" + i, r.value());
            assertTrue(seen.add(i), "record " + i + " twice");
        }
        for (int i = 0; i < count; i++) assertTrue(seen.contains(i), "record " + i + " missing");
    }

    private static Set<Integer> partitionsOf(List<ConsumerRecord<String, String>> records) {
        Set<Integer> partitions = new HashSet<>();
        for (ConsumerRecord<String, String> r : records) partitions.add(r.partition());
        return partitions;
    }
}
