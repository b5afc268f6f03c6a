package io.hdf5flink.sink.committer;

import io.hdf5flink.hdf5.ExclusiveLock;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Committer subtasks taking turns on an output file. Each file is committed by the subtask that
 * owns it ({@link FileOwnership}), but after a restore Flink hands restored committables to
 * subtasks by position, so another subtask may commit some of a file's pending committables, in
 * this process or another. A commit therefore runs under an exclusive lock on
 * {@code <file>.commit.lock} in the staging directory, and leaves a stamp there, unique to the
 * committer and the commit. What a committer keeps of a file between its commits (its visible
 * prefixes; the open file itself when it is the only committer subtask) is valid only while the
 * stamp it finds is the one it left: any other stamp, or none, means another committer changed
 * the file since, and its view must be read again.
 */
@Internal
final class CommitTurns {
    /** What a turn did to the file. */
    enum Outcome {
        /** Nothing: the file is as the last stamp says. */
        UNCHANGED,
        /** Committed: the stamp becomes this committer's. */
        CHANGED,
        /** Done with for this run: the lock file goes (a later turn makes it anew, stale for all). */
        DONE
    }

    /** A turn on a file. */
    interface Turn {
        /**
         * @param current whether this committer's view of the file is the file's (it made the
         *     last commit); when false, what it keeps of the file must be dropped
         */
        Outcome take(boolean current) throws IOException;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path stagingDirectory;
    private final long committer = RANDOM.nextLong();
    private long commits;
    /** The stamp this committer left last on each file (by its name relative to the base directory). */
    private final Map<String, byte[]> stamps = new HashMap<>();

    CommitTurns(Path stagingDirectory) {
        this.stagingDirectory = stagingDirectory;
    }

    /**
     * Runs {@code turn} on {@code relativeFile} holding its lock. A turn that fails leaves a stamp
     * nobody holds: what it did is unknown, so every committer reads the file again.
     */
    void take(String relativeFile, Turn turn) throws IOException {
        Path lock = lockFile(relativeFile);
        ExclusiveLock.holding(lock, held -> {
            byte[] mine = stamps.remove(relativeFile);
            Outcome outcome;
            try {
                outcome = turn.take(mine != null && Arrays.equals(mine, held.note()));
            } catch (IOException | RuntimeException | Error e) {
                held.note(stamp(~committer));
                throw e;
            }
            switch (outcome) {
                case UNCHANGED -> {
                    if (mine != null) stamps.put(relativeFile, mine);
                }
                case CHANGED -> {
                    byte[] stamp = stamp(committer);
                    held.note(stamp);
                    stamps.put(relativeFile, stamp);
                }
                case DONE -> held.deleteLockFile();
            }
            return null;
        });
    }

    private Path lockFile(String relativeFile) {
        return stagingDirectory.resolve(StagingFiles.commitLockName(relativeFile));
    }

    private byte[] stamp(long who) {
        return ByteBuffer.allocate(16).putLong(who).putLong(++commits).array();
    }
}
