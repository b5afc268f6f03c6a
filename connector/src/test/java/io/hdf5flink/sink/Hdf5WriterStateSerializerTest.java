package io.hdf5flink.sink;

import static io.hdf5flink.sink.SerializerChecks.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import io.hdf5flink.sink.writer.OpenChunk;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateAssertions;
import io.hdf5flink.state.StateWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The writer state's binary form, as Flink keeps it in checkpoints: round trips and refusals of corrupt input. */
class Hdf5WriterStateSerializerTest {
    private static final int MAGIC = 0x48355753; // "H5WS"
    private final Hdf5WriterStateSerializer serializer = new Hdf5WriterStateSerializer();

    private static long[] filled(int rank, long v) {
        long[] a = new long[rank];
        Arrays.fill(a, v);
        return a;
    }

    static Hdf5WriterState sample() {
        byte[] raw = new byte[2 * 16 * 3];
        for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i * 7);
        Hdf5WriterState.DatasetState appended = new Hdf5WriterState.DatasetState("out.h5", "/acquisition/ts",
                Hdf5CommittableSerializerTest.spec(1), true, 37, new long[] {37}, new long[] {32}, new long[] {20},
                List.of(new Hdf5WriterState.ChunkState(new long[] {32}, 16, 5, new byte[32], null)));
        Hdf5WriterState.DatasetState rank8 = new Hdf5WriterState.DatasetState("deep/f.h5", "/g/x",
                Hdf5CommittableSerializerTest.spec(8), false, 0, filled(8, 3), null, null,
                List.of(new Hdf5WriterState.ChunkState(filled(8, 0), 96, 10, null, new OpenChunk.SpillRef("w-3.spill", 4096, 192)),
                        new Hdf5WriterState.ChunkState(filled(8, 1), 1, 0, new byte[0], null)));
        Hdf5WriterState.DatasetState twoD = new Hdf5WriterState.DatasetState("ü.h5", "/e", Hdf5CommittableSerializerTest.spec(2),
                false, 0, new long[] {0, 3}, new long[] {0, 3}, new long[] {0, 3},
                List.of(new Hdf5WriterState.ChunkState(new long[] {16, 2}, 16 * 3, 17, raw, null),
                        new Hdf5WriterState.ChunkState(new long[] {0, 0}, 48, 47, null,
                                new OpenChunk.SpillRef("a-b-c-0.spill", Long.MAX_VALUE - 1, Integer.MAX_VALUE))));
        return new Hdf5WriterState(127, "3f1c2a8e-0000-4000-8000-123456789abc", true, 43, List.of("a-b-c", "d"),
                List.of(appended, rank8, twoD));
    }

    static void assertSame(Hdf5WriterState expected, Hdf5WriterState actual) {
        StateAssertions.assertWriterState(expected, actual);
    }

    @Test
    void roundTripOfEveryFieldIncludingSpilledChunks() throws Exception {
        Hdf5WriterState s = sample();
        byte[] bytes = serializer.serialize(s);
        Hdf5WriterState back = serializer.deserialize(serializer.getVersion(), bytes);
        assertSame(s, back);
        assertNull(back.datasets().get(1).publishedShape());
        assertNull(back.datasets().get(1).openChunks().get(0).raw());
        assertEquals(new OpenChunk.SpillRef("w-3.spill", 4096, 192), back.datasets().get(1).openChunks().get(0).spilled());
        assertEquals(8, back.datasets().get(1).spec().chunks().length);
        assertArrayEquals(bytes, serializer.serialize(back), "serializing again gives the same bytes");
    }

    @Test
    void roundTripOfAFreshWriter() throws Exception {
        Hdf5WriterState s = new Hdf5WriterState(0, "w", false, 0, List.of(), List.of());
        assertSame(s, serializer.deserialize(serializer.getVersion(), serializer.serialize(s)));
    }

    /** Version 3 is written; version 2 (the golden-bytes fixtures test it) is still read; others are refused. */
    @Test
    void unknownVersionsAreRefused() throws Exception {
        assertEquals(3, serializer.getVersion());
        SerializerChecks.assertRefusesOtherVersions(serializer, serializer.serialize(sample()), 3, 2);
    }

    @Test
    void bytesOfAnotherFormatAreRefusedByTheirMagicNumber() throws Exception {
        byte[] bytes = serializer.serialize(sample());
        bytes[3] ^= 0x01;
        assertTrue(assertRefused(serializer, 3, bytes).contains("magic number"));
    }

    /** The start of a state (version 3, or 2 without {@code magic}) up to its adopted writers' count. */
    private static DataOutputSerializer head(boolean magic) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        if (magic) out.writeInt(MAGIC);
        out.writeInt(0); // bucket
        out.writeUTF("w");
        out.writeBoolean(false);
        out.writeLong(3);
        return out;
    }

    private static DataOutputSerializer upToDatasets(boolean magic) throws Exception {
        DataOutputSerializer out = head(magic);
        out.writeInt(0);
        return out;
    }

    /** One 2-D dataset up to its open chunks' count. */
    private static DataOutputSerializer upToChunks() throws Exception {
        DataOutputSerializer out = upToDatasets(true);
        out.writeInt(1);
        out.writeUTF("f.h5");
        out.writeUTF("/d");
        out.write(StateWriter.toBytes(w -> DatasetSpecCodec.write(Hdf5CommittableSerializerTest.spec(2), w)));
        out.writeBoolean(false);
        out.writeLong(0);
        out.writeByte(2);
        out.writeLong(0);
        out.writeLong(3);
        out.writeBoolean(false);
        return out;
    }

    /** One open chunk up to its kind byte. */
    private static DataOutputSerializer upToChunkKind() throws Exception {
        DataOutputSerializer out = upToChunks();
        out.writeInt(1);
        out.writeByte(2);
        out.writeLong(0);
        out.writeLong(0);
        out.writeLong(48);
        out.writeLong(3);
        return out;
    }

    @Test
    void negativeCountsAndLengthsAreRefused() throws Exception {
        DataOutputSerializer adopted = head(true);
        adopted.writeInt(-1);
        assertRefused(serializer, 3, adopted.getCopyOfBuffer());
        DataOutputSerializer datasets = upToDatasets(true);
        datasets.writeInt(Integer.MIN_VALUE);
        assertRefused(serializer, 3, datasets.getCopyOfBuffer());
        DataOutputSerializer chunks = upToChunks();
        chunks.writeInt(-3);
        assertRefused(serializer, 3, chunks.getCopyOfBuffer());
        DataOutputSerializer raw = upToChunkKind();
        raw.writeByte(0);
        raw.writeInt(-96);
        assertRefused(serializer, 3, raw.getCopyOfBuffer());
    }

    @Test
    void hugeCountsAndLengthsAreRefusedWithoutAllocatingForThem() throws Exception {
        for (int n : new int[] {Integer.MAX_VALUE, 1 << 26, (1 << 26) + 1}) {
            DataOutputSerializer adopted = head(true);
            adopted.writeInt(n);
            assertRefused(serializer, 3, adopted.getCopyOfBuffer());
            DataOutputSerializer datasets = upToDatasets(true);
            datasets.writeInt(n);
            assertRefused(serializer, 3, datasets.getCopyOfBuffer());
            DataOutputSerializer chunks = upToChunks();
            chunks.writeInt(n);
            assertRefused(serializer, 3, chunks.getCopyOfBuffer());
        }
        for (int n : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1 << 30, 97}) {
            DataOutputSerializer raw = upToChunkKind();
            raw.writeByte(0);
            raw.writeInt(n); // a chunk of n bytes, with 96 present
            raw.write(new byte[96]);
            assertRefused(serializer, 3, raw.getCopyOfBuffer());
        }
        DataOutputSerializer rank = upToChunks();
        rank.writeInt(1);
        rank.writeByte(100);
        assertRefused(serializer, 3, rank.getCopyOfBuffer());
    }

    @Test
    void aCorruptEmbeddedSpecIsRefusedWithAnIOException() throws Exception {
        List<String> failures = new ArrayList<>();
        for (var e : SerializerChecks.corruptSpecs().entrySet()) {
            DataOutputSerializer out = upToDatasets(false);
            out.writeInt(1);
            out.writeUTF("f.h5");
            out.writeUTF("/d");
            out.write(e.getValue());
            out.writeBoolean(false);
            out.writeLong(0);
            out.writeByte(2);
            out.writeLong(0);
            out.writeLong(3);
            out.writeBoolean(false);
            out.writeInt(0);
            try {
                assertRefused(serializer, 2, out.getCopyOfBuffer());
            } catch (AssertionError failure) {
                failures.add(e.getKey() + ": " + failure.getMessage());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void truncatedAndMutatedInputIsRefusedWithIOExceptionsOnly() throws Exception {
        byte[] valid = serializer.serialize(sample());
        List<String> bad = SerializerChecks.misbehaviours(serializer, valid, 20240612L, 3000);
        assertEquals(List.of(), bad, "corrupt writer states must be refused with an IOException, cheaply");
    }
}
