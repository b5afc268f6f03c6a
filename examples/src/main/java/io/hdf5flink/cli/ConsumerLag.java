package io.hdf5flink.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * How far {@code acquire} is behind its topics, asked of the brokers: the messages between the
 * offsets its consumer group committed (at its last completed checkpoint) and the end of each
 * partition. What progress shows as lag, and what tells {@code --stop-after-idle} that every
 * message is written. Works the same on the embedded Flink and under {@code flink run}, since it
 * asks Kafka, not the job.
 */
final class ConsumerLag implements AutoCloseable {
    private static final long TIMEOUT_MS = 2000;

    private final Admin admin;
    private final List<String> topics;
    private final String groupId;

    /** The partitions' end offsets and the group's lag behind them. */
    record Snapshot(long endOffsets, long lag) {}

    ConsumerLag(String bootstrapServers, List<String> topics, String groupId) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS);
        this.admin = Admin.create(p);
        this.topics = topics;
        this.groupId = groupId;
    }

    /** The topics' partitions, or an exception naming a topic that does not exist. */
    List<TopicPartition> partitions() throws Exception {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new java.util.ArrayList<>();
        for (TopicDescription d : described.values()) {
            for (TopicPartitionInfo p : d.partitions()) partitions.add(new TopicPartition(d.name(), p.partition()));
        }
        return partitions;
    }

    /** The end offsets and the lag now; null when the brokers do not answer in time. */
    Snapshot snapshot() {
        try {
            List<TopicPartition> partitions = partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicPartition tp : partitions) latest.put(tp, OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long end = 0;
            long lag = 0;
            for (TopicPartition tp : partitions) {
                long e = ends.get(tp).offset();
                OffsetAndMetadata c = committed.get(tp);
                end += e;
                lag += Math.max(0, e - (c == null ? 0 : c.offset()));
            }
            return new Snapshot(end, lag);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception brokersUnreachable) {
            return null;
        }
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
