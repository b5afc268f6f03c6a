package io.hdf5flink.examples;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.message.NpyMessages;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An acquisition system publishing to Kafka, for {@code flink-hdf5 acquire}'s walk-through and
 * tests: blocks in the {@link NpyMessages} format (a {@code .npy} array per message, the dataset
 * in the {@code hdf5.dataset} header), either
 *
 * <ul>
 *   <li>{@code ephys}: an extracellular recording, 30 kHz × 384 channels of int16 in blocks of
 *       10 ms (300 rows), sample {@code (short) (row * 31 + channel * 7)} of row {@code row}
 *       counted from the start of its stream; or
 *   <li>{@code frames}: a detector at 100 Hz, 512 × 512 uint16 frames, one per message (shape
 *       {@code (1, 512, 512)}), pixel {@code (frame * 3 + y * 512 + x) & 0xFFFF}.
 * </ul>
 *
 * <p>Several streams ({@code --streams N}) go to datasets {@code <dataset>_0}, {@code _1}, ...,
 * each to its own partition ({@code stream % partitions}), so each dataset's blocks stay in order;
 * the values do not depend on the stream, so every dataset can be checked against the same formula.
 * At {@code --rate realtime} it sends at the instrument's rate, at {@code max} as fast as Kafka
 * takes them, and says the rate it reached.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.AcquisitionProducerExample \
 *     --bootstrap-servers localhost:9092 --topic ephys --kind ephys --seconds 10 [--streams 3] [--rate max] [--partitions 3]</pre>
 */
public final class AcquisitionProducerExample {
    /** Sampling rate and channels of the {@code ephys} kind. */
    public static final int EPHYS_RATE = 30_000;
    public static final int EPHYS_CHANNELS = 384;
    /** Rows per block of the {@code ephys} kind: 10 ms. */
    public static final int EPHYS_BLOCK_ROWS = 300;
    /** Frame rate and side of the {@code frames} kind. */
    public static final int FRAME_RATE = 100;
    public static final int FRAME_SIDE = 512;

    private AcquisitionProducerExample() {}

    /** What to send; {@code partitions} > 0 creates the topic with that many partitions when it does not exist. */
    public record Plan(String bootstrapServers, String topic, String kind, double seconds, int streams, boolean realtime,
            String dataset, int channels, int partitions) {
        long blocks() {
            return kind.equals("frames") ? Math.round(seconds * FRAME_RATE) : Math.round(seconds * EPHYS_RATE / EPHYS_BLOCK_ROWS);
        }
    }

    public static void main(String[] args) throws Exception {
        String servers = "localhost:9092";
        String topic = "acquisition";
        String kind = "ephys";
        double seconds = 10;
        int streams = 1;
        boolean realtime = true;
        String dataset = null;
        int channels = EPHYS_CHANNELS;
        int partitions = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--bootstrap-servers" -> servers = value;
                case "--topic" -> topic = value;
                case "--kind" -> kind = value;
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--streams" -> streams = Integer.parseInt(value);
                case "--rate" -> realtime = !value.equals("max");
                case "--dataset" -> dataset = value;
                case "--channels" -> channels = Integer.parseInt(value);
                case "--partitions" -> partitions = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class javadoc)");
            }
            i++;
        }
        if (!kind.equals("ephys") && !kind.equals("frames")) throw new IllegalArgumentException("--kind is ephys or frames");
        if (dataset == null) dataset = kind.equals("frames") ? "/entry/data/data" : "/acquisition/ElectricalSeries/data";
        run(new Plan(servers, topic, kind, seconds, streams, realtime, dataset, channels, partitions), System.out);
    }

    /** Sends the plan's blocks; returns the rows sent to each stream's dataset (frames for {@code frames}). */
    public static long run(Plan plan, PrintStream out) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, plan.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(8 << 20));
        if (plan.partitions() > 0) createTopic(plan);
        boolean frames = plan.kind().equals("frames");
        long blocks = plan.blocks();
        double blockSeconds = frames ? 1.0 / FRAME_RATE : (double) EPHYS_BLOCK_ROWS / EPHYS_RATE;
        long bytes = 0;
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            int partitions = producer.partitionsFor(plan.topic()).size();
            for (long b = 0; b < blocks; b++) {
                if (plan.realtime()) pace(started, b * blockSeconds);
                byte[] value = frames ? frame(b) : ephysBlock(b * EPHYS_BLOCK_ROWS, EPHYS_BLOCK_ROWS, plan.channels());
                for (int s = 0; s < plan.streams(); s++) {
                    String dataset = plan.streams() == 1 ? plan.dataset() : plan.dataset() + "_" + s;
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(plan.topic(), s % partitions,
                            dataset.getBytes(StandardCharsets.UTF_8), value);
                    record.headers().add(NpyMessages.DATASET, dataset.getBytes(StandardCharsets.UTF_8));
                    producer.send(record);
                    bytes += value.length;
                }
            }
            producer.flush();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, "sent %,d blocks x %d streams (%.1f MB) of %s to %s in %.1f s: %.1f MB/s%n", blocks,
                plan.streams(), bytes / 1e6, plan.kind(), plan.topic(), elapsed, bytes / 1e6 / elapsed);
        return frames ? blocks : blocks * EPHYS_BLOCK_ROWS;
    }

    /** Rows {@code [firstRow, firstRow + rows)} of the ephys recording as a {@code .npy} value. */
    public static byte[] ephysBlock(long firstRow, int rows, int channels) {
        ByteBuffer data = ByteBuffer.allocate(rows * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            long row = firstRow + r;
            for (int c = 0; c < channels; c++) data.putShort((short) (row * 31 + c * 7));
        }
        return NpyMessages.encode(DataType.INT16, new long[] {rows, channels}, data.array());
    }

    /** Frame {@code n} as a {@code .npy} value of shape {@code (1, 512, 512)}. */
    public static byte[] frame(long n) {
        ByteBuffer data = ByteBuffer.allocate(FRAME_SIDE * FRAME_SIDE * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < FRAME_SIDE; y++) {
            for (int x = 0; x < FRAME_SIDE; x++) data.putShort((short) ((n * 3 + (long) y * FRAME_SIDE + x) & 0xFFFF));
        }
        return NpyMessages.encode(DataType.UINT16, new long[] {1, FRAME_SIDE, FRAME_SIDE}, data.array());
    }

    /** Creates the plan's topic when it does not exist (brokers may refuse to create topics on first use). */
    private static void createTopic(Plan plan) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plan.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            if (admin.listTopics().names().get().contains(plan.topic())) return;
            admin.createTopics(List.of(new NewTopic(plan.topic(), plan.partitions(), (short) 1))).all().get();
            // The broker acts as the new partitions' leader a moment after it says so: sending
            // before made an idempotent producer retry without end (OUT_OF_ORDER_SEQUENCE_NUMBER).
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int k = 0; k < plan.partitions(); k++) latest.put(new TopicPartition(plan.topic(), k), OffsetSpec.latest());
            for (int attempt = 0; ; attempt++) {
                try {
                    admin.listOffsets(latest).all().get();
                    return;
                } catch (java.util.concurrent.ExecutionException notYet) {
                    if (attempt >= 300) throw notYet;
                    Thread.sleep(100);
                }
            }
        }
    }

    private static void pace(long started, double atSeconds) throws InterruptedException {
        long wait = started + (long) (atSeconds * 1e9) - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
}
