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
 * How far {@code acquire} is behind its topics: the messages between its position in each
 * partition and the partition's end, asked of the brokers. The position is the offset after the
 * last message this process's job read ({@link #READ}, on the embedded Flink), else the offset
 * the consumer group committed: Flink commits those to Kafka after checkpoints, best effort, and
 * they were seen to trail the job by seconds, so under {@code flink run} the lag shown trails too.
 */
final class ConsumerLag implements AutoCloseable {
    private static final long TIMEOUT_MS = 2000;
    /** The offset after the last message read, by {@code topic/partition} (embedded Flink only). */
    static final Map<String, Long> READ = new java.util.concurrent.ConcurrentHashMap<>();

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
                Long read = READ.get(tp.topic() + "/" + tp.partition());
                long position = read != null ? read : c == null ? 0 : c.offset();
                end += e;
                lag += Math.max(0, e - position);
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
