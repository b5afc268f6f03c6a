package io.hdf5flink.cli;

import io.hdf5flink.sink.Hdf5Sink;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where {@code convert} (and likewise {@code acquire}) keeps its checkpoints (by default
 * {@code OUT.h5.checkpoints/} beside the output): Flink's retained checkpoints
 * ({@code <job id>/chk-N/_metadata}) and {@code convert.properties} ({@code acquire.properties}),
 * the plan of the run they belong to (the options that shape the output, and for {@code --append}
 * the rows the dataset held before). A run that is killed leaves both; running the same command
 * again finds the newest completed checkpoint and resumes from it. A run that completes deletes what
 * it kept there, and the directory if it created it.
 *
 * <p>The directory may be one the user named ({@code --checkpoint-dir}), so {@code convert} deletes
 * only what it can prove its own: it uses a directory that is new, empty, or holds the plan file of
 * an earlier run, and refuses any other before anything is written; it never deletes files it did
 * not put there, and removes the directory itself only when it created it.
 */
final class CheckpointDirectory {
    /** The plan file of {@code convert}'s directories. */
    static final String PLAN_FILE = "convert.properties";
    /** The name of a completed checkpoint's directory below its job's: {@code chk-<id>}. */
    static final String CHECKPOINT_PREFIX = "chk-";
    /** In the plan: whether the first run created the directory (then the last one removes it). */
    private static final String CREATED = "createdDirectory";
    private static final Pattern CHECKPOINT = Pattern.compile(CHECKPOINT_PREFIX + "(\\d+)");

    private final Path directory;
    /** The command whose runs keep their checkpoints here ({@code convert}, {@code acquire}). */
    private final String command;
    /** The plan of the run, {@code <command>.properties}. */
    private final String planFile;
    /** Locked by the run using the directory, while it runs: {@code <command>.lock}. */
    private final String lockFile;
    /**
     * Put in the directory as soon as a run has created it, and deleted with it: records that the
     * command created it until the plan (which records it too) is written. Only a kill between
     * the directory's creation and this file's (a few system calls) leaves a directory that the
     * next run takes for one it was given: it is then kept, empty, when the conversion completes.
     */
    private final String createdMark;
    /** What a run may leave besides its plan and Flink's checkpoints (killed at the wrong moment). */
    private final Set<String> ownFiles;
    /**
     * Whether {@link #lockForRun} found the directory created by this command: by this run, or by
     * an earlier one killed before its plan (null: it was not called).
     */
    private Boolean createdByCommand;

    /** A directory of {@code convert}. */
    CheckpointDirectory(Path directory) {
        this(directory, "convert");
    }

    /** A directory of {@code command}'s runs. */
    CheckpointDirectory(Path directory, String command) {
        this.directory = directory;
        this.command = command;
        this.planFile = command + ".properties";
        this.lockFile = command + ".lock";
        this.createdMark = command + ".created";
        this.ownFiles = Set.of(planFile + ".tmp", lockFile, createdMark);
    }

    Path path() {
        return directory;
    }

    /** A completed checkpoint: its directory (what Flink restores from) and its number. */
    record Completed(Path directory, long id, FileTime written) {}

