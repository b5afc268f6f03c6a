package io.hdf5flink.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The one scratch directory of a command's process, {@code flink-hdf5-*} in {@code java.io.tmpdir}:
 * the embedded Flink's working directory, blob storage and web uploads, and (as the process's
 * {@code java.io.tmpdir} once {@link Main#main} has made it so) the native libraries that GKL and
 * snappy extract at every start. (The JDK's own temporary files, and so libdeflate's copy of its
 * library, stay in the directory {@code java.io.tmpdir} named when the JVM started: the JDK reads
 * it once. libdeflate deletes its copy as soon as it has loaded it.) It is deleted when the
 * process exits.
 *
 * <p>A process killed with SIGKILL cannot delete it, and a command killed and run again is how
 * this project resumes work, so each kill would leave about 1 MB (two native libraries and
 * Flink's empty folders) in {@code /tmp} for good. So the directory holds a file that its process
 * keeps locked while it lives ({@code owner.lock}; the operating system releases the lock when the
 * process ends, however it ends), and every new process deletes the directories whose lock it can
 * take: those of processes that are gone. A directory is locked before it gets its name (it is
 * made under a hidden name and renamed), so no process can find one that is not yet locked; a
 * kill in the microseconds between the two leaves a hidden {@code .flink-hdf5-*} directory
 * holding at most the empty lock file, which stays.
 */
final class ScratchDirectory {
    /** The names of scratch directories; other {@code flink-hdf5-*} directories hold no owner lock and are left alone. */
    static final String PREFIX = "flink-hdf5-";
    static final String OWNER_LOCK = "owner.lock";

    private static Path path;
    /** Kept open (and so locked) for the life of the process. */
    @SuppressWarnings("unused")
    private static FileChannel ownerLock;

    private ScratchDirectory() {}

    /** This process's scratch directory, made (and those of ended processes deleted) on the first call. */
    static synchronized Path ofThisProcess() {
        if (path == null) {
            Path parent = Path.of(System.getProperty("java.io.tmpdir"));
            try {
                deleteThoseOfEndedProcesses(parent);
                path = create(parent);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a scratch directory in " + parent + ": " + e.getMessage(), e);
            }
        }
        return path;
    }

    private static Path create(Path parent) throws IOException {
        // Not Files.createTempDirectory: the JDK fixes the directory of its temporary files at the
        // first such call, and Main makes this directory java.io.tmpdir only afterwards.
        String name = PREFIX + UUID.randomUUID();
        Path hidden = Files.createDirectory(parent.resolve("." + name));
        FileChannel channel = FileChannel.open(hidden.resolve(OWNER_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        channel.lock();
        Path dir = Files.move(hidden, parent.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        ownerLock = channel;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                delete(dir);
            } catch (IOException e) {
                System.err.println("flink-hdf5: could not delete " + dir + ": " + e);
            }
        }, "delete " + dir.getFileName()));
        return dir;
    }

    /**
     * Deletes {@code dir} with its owner lock last: a process killed while it deletes (a kill as
     * it exits) leaves the lock, so the next process still finds the directory and deletes it. A
     * directory without its lock is never deleted by another process.
     */
    static void delete(Path dir) throws IOException {
        Path lock = dir.resolve(OWNER_LOCK);
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    if (!entry.equals(lock)) DirectoryTrees.delete(entry);
                }
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.allMatch(lock::equals)) break;
            }
            // Flink, shutting down beside this hook, still adds folders: go round again, and in
            // the end leave the directory with its lock to the next process.
            if (attempt >= 20) return;
        }
        Files.deleteIfExists(lock);
        Files.deleteIfExists(dir);
    }

    /**
     * Deletes the scratch directories in {@code parent} whose owner lock is free: their process has
     * ended without deleting them. Directories it cannot read or lock are left as they are.
     */
    static void deleteThoseOfEndedProcesses(Path parent) {
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path dir : (Iterable<Path>) entries::iterator) {
                if (dir.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(dir.resolve(OWNER_LOCK))) {
                    deleteIfEnded(dir);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Cleaning up after others never stops this run.
        }
    }

    private static void deleteIfEnded(Path dir) {
        try {
            boolean ended;
            try (FileChannel channel = FileChannel.open(dir.resolve(OWNER_LOCK), StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                ended = lock != null;
            } catch (OverlappingFileLockException ownedByThisProcess) {
                ended = false;
            }
            if (ended) delete(dir);
        } catch (IOException e) {
            // gone meanwhile (another process deleted it), or not ours to open: leave it
        }
    }
}
