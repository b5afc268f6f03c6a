package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process and one thread at a time, across processes sharing a file system: an exclusive
 * lock on a lock file (never replaced while in use), and, since a JVM holds such a lock for all
 * its threads, a lock per lock file within the JVM first. What the space ledger and the master
 * files of rolled recordings change under.
 */
public final class ExclusiveLock {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private ExclusiveLock() {}

    /** What runs under the lock. */
    public interface Action<T> {
        T run() throws IOException;
    }

    /** Runs {@code action} holding both locks of {@code lockFile} (created, with its directory, when missing). */
    public static <T> T holding(Path lockFile, Action<T> action) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        inJvm.lock();
        try {
            Files.createDirectories(key.getParent());
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                return action.run();
            }
        } finally {
            inJvm.unlock();
        }
    }
}
