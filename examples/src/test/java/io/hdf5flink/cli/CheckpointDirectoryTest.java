package io.hdf5flink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDirectoryTest {
    @TempDir Path dir;

    private void checkpoint(String job, int n, boolean completed) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
        if (completed) Files.write(chk.resolve("_metadata"), new byte[] {1});
    }

    @Test
    void findsTheNewestCompletedCheckpoint() throws Exception {
        CheckpointDirectory c = new CheckpointDirectory(dir);
        assertTrue(c.latestCompleted().isEmpty());
        checkpoint("job1", 3, true);
        checkpoint("job1", 4, false);          // still being written when the process died
        Files.createDirectories(dir.resolve("job1/shared"));
        assertEquals(3, c.latestCompleted().orElseThrow().id());
        checkpoint("job2", 7, true);            // a resumed run continues the numbering
        assertEquals(dir.resolve("job2/chk-7"), c.latestCompleted().orElseThrow().directory());
    }

    @Test
    void keepsThePlanAndDeletesEverything() throws Exception {
        CheckpointDirectory c = new CheckpointDirectory(dir.resolve("out.h5.checkpoints"));
        assertEquals(null, c.readPlan());
        Properties p = new Properties();
        p.setProperty("options", "inputs=[a.npy]");
        p.setProperty("baseRows", "10");
        c.writePlan(p);
        assertEquals("10", c.readPlan().getProperty("baseRows"));
        Files.createDirectories(c.path().resolve("job/chk-1"));
        c.clearCheckpoints();
        assertFalse(Files.exists(c.path().resolve("job")));
        assertEquals("inputs=[a.npy]", c.readPlan().getProperty("options"));
        c.delete();
        assertFalse(Files.exists(c.path()));
    }

    /**
     * A clean-clone CI run found the directory of a completed conversion left behind, empty: Flink's
     * cluster, shutting down while {@code delete} ran, was discarding the job's checkpoints, and a
     * job directory it removed between being listed and being looked at was taken for a file that
     * someone else put there, so the directory stayed.
     */
    @Test
    void deletesTheDirectoryWhileFlinkIsStillDiscardingCheckpointsInIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            CheckpointDirectory c = new CheckpointDirectory(dir.resolve("out-" + round + ".h5.checkpoints"));
            c.writePlan(new Properties());
            AtomicBoolean discarding = new AtomicBoolean(true);
            Thread flink = new Thread(() -> {
                // What a shutting-down cluster does: a checkpoint appears and is discarded again.
                for (int n = 0; n < 2000; n++) {
                    Path chk = c.path().resolve("job-" + n).resolve("chk-" + n);
                    try {
                        Files.createDirectory(Files.createDirectory(chk.getParent()).resolve(chk.getFileName()));
                        Files.write(chk.resolve("_metadata"), new byte[] {1});
                    } catch (IOException deletedMeanwhile) { // the root never comes back
                        continue;
                    }
                    try {
                        DirectoryTrees.delete(chk.getParent());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                discarding.set(false);
            });
            flink.start();
            c.delete();
            flink.join();
            assertFalse(discarding.get());
            assertFalse(Files.exists(c.path()), "round " + round + ": the directory a completed conversion created stays");
        }
    }

    @Test
    void deletesTheStagingFilesOfItsOwnJobsOnly() throws Exception {
        CheckpointDirectory checkpoints = new CheckpointDirectory(dir.resolve("out.h5.checkpoints"));
        Files.createDirectories(checkpoints.path().resolve("aaa/chk-3"));
        Files.createDirectories(checkpoints.path().resolve("bbb"));
        Path staging = Files.createDirectories(dir.resolve(".hdf5-staging"));
        for (String n : new String[] {"aaa-0-2.chunks", "aaa-1-r3-0.spill", "aaa-1-r3.unreferenced", "bbb-0-0.chunks",
                "ccc-0-0.chunks", "aaaa-0-0.chunks"}) {
            Files.writeString(staging.resolve(n), "x");
        }
        checkpoints.deleteStagingFilesOfItsJobs(dir);
        try (var left = Files.list(staging)) {
            assertEquals(java.util.List.of("aaaa-0-0.chunks", "ccc-0-0.chunks"),
                    left.map(p -> p.getFileName().toString()).sorted().toList(), "another job's files stay");
        }
    }

    /** Issue 20: {@code --checkpoint-dir .} lost the working directory's subdirectories, then the directory. */
    @Test
    void refusesADirectoryItCannotProveItsOwn() throws Exception {
        Path user = Files.createDirectories(dir.resolve("mydir"));
        Files.createDirectories(user.resolve("photos"));
        Files.writeString(user.resolve("notes.txt"), "mine");
        UsageException e = assertThrows(UsageException.class, () -> new CheckpointDirectory(user).requireUsable());
        assertTrue(e.getMessage().contains(user + " is not empty and holds no convert.properties"), e.getMessage());
        assertTrue(Files.isDirectory(user.resolve("photos")) && Files.exists(user.resolve("notes.txt")));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThrows(UsageException.class, () -> new CheckpointDirectory(file).requireUsable());
    }

    @Test
    void leavesADirectoryItDidNotCreateAndWhatItDidNotPutThere() throws Exception {
        Path given = Files.createDirectories(dir.resolve("given"));
        CheckpointDirectory c = new CheckpointDirectory(given);
        c.requireUsable();                     // empty: usable
        Files.writeString(given.resolve("convert.properties.tmp"), "a plan being written when a run was killed");
        c.requireUsable();
        c.writePlan(new Properties());
        Files.createDirectories(given.resolve("job/chk-1"));
        c.requireUsable();                     // holds the plan: ours
        c.delete();
        assertTrue(Files.isDirectory(given), "an empty directory the user gave stays");
        try (var entries = Files.list(given)) {
            assertEquals(0, entries.count());
        }

        CheckpointDirectory created = new CheckpointDirectory(dir.resolve("new"));
        created.writePlan(new Properties());
        created.writePlan(new Properties());   // a resumed run rewrites the plan: still created by convert
        Files.writeString(created.path().resolve("late.txt"), "someone else's");
        created.delete();
        assertTrue(Files.exists(created.path().resolve("late.txt")), "a file convert did not write stays");
    }

    /**
     * A clean-clone CI run's crash harness found the checkpoint directory of a completed
     * conversion left behind, empty: a run was killed after it had created and locked the
     * directory and before it wrote its plan, and the next run took the directory for one it
     * had been given.
     */
    @Test
    void aDirectoryCreatedByARunKilledBeforeItsPlanIsStillRemovedAtTheEnd() throws Exception {
        Path path = dir.resolve("out.h5.checkpoints");
        new CheckpointDirectory(path).lockForRun().close();  // the process killed here releases its lock

        CheckpointDirectory next = new CheckpointDirectory(path);
        next.requireUsable();
        try (var lock = next.lockForRun()) {
            next.writePlan(new Properties());
        }
        next.delete();
        assertFalse(Files.exists(path), "the directory the first run created stays");

        Path given = Files.createDirectories(dir.resolve("given"));
        new CheckpointDirectory(given).lockForRun().close();
        CheckpointDirectory again = new CheckpointDirectory(given);
        try (var lock = again.lockForRun()) {
            again.writePlan(new Properties());
        }
        again.delete();
        assertTrue(Files.isDirectory(given), "a directory the user gave stays");
    }
}
