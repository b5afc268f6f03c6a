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
 * one locks a new file of that name: two holders at once. So the holder deletes it through
 * {@link Held#deleteLockFile()}, which, after unlinking the name, marks the file it still holds
 * as deleted; a waiter that then gets the lock of a marked file lets go and locks again. Comparing
 * the file's identity (device and inode) at the name before the open with the one after the lock
 * alone is not enough: a waiter that opened a newer file than the one it looked at could find the
 * name showing a third file that reused the first one's inode (3 runs in 40 of three processes
 * did, on ext4). That comparison stays, for a holder that died between unlinking and marking.
 * (Nothing reads the file through its name while holding it: closing a second descriptor of the
 * file would drop the process's {@code fcntl} lock.) The file holds a note the holder may read
 * and write ({@link Held}): a 4-byte length, then the note; a length of -1 marks a deleted file.
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

    /** What runs under the lock, with the held lock file: its note, or deleting it. */
    public interface HeldAction<T> {
        T run(Held held) throws IOException;
    }

    /** The lock being held: the note in its file. */
    public interface Held {
        /** The note the last holder wrote (empty when none was). */
        byte[] note() throws IOException;

        /** Replaces the note (at most {@link #MAX_NOTE_BYTES}). */
        void note(byte[] note) throws IOException;

        /**
         * Deletes the lock file (when what it guards is done; the next holder makes it anew),
         * marking it so that processes waiting on it lock again rather than hold it beside one
         * that locks the new file.
         */
        void deleteLockFile() throws IOException;
    }

    /** Runs {@code action} holding both locks of {@code lockFile} (created, with its directory, when missing). */
    public static <T> T holding(Path lockFile, Action<T> action) throws IOException {
        return holding(lockFile, held -> action.run());
    }

    /** Runs {@code action} holding both locks of {@code lockFile}, with the held file. */
    public static <T> T holding(Path lockFile, HeldAction<T> action) throws IOException {
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
                    if (before == null || HeldFile.markedDeleted(channel) || !before.equals(fileKey(key))) continue;
                    return action.run(new HeldFile(key, channel));
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

    private record HeldFile(Path path, FileChannel channel) implements Held {
        private static final int DELETED = -1;

        static boolean markedDeleted(FileChannel channel) throws IOException {
            return channel.size() >= 4 && length(channel) == DELETED;
        }

        private static int length(FileChannel channel) throws IOException {
            ByteBuffer length = ByteBuffer.allocate(4);
            readFully(channel, length, 0);
            return length.getInt(0);
        }

        @Override
        public byte[] note() throws IOException {
            long size = channel.size();
            if (size <= 4) return new byte[0];
            int n = length(channel);
            if (n < 0 || n > MAX_NOTE_BYTES || 4L + n > size) return new byte[0]; // torn by a crash: no note
            ByteBuffer note = ByteBuffer.allocate(n);
            readFully(channel, note, 4);
            return note.array();
        }

        @Override
        public void note(byte[] note) throws IOException {
            if (note.length > MAX_NOTE_BYTES) throw new IllegalArgumentException("a lock file's note holds at most " + MAX_NOTE_BYTES + " bytes");
            ByteBuffer b = ByteBuffer.allocate(4 + note.length).putInt(note.length).put(note).flip();
            while (b.hasRemaining()) channel.write(b, b.position());
            channel.truncate(4L + note.length);
        }

        @Override
        public void deleteLockFile() throws IOException {
            // Unlink first: a mark on a file still named would lock every later process out.
            Files.deleteIfExists(path);
            ByteBuffer mark = ByteBuffer.allocate(4).putInt(DELETED).flip();
            while (mark.hasRemaining()) channel.write(mark, mark.position());
        }

        private static void readFully(FileChannel channel, ByteBuffer b, long position) throws IOException {
            while (b.hasRemaining()) {
                if (channel.read(b, position + b.position()) < 0) throw new IOException("a lock file ended early");
            }
        }
    }
}
