package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One process and one thread at a time, across processes sharing a file system: an exclusive
 * lock on a lock file, and, since a JVM holds such a lock for all its threads, a lock per lock
 * file within the JVM first. What the space ledger, the master files of rolled recordings and the
 * committers' turns on an output file change under.
 *
 * <p>A lock file may be deleted by its holder (when what it guards is done). A process that was
 * waiting meanwhile would then hold the lock of a file no longer in the directory while a third
 * one locks a new file of that name: two holders at once. So a holder checks that the name
 * showed the same file (device and inode) before its open and after its lock; otherwise it lets go
 * and locks again. (Not by reading the file through its name: closing a second descriptor of
 * the file would drop the process's {@code fcntl} lock.) The file holds a note the holder may
 * read and write ({@link Held}): a 4-byte length, then the note.
 */
public final class ExclusiveLock {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    /** Longest note a lock file keeps. */
    public static final int MAX_NOTE_BYTES = 256;

    private ExclusiveLock() {}

    /** What runs under the lock. */
    public interface Action<T> {
        T run() throws IOException;
    }

    /** What runs under the lock, reading or writing the lock file's note. */
    public interface NotingAction<T> {
        T run(Held held) throws IOException;
    }

    /** The lock being held: the note in its file. */
    public interface Held {
        /** The note the last holder wrote (empty when none was). */
        byte[] note() throws IOException;

        /** Replaces the note (at most {@link #MAX_NOTE_BYTES}). */
        void note(byte[] note) throws IOException;
    }

    /** Runs {@code action} holding both locks of {@code lockFile} (created, with its directory, when missing). */
    public static <T> T holding(Path lockFile, Action<T> action) throws IOException {
        return holding(lockFile, held -> action.run());
    }

    /** Runs {@code action} holding both locks of {@code lockFile}, with its note. */
    public static <T> T holding(Path lockFile, NotingAction<T> action) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
        inJvm.lock();
        try {
            while (true) {
                Files.createDirectories(key.getParent());
                Object before = fileKey(key);
                try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                        FileLock ignored = channel.lock()) {
                    // Created just now (by us or another), or deleted by the holder before us: lock anew.
                    if (before == null || !before.equals(fileKey(key))) continue;
                    return action.run(new HeldFile(channel));
                }
            }
        } finally {
            inJvm.unlock();
        }
    }

    /** The identity (device and inode) of the file at {@code path}, or null when there is none. */
    private static Object fileKey(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException none) {
            return null;
        }
    }

    private record HeldFile(FileChannel channel) implements Held {
        @Override
        public byte[] note() throws IOException {
            long size = channel.size();
            if (size <= 4) return new byte[0];
            ByteBuffer length = ByteBuffer.allocate(4);
            readFully(length, 0);
            int n = length.getInt(0);
            if (n < 0 || n > MAX_NOTE_BYTES || 4L + n > size) return new byte[0]; // torn by a crash: no note
            ByteBuffer note = ByteBuffer.allocate(n);
            readFully(note, 4);
            return note.array();
        }

        @Override
        public void note(byte[] note) throws IOException {
            if (note.length > MAX_NOTE_BYTES) throw new IllegalArgumentException("a lock file's note holds at most " + MAX_NOTE_BYTES + " bytes");
            ByteBuffer b = ByteBuffer.allocate(4 + note.length).putInt(note.length).put(note).flip();
            while (b.hasRemaining()) channel.write(b, b.position());
            channel.truncate(4L + note.length);
        }

        private void readFully(ByteBuffer b, long position) throws IOException {
            while (b.hasRemaining()) {
                if (channel.read(b, position + b.position()) < 0) throw new IOException("a lock file ended early");
            }
        }
    }
}
