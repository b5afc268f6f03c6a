package io.hdf5flink.cli;

import io.hdf5flink.sink.Hdf5Sink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where {@code convert} keeps its checkpoints (by default {@code OUT.h5.checkpoints/} beside the
 * output): Flink's retained checkpoints ({@code <job id>/chk-N/_metadata}) and {@code convert.properties},
 * the plan of the run they belong to (the options that shape the output, and for {@code --append}
 * the rows the dataset held before). A run that is killed leaves both; running the same command
 * again finds the newest completed checkpoint and resumes from it. A run that completes deletes the
 * directory.
 */
final class CheckpointDirectory {
    static final String PLAN_FILE = "convert.properties";
    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    private final Path directory;

    CheckpointDirectory(Path directory) {
        this.directory = directory;
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
        Path file = directory.resolve(PLAN_FILE);
        if (!Files.isRegularFile(file)) return null;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return p;
    }

    /** Creates the directory and writes the plan atomically (replacing an older one). */
    void writePlan(Properties plan) throws IOException {
        Files.createDirectories(directory);
        Path tmp = directory.resolve(PLAN_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            plan.store(out, "flink-hdf5 convert: the run these checkpoints belong to");
        }
        Files.move(tmp, directory.resolve(PLAN_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
        if (!Files.isDirectory(directory)) return;
        List<String> jobs = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path p : (Iterable<Path>) entries::iterator) if (Files.isDirectory(p)) jobs.add(p.getFileName().toString());
        }
        Hdf5Sink.deleteStagingFilesOfJobs(outputDirectory, jobs);
    }

    /**
     * Deletes the directory and everything in it, the plan file last: a run killed while its
     * checkpoints go leaves the plan, so the next run can say the earlier one may have completed.
     */
    void delete() throws IOException {
        clearCheckpoints();
        DirectoryTrees.delete(directory);
    }

}
