package io.hdf5flink.sink.staging;

import io.hdf5flink.hdf5.SpaceLedger;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * Marks a writer whose staging files no committable names yet: a writer under a new name (a
 * fresh job, or a share of a writer split by scaling up). It holds an exclusive lock on
 * {@code <writer>.unreferenced} in the staging directory while it lives, and deletes the marker
 * when it prepares its first committable; from then on the committer and the checkpoints know its
 * files.
 *
 * <p>A marker nobody holds belongs to a writer that died before naming its files anywhere (a
 * process killed before its job's first checkpoint; its successor is a new job with new writer
 * names): none of its files can ever be committed or restored, and {@link #sweep} deletes them
 * and frees the space it claimed in output files.
 * The lock, not the marker's age, tells the dead from the living, so jobs sharing a staging
 * directory never delete each other's files.
 */
@Internal
public final class UnreferencedMark implements AutoCloseable {
    public static final String SUFFIX = ".unreferenced";

    private final Path path;
    private final FileChannel channel;

    private UnreferencedMark(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates and locks the marker of {@code writerId}, before the writer stages anything. */
    public static UnreferencedMark take(Path stagingDirectory, String writerId) throws IOException {
        Files.createDirectories(stagingDirectory);
        Path path = stagingDirectory.resolve(writerId + SUFFIX);
        for (int attempt = 0; attempt < 500; attempt++) {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            // A sweep may have deleted the marker between our open and our lock: then the lock
            // holds an unlinked file, and the marker must be made again.
            if (lock != null && Files.exists(path)) return new UnreferencedMark(path, channel);
            channel.close();
            sleep();
        }
        throw new IOException("could not lock " + path + ": another process holds it (a second job with the same writer names?)");
    }

    /** The writer's first committable names its files: the marker goes. */
    public void release() throws IOException {
        Files.deleteIfExists(path);
        channel.close();
    }

    /** The writer stops (or fails) without a committable: the marker stays for a sweep, unlocked. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A writer a sweep found dead, and the bytes of output files its claims held. */
    public record Swept(String writer, long freedBytes) {}

    /**
     * Deletes the files of every writer whose marker nobody holds, frees the space it claimed in
     * output files (their space ledgers in the staging directory), then deletes the marker; returns
     * the writers swept. All of it happens while the sweep holds the marker's lock: a successor
     * under the same name (the next attempt of a failed job's writer) takes the marker before it
     * claims anything, so the sweep never frees a living writer's space.
     */
    public static List<Swept> sweep(Path stagingDirectory, boolean fsync) throws IOException {
        List<Swept> swept = new ArrayList<>();
        if (!Files.isDirectory(stagingDirectory)) return swept;
        List<Path> marks = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagingDirectory, "*" + SUFFIX)) {
            for (Path p : entries) marks.add(p);
        }
        for (Path mark : marks) {
            String writer = mark.getFileName().toString();
            writer = writer.substring(0, writer.length() - SUFFIX.length());
            FileChannel channel;
            Object opened;
            try {
                opened = fileKey(mark);
                channel = FileChannel.open(mark, StandardOpenOption.WRITE);
            } catch (NoSuchFileException gone) {
                continue;
            }
            try (channel) {
                if (tryLock(channel) == null) continue; // its writer lives
                // Another sweep deleted the marker between our open and our lock, and a successor
                // may have made a new one under the name: then the lock held is not on the marker.
                if (!sameFile(opened, mark)) continue;
                StagingFiles.deleteFilesOfWriters(stagingDirectory, Set.of(writer));
                long freed = 0;
                for (SpaceLedger ledger : StagingFiles.spaceLedgers(stagingDirectory, fsync)) freed += ledger.release(writer, 0);
                Files.deleteIfExists(mark);
                swept.add(new Swept(writer, freed));
            }
        }
        return swept;
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** Whether {@code file} is still the file whose key was {@code key} (false when it is gone or has no key). */
    private static boolean sameFile(Object key, Path file) throws IOException {
        try {
            return key != null && key.equals(fileKey(file));
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /** The lock, or null when another holder (in this process or another) has it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisProcess) {
            return null;
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while locking a staging marker");
        }
    }
}
