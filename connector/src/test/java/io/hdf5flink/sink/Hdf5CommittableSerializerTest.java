package io.hdf5flink.sink;

import static io.hdf5flink.sink.SerializerChecks.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.Hdf5CommittableSerializer;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateAssertions;
import io.hdf5flink.state.StateSamples;
import io.hdf5flink.state.StateWriter;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The committable's binary form, as Flink keeps it in checkpoints: round trips and refusals of corrupt input. */
class Hdf5CommittableSerializerTest {
    private static final int MAGIC = 0x4835434d; // "H5CM"
    private final Hdf5CommittableSerializer serializer = new Hdf5CommittableSerializer();

    /** A spec of {@code rank} (1 to 8) with filters, a fill value and attributes of several kinds. */
    static DatasetSpec spec(int rank) {
        return StateSamples.specOfRank(rank);
    }

    private static long[] ones(int rank, long v) {
        long[] a = new long[rank];
        Arrays.fill(a, v);
        return a;
    }

    static Hdf5Committable sample() {
        Hdf5Committable.DatasetPart rank1 = new Hdf5Committable.DatasetPart("out.h5", "/acquisition/ts", spec(1), new long[] {4096},
                List.of(new Hdf5Committable.ChunkRef(new long[] {0}, 0, 100, 0),
                        new Hdf5Committable.ChunkRef(new long[] {16}, 100, 3, 0b101)));
        Hdf5Committable.DatasetPart rank8 = new Hdf5Committable.DatasetPart("deep/dir/f.h5", "/g/x", spec(8), ones(8, 3),
                List.of(new Hdf5Committable.ChunkRef(ones(8, 0), Long.MAX_VALUE - 10, Integer.MAX_VALUE, -1)));
        Hdf5Committable.DatasetPart empty = new Hdf5Committable.DatasetPart("ü ñ.h5", "/e", spec(2), new long[] {0, 3}, List.of());
        return new Hdf5Committable("3f1c2a8e-0000-4000-8000-123456789abc", 42, List.of("a-b-c", "d"), "3f1c-42.chunks",
                List.of(rank1, rank8, empty), List.of("3f1c-40.spill", "a-b-c-7.spill"));
    }

    static void assertSame(Hdf5Committable expected, Hdf5Committable actual) {
        StateAssertions.assertCommittable(expected, actual);
    }

    @Test
    void roundTripOfEveryField() throws Exception {
        Hdf5Committable c = sample();
        byte[] bytes = serializer.serialize(c);
        Hdf5Committable back = serializer.deserialize(serializer.getVersion(), bytes);
        assertSame(c, back);
        assertEquals(8, back.parts().get(1).spec().chunks().length);
        assertEquals(1, back.parts().get(0).spec().chunks().length);
        assertArrayEquals(bytes, serializer.serialize(back), "serializing again gives the same bytes");
    }

    @Test
    void roundTripOfAnEmptyCommittableWithoutStagingFile() throws Exception {
        Hdf5Committable c = new Hdf5Committable("w", 0, List.of(), null, List.of(), List.of());
        Hdf5Committable back = serializer.deserialize(serializer.getVersion(), serializer.serialize(c));
        assertSame(c, back);
        assertNull(back.stagingFile());
    }

    /** Version 3 is written; versions 1 and 2 (the golden-bytes fixtures test them) are still read; others are refused. */
    @Test
    void unknownVersionsAreRefused() throws Exception {
        assertEquals(3, serializer.getVersion());
        SerializerChecks.assertRefusesOtherVersions(serializer, serializer.serialize(sample()), 3, 2, 1);
    }

    @Test
    void bytesOfAnotherFormatAreRefusedByTheirMagicNumber() throws Exception {
        byte[] bytes = serializer.serialize(sample());
        bytes[0] ^= 0x10;
        assertTrue(assertRefused(serializer, 3, bytes).contains("magic number"));
    }

