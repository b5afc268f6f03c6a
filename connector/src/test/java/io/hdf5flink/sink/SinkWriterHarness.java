package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableSummary;
import org.apache.flink.streaming.api.connector.sink2.CommittableWithLineage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * One {@link Hdf5Sink} writer subtask in Flink's own operator (SinkWriterOperator, built by
 * SinkWriterOperatorFactory) inside Flink's {@link OneInputStreamOperatorTestHarness}: records go
 * in, checkpoints are taken in Flink's order (prepareSnapshotPreBarrier: flush(false) and
 * prepareCommit; then snapshot: snapshotState, serialized with the sink's state serializer), and
 * the committables the operator emits come out. Also decodes staged chunks for assertions.
 */
final class SinkWriterHarness implements AutoCloseable {
    static final int MAX_PARALLELISM = 8;

    final OneInputStreamOperatorTestHarness<ArrayBlock, CommittableMessage<Hdf5Committable>> harness;
    private int consumed;

    private SinkWriterHarness(Hdf5Sink sink, int parallelism, int subtask, OperatorSubtaskState restored) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SinkWriterOperatorFactory<ArrayBlock, Hdf5Committable>(sink),
                MAX_PARALLELISM, parallelism, subtask);
        if (restored == null) {
            harness.initializeEmptyState();
        } else {
            harness.initializeState(restored);
        }
        harness.open();
    }

    /** A fresh writer subtask 0 of 1. */
    static SinkWriterHarness open(Hdf5Sink sink) throws Exception {
        return new SinkWriterHarness(sink, 1, 0, null);
    }

    /** Writer subtask {@code subtask} of {@code parallelism}, restored from {@code state} (null: fresh). */
    static SinkWriterHarness open(Hdf5Sink sink, int parallelism, int subtask, OperatorSubtaskState state) throws Exception {
        return new SinkWriterHarness(sink, parallelism, subtask, state);
    }

    /** Subtask {@code subtask} of {@code newParallelism}, restored from the states of the old subtasks (rescale). */
    static SinkWriterHarness rescaled(Hdf5Sink sink, int newParallelism, int subtask, OperatorSubtaskState... oldStates)
            throws Exception {
        OperatorSubtaskState packed = AbstractStreamOperatorTestHarness.repackageState(oldStates);
        OperatorSubtaskState mine = AbstractStreamOperatorTestHarness.repartitionOperatorState(packed, MAX_PARALLELISM,
                oldStates.length, newParallelism, subtask);
        return new SinkWriterHarness(sink, newParallelism, subtask, mine);
    }

    SinkWriterHarness write(ArrayBlock... blocks) throws Exception {
        for (ArrayBlock b : blocks) harness.processElement(b, 0);
        return this;
    }

    /** A checkpoint as Flink takes it: the committables emitted before the barrier, and the operator state. */
    record Checkpoint(List<Hdf5Committable> committables, List<CommittableMessage<Hdf5Committable>> messages,
            OperatorSubtaskState state) {
        Hdf5Committable only() {
            if (committables.size() != 1) throw new AssertionError("expected one committable, got " + committables);
            return committables.get(0);
        }
    }

    Checkpoint checkpoint(long checkpointId) throws Exception {
        harness.prepareSnapshotPreBarrier(checkpointId);
        OperatorSubtaskState state = harness.snapshot(checkpointId, checkpointId);
        List<CommittableMessage<Hdf5Committable>> messages = newMessages();
        return new Checkpoint(committables(messages), messages, state);
    }

    /** End of input: the final committables (partial chunks completed with the fill value). */
    List<Hdf5Committable> endInput() throws Exception {
        harness.endInput();
        return committables(newMessages());
    }

    /**
     * The writer's state as it would be snapshotted now (read through the operator, for
     * inspection), its per-bucket elements folded into one: the identity of the element that
     * carries the writer, every dataset once with all its open chunks.
     */
    Hdf5WriterState peekState() throws Exception {
        List<Hdf5WriterState> elements = peekElements();
        Hdf5WriterState carrier = elements.stream().filter(Hdf5WriterState::carriesWriter).findFirst()
                .orElseThrow(() -> new AssertionError("no element carries the writer: " + elements));
        Map<String, Hdf5WriterState.DatasetState> datasets = new LinkedHashMap<>();
        for (Hdf5WriterState e : elements) {
            for (Hdf5WriterState.DatasetState d : e.datasets()) {
                datasets.merge(d.file() + "|" + d.dataset(), d, (x, y) -> {
                    List<Hdf5WriterState.ChunkState> chunks = new ArrayList<>(x.openChunks());
                    chunks.addAll(y.openChunks());
                    return new Hdf5WriterState.DatasetState(x.file(), x.dataset(), x.spec(), x.append(), x.cursor(), x.extent(),
                            x.publishedShape(), x.storedShape(), chunks);
                });
            }
        }
        return new Hdf5WriterState(-1, carrier.writerId(), true, carrier.nextEpoch(), carrier.adoptedWriterIds(),
                List.copyOf(datasets.values()));
    }

    /** The writer's state elements as they would be snapshotted now, one per bucket it owns. */
    List<Hdf5WriterState> peekElements() throws Exception {
        Object operator = harness.getOperator();
        Field f = operator.getClass().getDeclaredField("sinkWriter");
        f.setAccessible(true);
        @SuppressWarnings("unchecked")
        StatefulSinkWriter<ArrayBlock, Hdf5WriterState> writer = (StatefulSinkWriter<ArrayBlock, Hdf5WriterState>) f.get(operator);
        return writer.snapshotState(Long.MAX_VALUE);
    }

    private List<CommittableMessage<Hdf5Committable>> newMessages() {
        List<CommittableMessage<Hdf5Committable>> all = harness.extractOutputValues();
        List<CommittableMessage<Hdf5Committable>> fresh = new ArrayList<>(all.subList(consumed, all.size()));
        consumed = all.size();
        return fresh;
    }

    private static List<Hdf5Committable> committables(List<CommittableMessage<Hdf5Committable>> messages) {
        List<Hdf5Committable> out = new ArrayList<>();
        for (CommittableMessage<Hdf5Committable> m : messages) {
            if (m instanceof CommittableWithLineage<Hdf5Committable> c) out.add(c.getCommittable());
            else if (!(m instanceof CommittableSummary)) throw new AssertionError("unexpected message " + m);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    // ---------------------------------------------------------------- decoding staged chunks

    /** The raw bytes of a staged chunk: read from the staging file and decoded by the dataset's filters. */
    static byte[] decode(Path baseDirectory, Hdf5Committable c, Hdf5Committable.DatasetPart part, Hdf5Committable.ChunkRef ref)
            throws IOException {
        DatasetSpec spec = part.spec();
        byte[] stored = StagingFiles.read(baseDirectory.resolve(SinkConfig.STAGING_DIRECTORY), c.stagingFile(), ref.position(),
                ref.length());
        FilterPipeline pipeline = FilterPipeline.of(spec.filters(), spec.type().size(), spec.chunkBytes());
        return pipeline.decode(stored, ref.length(), ref.filterMask(), spec.chunkBytes());
    }

    /** Little-endian int32 elements as bytes. */
    static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putInt(v);
        return b.array();
    }

    /** Little-endian int32 elements of bytes. */
    static int[] toInts(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[bytes.length / 4];
        for (int i = 0; i < out.length; i++) out[i] = b.getInt();
        return out;
    }
}
