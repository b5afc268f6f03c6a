package io.hdf5flink.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.Hdf5CommittableSerializer;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import io.hdf5flink.sink.writer.OpenChunk;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import io.hdf5flink.source.split.PendingSplits;
import io.hdf5flink.source.split.PendingSplitsSerializer;
import io.hdf5flink.state.StateSamples;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the serializers whose bytes Flink keeps in checkpoints and hands back on restore: the
 * sink's {@link Hdf5CommittableSerializer} and {@link Hdf5WriterStateSerializer}, the source's
 * {@link ArraySplitSerializer} and {@link PendingSplitsSerializer}. The first input byte picks
 * the serializer and the version it reads (the current one, or an older one it still reads), the
 * rest is what it deserializes.
 *
 * <p>Contract: corrupt bytes are refused with an {@link IOException} only (Flink then fails the
 * restore with it), without allocating in proportion to a count the bytes claim. Bytes that are
 * accepted must give a value that serializes again, and whose serialized form reads back to the
 * same form.
 */
class CheckpointStateFuzzTest {
    static final String TARGET = "checkpoint-state";
    /** As the sink's own serializer tests: a few buffers, never memory in proportion to a claimed count. */
    private static final long ALLOCATION_LIMIT = 32L << 20;

    @SuppressWarnings("rawtypes")
    static final List<SimpleVersionedSerializer> SERIALIZERS = List.of(new Hdf5CommittableSerializer(),
            new Hdf5WriterStateSerializer(), ArraySplitSerializer.INSTANCE, PendingSplitsSerializer.INSTANCE);

    /** What a serializer reads, by the input's first byte: the current versions, then the older ones still read. */
    private record Target(int serializer, int version) {}

    private static final List<Target> TARGETS = List.of(new Target(0, 2), new Target(1, 3), new Target(2, 2),
            new Target(3, 2), new Target(0, 1), new Target(1, 2), new Target(2, 1), new Target(3, 1));

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void deserialize(byte[] input) {
        if (input.length == 0) return;
        Target target = TARGETS.get((input[0] & 0xFF) % TARGETS.size());
        @SuppressWarnings("unchecked")
        SimpleVersionedSerializer<Object> serializer = SERIALIZERS.get(target.serializer());
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        FuzzRun.run(TARGET, ALLOCATION_LIMIT + 16L * input.length,
                serializer.getClass().getSimpleName() + " v" + target.version() + " " + FuzzRun.describe(input),
                () -> check(serializer, target.version(), bytes));
    }

    private static void check(SimpleVersionedSerializer<Object> serializer, int version, byte[] bytes) {
        Object value;
        try {
            value = serializer.deserialize(version, bytes);
        } catch (IOException e) {
            // Flink's DataInputDeserializer reports a short input as an EOFException without a
            // message; the restore fails with it either way.
            FuzzRun.outcome(TARGET, "refused");
            return;
        }
        try {
            byte[] again = serializer.serialize(value);
            byte[] third = serializer.serialize(serializer.deserialize(serializer.getVersion(), again));
            if (!Arrays.equals(again, third)) {
                throw new AssertionError("accepted " + value + ", but its serialized form does not read back the same");
            }
        } catch (IOException e) {
            throw new AssertionError("accepted " + value + ", but it cannot be written back: " + e, e);
        }
        FuzzRun.outcome(TARGET, "accepted");
    }

    @AfterAll
    static void report() {
        FuzzRun.report(TARGET);
    }

    // ---- seeds: a valid value of each ----

    @SuppressWarnings("unchecked")
    static Stream<Arguments> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(seed(0, SERIALIZERS.get(0).serialize(committable())));
        seeds.add(seed(1, SERIALIZERS.get(1).serialize(writerState())));
        seeds.add(seed(2, SERIALIZERS.get(2).serialize(MAPPED)));
        seeds.add(seed(2, SERIALIZERS.get(2).serialize(MEMBER)));
        seeds.add(seed(3, SERIALIZERS.get(3).serialize(new PendingSplits(List.of(MAPPED, MEMBER)))));
        // The older versions: their golden-bytes fixtures.
        seeds.add(seed(4, StateSamples.fixture("committable-v1.bin")));
        seeds.add(seed(5, StateSamples.fixture("writer-state-v2.bin")));
        seeds.add(seed(6, StateSamples.fixture("array-split-member-v1.bin")));
        seeds.add(seed(7, StateSamples.fixture("pending-splits-v1.bin")));
        return seeds.stream().map(s -> Arguments.of((Object) s));
    }

    private static byte[] seed(int target, byte[] bytes) {
        byte[] s = new byte[bytes.length + 1];
        s[0] = (byte) target;
        System.arraycopy(bytes, 0, s, 1, bytes.length);
        return s;
    }

    static final ArraySplit MAPPED = StateSamples.MAPPED;
    static final ArraySplit MEMBER = StateSamples.MEMBER;

    static DatasetSpec spec(int rank) {
        return StateSamples.specOfRank(rank);
    }

    static Hdf5Committable committable() {
        return new Hdf5Committable("3f1c2a8e", 42, List.of("a-b-c"), "3f1c-42.chunks", List.of(
                new Hdf5Committable.DatasetPart("out.h5", "/ts", spec(1), new long[] {4096},
                        List.of(new Hdf5Committable.ChunkRef(new long[] {0}, 0, 100, 0),
                                new Hdf5Committable.ChunkRef(new long[] {16}, 100, 3, 0b101))),
                new Hdf5Committable.DatasetPart("f.h5", "/g/x", spec(3), new long[] {0, 3, 3}, List.of())),
                List.of("3f1c-40.spill"));
    }

    static Hdf5WriterState writerState() {
        return new Hdf5WriterState(5, "3f1c2a8e", true, 43, List.of("a-b-c"), List.of(
                new Hdf5WriterState.DatasetState("out.h5", "/ts", spec(1), true, 37, new long[] {37}, new long[] {32},
                        new long[] {20}, List.of(new Hdf5WriterState.ChunkState(new long[] {32}, 16, 5, new byte[32], null))),
                new Hdf5WriterState.DatasetState("f.h5", "/e", spec(2), false, 0, new long[] {0, 3}, null, null,
                        List.of(new Hdf5WriterState.ChunkState(new long[] {0, 0}, 48, 47, null,
                                new OpenChunk.SpillRef("a-0.spill", 4096, 192))))));
    }
}
