package io.hdf5flink.sink.staging;

import io.hdf5flink.hdf5.ExclusiveLock;
import io.hdf5flink.hdf5.SpaceLedger;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.io.IOException;
import io.hdf5flink.hdf5.PositionalWrite;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;

/**
 * Names and writes the files a writer keeps in the staging directory: one file of filtered chunks
 * per writer and epoch ({@code <writer>-<epoch>.chunks}), referenced by that epoch's committable
 * until the committer has copied them into the HDF5 file, and spill files of raw partial chunks
 * ({@code <writer>-<epoch>.spill}), referenced by checkpointed state. Files are created anew
 * (truncated) so that an attempt restarted from a checkpoint overwrites what a failed attempt
 * left under the same name.
 */
@Internal
public final class StagingFiles {
    public static final String CHUNKS = ".chunks";
    public static final String SPILL = ".spill";
    /** The suffix of a file's space ledger ({@link io.hdf5flink.hdf5.SpaceLedger}). */
    public static final String SPACE = ".space";
    /** The suffix of the record of a file's visible prefixes (see the committer's {@code VisiblePrefixes}). */
    public static final String PREFIXES = ".prefixes";
    /** Suffix of the lock under which committer subtasks take turns committing one output file. */
    public static final String COMMIT_LOCK = ".commit.lock";

    private StagingFiles() {}

    /**
     * The name of a writer that starts without state: it begins with the id of its job, which is
     * how {@link #deleteFilesOfJobs} finds a job's files without knowing its writers.
     */
    public static String freshWriterName(String jobId, int subtask) {
        return jobId + "-" + subtask;
    }

    /**
     * The name of a writer restored from checkpoint {@code restoredCheckpointId} without the state
     * element that carries a writer (a writer added by scaling up): it begins with the job of
     * {@code previousOwner}, the writer that owned its first bucket, {@code bucket}, in that
     * checkpoint (a job of the same run of restores, so that {@link #deleteFilesOfJobs} finds it).
     * Every attempt restored from the same checkpoint names the writer of that bucket alike, so an
     * attempt that fails before its next checkpoint completes leaves files and space under a name
     * the next attempt knows: it frees them, at any parallelism (see {@code WriterIdentity}).
     */
    public static String successorName(String previousOwner, int bucket, long restoredCheckpointId) {
        int dash = previousOwner.indexOf('-');
        String job = dash > 0 ? previousOwner.substring(0, dash) : previousOwner;
        return job + "-b" + bucket + "-r" + restoredCheckpointId;
    }

    public static String name(String writerId, long epoch, String suffix) {
        return writerId + "-" + epoch + suffix;
    }

    /** The name of the space ledger of {@code relativeFile} (relative to the base directory). */
    public static String ledgerName(String relativeFile) {
        return URLEncoder.encode(relativeFile, StandardCharsets.UTF_8) + SPACE;
    }

    /** The name of the lock that orders the rebuilds of master file {@code relativeFile}. */
    public static String masterLockName(String relativeFile) {
        return URLEncoder.encode(relativeFile, StandardCharsets.UTF_8) + ".master.lock";
    }

    /** The name of the lock under which committer subtasks take turns committing {@code relativeFile}. */
    public static String commitLockName(String relativeFile) {
        return URLEncoder.encode(relativeFile, StandardCharsets.UTF_8) + COMMIT_LOCK;
    }

    /** The output file (relative to the sink's base directory) a staging file named {@code name}, ending in {@code suffix}, is about. */
    public static String outputFileOf(String name, String suffix) {
        return URLDecoder.decode(name.substring(0, name.length() - suffix.length()), StandardCharsets.UTF_8);
    }

    /** The name of the record of {@code relativeFile}'s visible prefixes. */
    public static String prefixesName(String relativeFile) {
        return URLEncoder.encode(relativeFile, StandardCharsets.UTF_8) + PREFIXES;
    }