    /**
     * The newest checkpoint whose metadata was written completely (Flink writes {@code _metadata}
     * last, when the checkpoint completes); empty when there is none.
     */
    Optional<Completed> latestCompleted() {
        if (!Files.isDirectory(directory)) return Optional.empty();
        Completed best = null;
        try (Stream<Path> jobs = Files.list(directory)) {
            for (Path job : (Iterable<Path>) jobs::iterator) {
                if (!Files.isDirectory(job)) continue;
                try (Stream<Path> checkpoints = Files.list(job)) {
                    for (Path chk : (Iterable<Path>) checkpoints::iterator) {
                        Matcher m = CHECKPOINT.matcher(chk.getFileName().toString());
                        Path metadata = chk.resolve("_metadata");
                        if (!m.matches() || !Files.isRegularFile(metadata) || Files.size(metadata) == 0) continue;
                        Completed c = new Completed(chk, Long.parseLong(m.group(1)), Files.getLastModifiedTime(metadata));
                        if (best == null || c.id() > best.id()
                                || (c.id() == best.id() && c.written().compareTo(best.written()) > 0)) {
                            best = c;
                        }
                    }
                } catch (NoSuchFileException ignored) {
                    // a job directory removed while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + directory + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(best);
    }

    /** The plan of the run these checkpoints belong to, or null when there is none. */
    Properties readPlan() {
        Path file = directory.resolve(planFile);
        if (!Files.isRegularFile(file)) return null;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    /**
     * Refuses a directory that {@code convert} cannot prove its own: one that exists and is not
     * empty, and holds no plan of an earlier run. (A user's {@code --checkpoint-dir .} would
     * otherwise lose its subdirectories at the start and the directory at the end.)
     */
    void requireUsable() {
        if (!Files.exists(directory)) return;
        if (!Files.isDirectory(directory)) throw new UsageException("checkpoint directory " + directory + " is not a directory");
        if (Files.isRegularFile(directory.resolve(planFile))) return;
        try (Stream<Path> entries = Files.list(directory)) {
            if (entries.anyMatch(p -> !ownFiles.contains(p.getFileName().toString()))) {
                throw new UsageException("checkpoint directory " + directory + " is not empty and holds no " + planFile
                        + " of an earlier " + command + ": " + command + " deletes what it keeps there, so name a new or empty directory"
                        + " (--checkpoint-dir)");
            }
        } catch (IOException e) {
            throw new UsageException("reading " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the directory if needed and locks it for this run: a second {@code convert} with
     * the same checkpoints (the same command started twice) is refused before it writes anything,
     * instead of both writing the same output. The lock goes with the process, also when killed.
     */
    Closeable lockForRun() throws IOException {
        if (createdByCommand == null) {
            createdByCommand = !Files.exists(directory) || Files.isRegularFile(directory.resolve(createdMark));
        }
        Files.createDirectories(directory);
        // At once, not only in the plan written later: a run killed before its plan would
        // otherwise leave a directory that the next run takes for one it was given, and keeps.
        if (createdByCommand) Files.write(directory.resolve(createdMark), new byte[0]);
        FileChannel channel = FileChannel.open(directory.resolve(lockFile), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException inThisProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new UsageException("another " + command + " is running with the checkpoints in " + directory
                    + ": wait for it to end (run the same command again after it, to resume it if it was killed)");
        }
        return channel::close;
    }

    /**
     * Creates the directory if needed and writes the plan atomically (replacing an older one),
     * recording whether this conversion created the directory.
     */
    void writePlan(Properties plan) throws IOException {
        Properties previous = readPlan();
        boolean created = createdByConvert(previous);
        plan = (Properties) plan.clone();
        plan.setProperty(CREATED, Boolean.toString(created));
        Files.createDirectories(directory);
        Path tmp = directory.resolve(planFile + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            plan.store(out, "flink-hdf5 " + command + ": the run these checkpoints belong to");
        }
        Files.move(tmp, directory.resolve(planFile), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Makes {@code savepoint}, taken when a run stopped by itself, the point the next run of the
     * same command resumes from: moved (savepoints are relocatable) to
     * {@code <job id>-stopped/chk-<id>} with an id above every checkpoint here, which is where
     * {@link #latestCompleted} looks, and every older checkpoint deleted. A kill in between leaves
     * the savepoint where Flink wrote it and the older checkpoints: the next run then resumes from
     * the newest checkpoint, re-reading the messages since (nothing lost or doubled either way).
     */
    void keepAsResumePoint(Path savepoint, String jobId) throws IOException {
        long id = latestCompleted().map(Completed::id).orElse(0L) + 1;
        Path job = directory.resolve(jobId + "-stopped");
        Files.createDirectories(job);
        Path target = job.resolve(CHECKPOINT_PREFIX + id);
        Files.move(savepoint, target, StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isDirectory(p) && !p.equals(job)) DirectoryTrees.delete(p);
            }
        }
    }

    /** Removes the checkpoints of a run that would start afresh (keeps nothing a new run could mistake for its own). */
    void clearCheckpoints() throws IOException {
        if (!Files.isDirectory(directory)) return;
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isDirectory(p)) DirectoryTrees.delete(p);
            }
        }
    }

    /**
     * Deletes, once the conversion is complete and committed, what the sink's writers of this
     * conversion's jobs left in the staging directory below {@code outputDirectory}: every run of
     * a conversion is a new job with its own directory here. A run killed after its writers
     * prepared a commit that no completed checkpoint holds leaves such files, and the resumed run
     * (a new job) does not know their names. Files of other jobs sharing the staging directory are
     * not touched.
     */
    void deleteStagingFilesOfItsJobs(Path outputDirectory) throws IOException {
        Hdf5Sink.deleteStagingFilesOfJobs(outputDirectory, jobIds());
    }

    /**
     * Gives up the earlier runs whose checkpoints are here, before a run that starts afresh because
     * none of their checkpoints completed (so nothing of theirs can ever be committed): their
     * writers' staging files go, and the space they claimed in the output goes back to its ledger,
     * for this run's writers to fill instead of leaving it a hole. Called before
     * {@link #clearCheckpoints} forgets their job ids.
     */
    void abandonItsJobs(Path outputDirectory) throws IOException {
        Hdf5Sink.abandonJobs(outputDirectory, jobIds());
    }

    /** The ids of the jobs whose checkpoints are here (a directory each). */
    private List<String> jobIds() throws IOException {
        List<String> jobs = new ArrayList<>();
        if (!Files.isDirectory(directory)) return jobs;
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) if (Files.isDirectory(p)) jobs.add(p.getFileName().toString());
        }
        return jobs;
    }

    /**
     * Deletes the checkpoints and then the plan file (last: a run killed while its checkpoints go
     * leaves the plan, so the next run can say the earlier one may have completed), and the
     * directory when this conversion created it and nothing else was put there.
     */
    void delete() throws IOException {
        Properties plan = readPlan();
        boolean created = createdByConvert(plan);
        clearCheckpoints();
        for (String own : ownFiles) if (!own.equals(createdMark)) Files.deleteIfExists(directory.resolve(own));
        Files.deleteIfExists(directory.resolve(planFile));
        if (!created) return;
        Files.deleteIfExists(directory.resolve(createdMark)); // after the plan: one of them says so until the end
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(directory);
                return;
            } catch (DirectoryNotEmptyException e) {
                // Flink may still be discarding an old checkpoint in the background (seconds on a
                // loaded machine: a clean-clone CI run once found the directory left after 1 s);
                // files the conversion did not put there stay, and so does the directory.
                if (attempt >= 200 || holdsFiles()) return;
                sleepBriefly();
                clearCheckpoints();
            }
        }
    }

    /**
     * Whether a conversion created the directory: as its plan records (plans from before the
     * record: yes, as convert then always removed it), else as this run found it.
     */
    private boolean createdByConvert(Properties plan) {
        if (plan != null) return Boolean.parseBoolean(plan.getProperty(CREATED, "true"));
        return createdByCommand != null ? createdByCommand : !Files.exists(directory);
    }

    private boolean holdsFiles() throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.anyMatch(CheckpointDirectory::isStillThereAndNotADirectory);
        }
    }

    /**
     * Whether {@code entry} is a file (or link). An entry gone since it was listed is not: Flink,
     * shutting down beside a completed run, removes job directories while {@link #delete} looks,
     * and {@code !Files.isDirectory} would take each for a file someone else put there.
     */
    private static boolean isStillThereAndNotADirectory(Path entry) {
        try {
            return !Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isDirectory();
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + entry + ": " + e.getMessage(), e);
        }
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting checkpoints", e);
        }
    }
}