    /** The start of a committable (version 2, or 1 without {@code magic}) up to its adopted writers' count. */
    private static DataOutputSerializer head(boolean magic) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        if (magic) out.writeInt(MAGIC);
        out.writeUTF("w");
        out.writeLong(1);
        return out;
    }

    /**
     * A committable head with no adopted writers and no staging file, up to the parts' count:
     * version 3 (with magic number, and the in-place flag: staged) or version 1 (neither).
     */
    private static DataOutputSerializer upToParts(boolean magic) throws Exception {
        DataOutputSerializer out = head(magic);
        out.writeInt(0);
        out.writeBoolean(false);
        if (magic) out.writeBoolean(false);
        return out;
    }

    /** Up to the chunk count of a single part. */
    private static DataOutputSerializer upToChunks() throws Exception {
        DataOutputSerializer out = upToParts(true);
        out.writeInt(1);
        out.writeUTF("f.h5");
        out.writeUTF("/d");
        out.write(StateWriter.toBytes(w -> DatasetSpecCodec.write(spec(2), w)));
        out.writeByte(2);
        out.writeLong(0);
        out.writeLong(3);
        return out;
    }

    @Test
    void negativeCountsAreRefused() throws Exception {
        DataOutputSerializer adopted = head(true);
        adopted.writeInt(-1);
        assertRefused(serializer, 3, adopted.getCopyOfBuffer());
        DataOutputSerializer parts = upToParts(true);
        parts.writeInt(Integer.MIN_VALUE);
        assertRefused(serializer, 3, parts.getCopyOfBuffer());
        DataOutputSerializer chunks = upToChunks();
        chunks.writeInt(-7);
        assertRefused(serializer, 3, chunks.getCopyOfBuffer());
        DataOutputSerializer rank = upToParts(true);
        rank.writeInt(1);
        rank.writeUTF("f.h5");
        rank.writeUTF("/d");
        rank.write(StateWriter.toBytes(w -> DatasetSpecCodec.write(spec(2), w)));
        rank.writeByte(-1); // visible shape of rank -1
        assertRefused(serializer, 3, rank.getCopyOfBuffer());
    }

    @Test
    void hugeCountsAreRefusedWithoutAllocatingForThem() throws Exception {
        for (int n : new int[] {Integer.MAX_VALUE, 1 << 26, (1 << 26) + 1}) {
            DataOutputSerializer adopted = head(true);
            adopted.writeInt(n);
            assertRefused(serializer, 3, adopted.getCopyOfBuffer());
            DataOutputSerializer chunks = upToChunks();
            chunks.writeInt(n);
            assertRefused(serializer, 3, chunks.getCopyOfBuffer());
        }
        DataOutputSerializer rank = upToChunks();
        rank.writeInt(1);
        rank.writeByte(127); // chunk origin of rank 127
        assertRefused(serializer, 3, rank.getCopyOfBuffer());
    }

    /** A count the serializer allows (up to 2^26 parts) must not make it allocate for all of them up front. */
    @Test
    void aHugePartCountIsRefusedWithoutAllocatingForIt() throws Exception {
        for (int n : new int[] {Integer.MAX_VALUE, 1 << 26}) {
            DataOutputSerializer parts = upToParts(true);
            parts.writeInt(n);
            assertRefused(serializer, 3, parts.getCopyOfBuffer());
        }
    }

    @Test
    void aCorruptEmbeddedSpecIsRefusedWithAnIOException() throws Exception {
        List<String> failures = new java.util.ArrayList<>();
        for (var e : SerializerChecks.corruptSpecs().entrySet()) {
            DataOutputSerializer out = upToParts(false);
            out.writeInt(1);
            out.writeUTF("f.h5");
            out.writeUTF("/d");
            out.write(e.getValue());
            out.writeByte(2);
            out.writeLong(0);
            out.writeLong(3);
            out.writeInt(0);
            out.writeInt(0);
            try {
                assertRefused(serializer, 1, out.getCopyOfBuffer());
            } catch (AssertionError failure) {
                failures.add(e.getKey() + ": " + failure.getMessage());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void truncatedAndMutatedInputIsRefusedWithIOExceptionsOnly() throws Exception {
        byte[] valid = serializer.serialize(sample());
        List<String> bad = SerializerChecks.misbehaviours(serializer, valid, 20240611L, 3000);
        assertEquals(List.of(), bad, "corrupt committables must be refused with an IOException, cheaply");
    }
}
