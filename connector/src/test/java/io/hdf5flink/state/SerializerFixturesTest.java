package io.hdf5flink.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockSerializer;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.Hdf5CommittableSerializer;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import io.hdf5flink.source.split.PendingSplits;
import io.hdf5flink.source.split.PendingSplitsSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes, as Flink's {@code *-migration-test} fixtures: every version of every format that
 * Flink keeps in checkpoints and savepoints, as written by the code of its time, under
 * {@code src/test/resources/serializer-fixtures/<name>-v<version>.bin}, must keep reading back
 * as the values of {@link StateSamples}. A round-trip test passes whatever the format; these
 * fail when a change would break restoring an older checkpoint.
 *
 * <p>After bumping a format's version, add it to {@link #FORMATS} (or {@link #BLOCK_FORMATS})
 * and write its fixture with
 * {@code mvn -pl connector test -Dtest=SerializerFixturesTest -Dfixtures.write=true}: that writes
 * only the fixtures missing, never over an existing one, so old versions are never regenerated.
 */
class SerializerFixturesTest {
    private static final Path SOURCES = Path.of("src/test/resources/serializer-fixtures");

    /** A fixture of a {@link SimpleVersionedSerializer}'s format: one sample in every version listed. */
    record Format<T>(String name, SimpleVersionedSerializer<T> serializer, T sample, BiConsumer<T, T> assertSame,
            List<Integer> versions) {
        String file(int version) {
            return name + "-v" + version + ".bin";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Format<?>> FORMATS = List.of(
            new Format<>("writer-state", new Hdf5WriterStateSerializer(), StateSamples.writerState(),
                    StateAssertions::assertWriterState, List.of(2, 3)),
            new Format<>("writer-state-fresh", new Hdf5WriterStateSerializer(), StateSamples.freshWriterState(),
                    StateAssertions::assertWriterState, List.of(2, 3)),
            new Format<>("committable", new Hdf5CommittableSerializer(), StateSamples.committable(),
                    StateAssertions::assertCommittable, List.of(1, 2, 3)),
            new Format<>("committable-empty", new Hdf5CommittableSerializer(), StateSamples.emptyCommittable(),
                    StateAssertions::assertCommittable, List.of(1, 2, 3)),
            new Format<>("committable-in-place", new Hdf5CommittableSerializer(), StateSamples.inPlaceCommittable(),
                    StateAssertions::assertCommittable, List.of(3)),
            split("array-split-mapped", StateSamples.MAPPED, List.of(1, 2)),
            split("array-split-member", StateSamples.MEMBER, List.of(1, 2)),
            split("array-split-zipped", StateSamples.ZIPPED, List.of(1, 2)),
            split("array-split-raw", StateSamples.RAW_XZ, List.of(1, 2)),
            new Format<>("pending-splits", PendingSplitsSerializer.INSTANCE, StateSamples.pendingSplits(),
                    StateAssertions::assertPendingSplits, List.of(1, 2)));

    private static Format<ArraySplit> split(String name, ArraySplit sample, List<Integer> versions) {
        return new Format<>(name, ArraySplitSerializer.INSTANCE, sample, StateAssertions::assertSplit, versions);
    }

    /**
     * The {@link ArrayBlockSerializer}'s snapshot versions with fixtures: each
     * {@code array-block-snapshot-v<N>.bin} holds the snapshot as Flink writes it into a
     * savepoint, and {@code array-blocks-v<N>.bin} the blocks of {@link StateSamples#blocks()}
     * that the serializer of its time wrote.
     */
    static final List<Integer> BLOCK_FORMATS = List.of(3, 4);

    static Stream<Arguments> storedVersions() {
        List<Arguments> all = new ArrayList<>();
        for (Format<?> f : FORMATS) for (int v : f.versions()) all.add(Arguments.of(f, v));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("storedVersions")
    <T> void readsEveryStoredVersion(Format<T> format, int version) throws IOException {
        T value = format.serializer().deserialize(version, StateSamples.fixture(format.file(version)));
        format.assertSame().accept(format.sample(), value);
    }

    @Test
    void theCurrentVersionsHaveFixtures() {
        for (Format<?> f : FORMATS) {
            assertTrue(f.versions().contains(f.serializer().getVersion()), f + " has no fixture of its current version");
        }
        assertTrue(BLOCK_FORMATS.contains(ArrayBlockSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion()));
    }

    /** A format changed without a new version would still read its own bytes: its fixture catches it. */
    @Test
    void theCurrentVersionsWriteTheirFixturesByteForByte() throws IOException {
        for (Format<?> f : FORMATS) assertArrayEquals(StateSamples.fixture(f.file(f.serializer().getVersion())), written(f), f.name());
        DataOutputSerializer blocks = new DataOutputSerializer(1024);
        for (ArrayBlock b : StateSamples.blocks()) ArrayBlockSerializer.INSTANCE.serialize(b, blocks);
        int current = ArrayBlockSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion();
        assertArrayEquals(StateSamples.fixture("array-blocks-v" + current + ".bin"), blocks.getCopyOfBuffer());
    }

    private static <T> byte[] written(Format<T> f) throws IOException {
        return f.serializer().serialize(f.sample());
    }

    static Stream<Integer> blockFormats() {
        return BLOCK_FORMATS.stream();
    }

    /** Blocks kept in a savepoint are read back by the serializer their snapshot restores. */
    @ParameterizedTest(name = "snapshot v{0}")
    @MethodSource("blockFormats")
    void readsEveryStoredBlockFormat(int snapshotVersion) throws IOException {
        TypeSerializerSnapshot<ArrayBlock> snapshot = storedSnapshot(snapshotVersion);
        TypeSerializer<ArrayBlock> restored = snapshot.restoreSerializer();
        DataInputDeserializer in = new DataInputDeserializer(StateSamples.fixture("array-blocks-v" + snapshotVersion + ".bin"));
        for (ArrayBlock expected : StateSamples.blocks()) StateAssertions.assertBlock(expected, restored.deserialize(in));
        assertEquals(0, in.available(), "bytes left after the last block");
    }

    /**
     * Flink restores state of an older snapshot by resolving the current serializer's snapshot
     * against it: an older record format must ask for migration (Flink then reads with the old
     * snapshot's serializer and writes with the new one), the current one must be compatible as is.
     */
    @ParameterizedTest(name = "snapshot v{0}")
    @MethodSource("blockFormats")
    void theCurrentBlockSerializerMigratesOlderFormats(int snapshotVersion) throws IOException {
        TypeSerializerSnapshot<ArrayBlock> old = storedSnapshot(snapshotVersion);
        TypeSerializerSchemaCompatibility<ArrayBlock> compatibility =
                ArrayBlockSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old);
        int current = ArrayBlockSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion();
        if (snapshotVersion == current) {
            assertTrue(compatibility.isCompatibleAsIs(), compatibility.toString());
        } else {
            assertTrue(compatibility.isCompatibleAfterMigration(), compatibility.toString());
        }
        // The migration: read with the old serializer, write with the new one, read back.
        DataInputDeserializer in = new DataInputDeserializer(StateSamples.fixture("array-blocks-v" + snapshotVersion + ".bin"));
        DataOutputSerializer migrated = new DataOutputSerializer(1024);
        TypeSerializer<ArrayBlock> oldSerializer = old.restoreSerializer();
        for (int i = 0; i < StateSamples.blocks().size(); i++) {
            ArrayBlockSerializer.INSTANCE.serialize(oldSerializer.deserialize(in), migrated);
        }
        DataInputDeserializer back = new DataInputDeserializer(migrated.getCopyOfBuffer());
        for (ArrayBlock expected : StateSamples.blocks()) {
            StateAssertions.assertBlock(expected, ArrayBlockSerializer.INSTANCE.deserialize(back));
        }
    }

    /** The snapshot as a savepoint holds it: class name, version, then the snapshot's own bytes. */
    private static TypeSerializerSnapshot<ArrayBlock> storedSnapshot(int version) throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(StateSamples.fixture("array-block-snapshot-v" + version + ".bin")),
                SerializerFixturesTest.class.getClassLoader());
    }

    /** Writes the fixtures of the current versions that do not exist yet (run from the connector module). */
    @Test
    @EnabledIfSystemProperty(named = "fixtures.write", matches = "true")
    void writeMissingFixtures() throws IOException {
        Files.createDirectories(SOURCES);
        for (Format<?> f : FORMATS) writeMissing(f);
        int snapshotVersion = ArrayBlockSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion();
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, ArrayBlockSerializer.INSTANCE.snapshotConfiguration());
        writeIfMissing("array-block-snapshot-v" + snapshotVersion + ".bin", snapshot.getCopyOfBuffer());
        DataOutputSerializer blocks = new DataOutputSerializer(1024);
        for (ArrayBlock b : StateSamples.blocks()) ArrayBlockSerializer.INSTANCE.serialize(b, blocks);
        writeIfMissing("array-blocks-v" + snapshotVersion + ".bin", blocks.getCopyOfBuffer());
    }

    private static void writeMissing(Format<?> f) throws IOException {
        writeIfMissing(f.file(f.serializer().getVersion()), written(f));
    }

    private static void writeIfMissing(String file, byte[] bytes) throws IOException {
        Path path = SOURCES.resolve(file);
        if (!Files.exists(path)) Files.write(path, bytes);
    }
}
