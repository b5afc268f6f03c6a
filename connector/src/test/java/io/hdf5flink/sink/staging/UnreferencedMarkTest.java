package io.hdf5flink.sink.staging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.SpaceLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep deletes the files of a writer whose marker nobody holds, and nothing else: not a living
 * writer's (its lock is held), not a writer's whose committable named its files (no marker), not
 * another writer's with a similar name.
 */
class UnreferencedMarkTest {
    @TempDir Path dir;

    private void stage(String... names) throws Exception {
        for (String n : names) Files.write(dir.resolve(n), new byte[] {1, 2, 3});
    }

    private List<String> left() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> swept() throws Exception {
        return UnreferencedMark.sweep(dir, false).stream().map(UnreferencedMark.Swept::writer).toList();
    }

    @Test
    void onlyTheFilesOfADeadWriterThatNoCommittableNamedAreSwept() throws Exception {
        UnreferencedMark dead = UnreferencedMark.take(dir, "job-0");
        UnreferencedMark living = UnreferencedMark.take(dir, "job-1");
        UnreferencedMark committed = UnreferencedMark.take(dir, "job-2");
        stage("job-0-0.chunks", "job-0-0.spill", "job-0-3.chunks", "job-1-0.chunks", "job-2-0.chunks", "job-0-x-0.chunks",
                "notes.txt");
        assertEquals(List.of(), swept(), "every marker is held");
        committed.release();
        dead.close(); // the writer died: its marker stays, unlocked
        assertEquals(List.of("job-0"), swept());
        assertEquals(List.of("job-0-x-0.chunks", "job-1-0.chunks", "job-1.unreferenced", "job-2-0.chunks", "notes.txt"), left());
        living.close();
        assertEquals(List.of("job-1"), swept());
        assertEquals(List.of("job-0-x-0.chunks", "job-2-0.chunks", "notes.txt"), left());
    }

    @Test
    void aSuccessorUnderTheSameNameTakesTheMarkerBackAndIsNotSwept() throws Exception {
        UnreferencedMark first = UnreferencedMark.take(dir, "job-0");
        first.close();
        UnreferencedMark second = UnreferencedMark.take(dir, "job-0"); // the next attempt of a failed writer
        stage("job-0-0.chunks");
        assertEquals(List.of(), swept());
        assertEquals(List.of("job-0-0.chunks", "job-0.unreferenced"), left());
        second.release();
        assertEquals(List.of("job-0-0.chunks"), left());
    }

    @Test
    void aSweepFreesTheSpaceADeadWriterClaimedInOutputFilesAndOnlyThat() throws Exception {
        SpaceLedger ledger = new SpaceLedger(dir.resolve(StagingFiles.ledgerName("out.h5")), dir.resolveSibling("out.h5"), false);
        UnreferencedMark dead = UnreferencedMark.take(dir, "job-0");
        UnreferencedMark living = UnreferencedMark.take(dir, "job-1");
        SpaceLedger.Extent deadSpace = ledger.claim("job-0", 0, 100, 100);
        ledger.claim("job-1", 0, 50, 50);
        dead.close();
        assertEquals(List.of(new UnreferencedMark.Swept("job-0", 100)), UnreferencedMark.sweep(dir, false));
        assertEquals(deadSpace.start(), ledger.claim("job-2", 0, 100, 100).start(), "the next claim reuses the dead writer's space");
        assertEquals(50, ledger.release("job-1", 0), "the living writer's claim is still live");
        living.close();
    }
}