    /**
     * The space ledgers in the staging directory, each with its data file (the staging directory's
     * parent is the sink's base directory).
     */
    public static List<SpaceLedger> spaceLedgers(Path stagingDirectory, boolean fsync) throws IOException {
        List<SpaceLedger> ledgers = new ArrayList<>();
        if (!Files.isDirectory(stagingDirectory)) return ledgers;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagingDirectory, "*" + SPACE)) {
            for (Path p : entries) ledgers.add(ledgerAt(p, fsync));
        }
        return ledgers;
    }

    /** The ledger stored in {@code ledgerFile}, of the data file its name names (see {@link #ledgerName}). */
    private static SpaceLedger ledgerAt(Path ledgerFile, boolean fsync) {
        String name = ledgerFile.getFileName().toString();
        String relative = outputFileOf(name, SPACE);
        Path base = ledgerFile.getParent().getParent();
        return new SpaceLedger(ledgerFile, base.resolve(relative), base, fsync);
    }

    /** Deletes the chunk and spill files of the given writers in the staging directory (one listing of it). */
    public static void deleteFilesOfWriters(Path stagingDirectory, Set<String> writers) throws IOException {
        if (!Files.isDirectory(stagingDirectory)) return;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(stagingDirectory)) {
            for (Path f : files) {
                String writer = writerOf(f.getFileName().toString());
                if (writer != null && writers.contains(writer)) Files.deleteIfExists(f);
            }
        }
    }

    /**
     * Deletes every file in the staging directory of a writer named by one of {@code jobIds}
     * (chunks, spills, markers) and frees the space their writers hold in output files, keeping the
     * ledgers: their free lists hand that space to the next writers.
     */
    public static void abandonJobs(Path stagingDirectory, Collection<String> jobIds) throws IOException {
        if (!Files.isDirectory(stagingDirectory)) return;
        List<String> prefixes = jobIds.stream().map(job -> job + "-").toList();
        try (Stream<Path> entries = Files.list(stagingDirectory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (prefixes.stream().anyMatch(name::startsWith)) Files.deleteIfExists(p);
            }
        }
        for (SpaceLedger ledger : spaceLedgers(stagingDirectory, false)) {
            for (String prefix : prefixes) ledger.releaseOwnersStartingWith(prefix);
        }
    }

    /** The writer id of a staging file name, or null when the name is not one. */
    public static String writerOf(String fileName) {
        int dash = fileName.lastIndexOf('-');
        return dash > 0 && (fileName.endsWith(CHUNKS) || fileName.endsWith(SPILL)) ? fileName.substring(0, dash) : null;
    }

    /** The epoch of a staging file name, or -1. */
    public static long epochOf(String fileName) {
        int dash = fileName.lastIndexOf('-');
        int dot = fileName.lastIndexOf('.');
        try {
            return Long.parseLong(fileName.substring(dash + 1, dot));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Deletes every file in the staging directory of a writer named by one of {@code jobIds}
     * (chunks, spills, markers), frees the space their writers hold in output files (deleting a
     * ledger that then has nothing live), then the directory if that leaves it empty; when another job
     * shares it, it stays with that job's files.
     */
    public static void deleteFilesOfJobs(Path stagingDirectory, Collection<String> jobIds) throws IOException {
        if (!Files.isDirectory(stagingDirectory)) return;
        abandonJobs(stagingDirectory, jobIds);
        for (SpaceLedger ledger : spaceLedgers(stagingDirectory, false)) ledger.deleteIfIdle();
        // A ledger's lock file without its ledger (a process killed as it first locked it).
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(stagingDirectory, "*" + SPACE + ".lock")) {
            for (Path lock : locks) {
                String name = lock.getFileName().toString();
                Path ledger = lock.resolveSibling(name.substring(0, name.length() - ".lock".length()));
                if (!Files.exists(ledger)) ledgerAt(ledger, false).deleteIfIdle();
            }
        }
        deleteIdleCommitLocks(stagingDirectory);
        try {
            Files.deleteIfExists(stagingDirectory);
        } catch (DirectoryNotEmptyException sharedWithAnotherJob) {
            // Its files are that job's.
        }
    }

    /**
     * Deletes, each under its lock, the commit locks (see the committer's {@code CommitTurns}) of
     * output files no writer holds space in any more (their space ledger is gone), as at the end
     * of a job: a committer still holding such a file's stamp reads the file again at its next
     * commit.
     */
    public static void deleteIdleCommitLocks(Path stagingDirectory) throws IOException {
        if (!Files.isDirectory(stagingDirectory)) return;
        List<Path> locks = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(stagingDirectory, "*" + COMMIT_LOCK)) {
            for (Path lock : found) locks.add(lock);
        }
        for (Path lock : locks) {
            String relative = outputFileOf(lock.getFileName().toString(), COMMIT_LOCK);
            if (Files.exists(stagingDirectory.resolve(ledgerName(relative)))) continue;
            ExclusiveLock.holding(lock, held -> {
                held.deleteLockFile();
                return null;
            });
        }
    }

    /** An append-only file of records, written sequentially. */
    public static final class AppendFile implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private long position;

        public AppendFile(Path path) throws IOException {
            Files.createDirectories(path.getParent());
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }

        public String name() { return path.getFileName().toString(); }

        /** Appends {@code length} bytes and returns where they start. */
        public long append(byte[] data, int length) throws IOException {
            long at = position;
            PositionalWrite.writeFully(channel, ByteBuffer.wrap(data, 0, length), at, path);
            position += length;
            return at;
        }

        public void sync() throws IOException { channel.force(false); }

        @Override
        public void close() throws IOException { channel.close(); }
    }

    /** Reads back {@code length} bytes of a staging file, checking the file holds them. */
    public static byte[] read(Path directory, String file, long position, int length) throws IOException {
        Path path = directory.resolve(file);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(ch, path, position, length);
        }
    }

    /** Reads back a record of a staging file already open (one open for all of a file's records). */
    public static byte[] read(FileChannel ch, Path path, long position, int length) throws IOException {
        return read(ch, path, position, length, null);
    }

    /**
     * Reads back a record into {@code buffer} when it is large enough (else into a new array,
     * returned): the committer reads one record after another into one buffer.
     */
    public static byte[] read(FileChannel ch, Path path, long position, int length, byte[] buffer) throws IOException {
        if (position < 0 || position + length > ch.size()) {
            throw new IOException(path + " holds " + ch.size() + " bytes; a record at " + position + " of " + length
                    + " bytes lies past its end (was the staging directory changed?)");
        }
        ByteBuffer b = ByteBuffer.wrap(buffer != null && buffer.length >= length ? buffer : new byte[length], 0, length);
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) throw new IOException("unexpected end of " + path);
            p += n;
        }
        return b.array();
    }
}
