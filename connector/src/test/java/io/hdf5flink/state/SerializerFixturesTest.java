package io.hdf5flink.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockSerializer;
import io.hdf5flink.sink.committer.Hdf5Committable;
import io.hdf5flink.sink.committer.Hdf5CommittableSerializer;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import io.hdf5flink.source.split.PendingSplits;
import io.hdf5flink.source.split.PendingSplitsSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
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
    private static final String RESOURCES = "/serializer-fixtures/";
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
                    StateAssertions::assertWriterState, List.of(2)),
            new Format<>("writer-state-fresh", new Hdf5WriterStateSerializer(), StateSamples.freshWriterState(),
                    StateAssertions::assertWriterState, List.of(2)),
            new Format<>("committable", new Hdf5CommittableSerializer(), StateSamples.committable(),
                    StateAssertions::assertCommittable, List.of(1)),
            new Format<>("committable-empty", new Hdf5CommittableSerializer(), StateSamples.emptyCommittable(),
                    StateAssertions::assertCommittable, List.of(1)),
            split("array-split-mapped", StateSamples.MAPPED, List.of(1)),
            split("array-split-member", StateSamples.MEMBER, List.of(1)),
            split("array-split-zipped", StateSamples.ZIPPED, List.of(1)),
            split("array-split-raw", StateSamples.RAW_XZ, List.of(1)),
            new Format<>("pending-splits", PendingSplitsSerializer.INSTANCE, StateSamples.pendingSplits(),
                    StateAssertions::assertPendingSplits, List.of(1)));

    private static Format<ArraySplit> split(String name, ArraySplit sample, List<Integer> versions) {
        return new Format<>(name, ArraySplitSerializer.INSTANCE, sample, StateAssertions::assertSplit, versions);
    }

    /**
     * The {@link ArrayBlockSerializer}'s snapshot versions with fixtures: each
     * {@code array-block-snapshot-v<N>.bin} holds the snapshot as Flink writes it into a
     * savepoint, and {@code array-blocks-v<N>.bin} the blocks of {@link StateSamples#blocks()}
     * that the serializer of its time wrote.
     */
    static final List<Integer> BLOCK_FORMATS = List.of(3);

    static Stream<Arguments> storedVersions() {
        List<Arguments> all = new ArrayList<>();
        for (Format<?> f : FORMATS) for (int v : f.versions()) all.add(Arguments.of(f, v));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("storedVersions")
    <T> void readsEveryStoredVersion(Format<T> format, int version) throws IOException {
        T value = format.serializer().deserialize(version, fixture(format.file(version)));
        format.assertSame().accept(format.sample(), value);
    }

    @Test
    void theCurrentVersionsHaveFixtures() {
        for (Format<?> f : FORMATS) {
            assertTrue(f.versions().contains(f.serializer().getVersion()), f + " has no fixture of its current version");
        }
        assertTrue(BLOCK_FORMATS.contains(ArrayBlockSerializer.INSTANCE.snapshotConfiguration().getCurrentVersion()));
    }

    static Stream<Integer> blockFormats() {
        return BLOCK_FORMATS.stream();
    }

    /** Blocks kept in a savepoint are read back by the serializer their snapshot restores. */
    @ParameterizedTest(name = "snapshot v{0}")
    @MethodSource("blockFormats")
    void readsEveryStoredBlockFormat(int snapshotVersion) throws IOException {
        TypeSerializerSnapshot<ArrayBlock> snapshot = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(fixture("array-block-snapshot-v" + snapshotVersion + ".bin")),
                getClass().getClassLoader());
        TypeSerializer<ArrayBlock> restored = snapshot.restoreSerializer();
        DataInputDeserializer in = new DataInputDeserializer(fixture("array-blocks-v" + snapshotVersion + ".bin"));
        for (ArrayBlock expected : StateSamples.blocks()) StateAssertions.assertBlock(expected, restored.deserialize(in));
        assertEquals(0, in.available(), "bytes left after the last block");
    }

    static byte[] fixture(String file) throws IOException {
        try (InputStream in = SerializerFixturesTest.class.getResourceAsStream(RESOURCES + file)) {
            assertNotNull(in, "no fixture " + file + " (see this class's javadoc to write it)");
            return in.readAllBytes();
        }
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

    private static <T> void writeMissing(Format<T> f) throws IOException {
        writeIfMissing(f.file(f.serializer().getVersion()), f.serializer().serialize(f.sample()));
    }

    private static void writeIfMissing(String file, byte[] bytes) throws IOException {
        Path path = SOURCES.resolve(file);
        if (!Files.exists(path)) Files.write(path, bytes);
    }
}
