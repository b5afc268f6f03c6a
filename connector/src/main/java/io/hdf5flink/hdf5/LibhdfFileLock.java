package io.hdf5flink.hdf5;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.Closeable;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock libhdf5 takes on a file it opens: a BSD {@code flock(2)}, exclusive for writing,
 * shared for reading (libhdf5 1.10 and later, unless {@code HDF5_USE_FILE_LOCKING=FALSE}). Java's
 * {@code FileChannel} locks are POSIX {@code fcntl} locks, which on Linux neither see nor are seen
 * by {@code flock}: without this, h5py could open a file for writing while the engine wrote it,
 * and both would corrupt it.
 *
 * <p>A writer of this engine takes the <em>shared</em> lock, on its own open of the file: an h5py
 * writer (exclusive) is then refused while the engine writes, the engine is refused while an h5py
 * writer holds the file, and h5py readers (shared) still open it, as they may while a job writes.
 * A second writer of this engine is excluded by the {@code fcntl} lock; on Linux this descriptor
 * also holds an open-file-description ({@code F_OFD_SETLK}) write lock on the whole file, which a
 * second writer's {@code fcntl} lock conflicts with just the same, but which, unlike Java's
 * process-wide {@code fcntl} lock, no other descriptor of the file closing in this process
 * releases (the sink's writers write chunks into the file through descriptors of their own, and
 * may share the committer's JVM). The locks go with the process, also when it is killed. Where {@code flock} cannot be called (no native access for JNA,
 * another OS), writers go on with the {@code fcntl} lock alone, which is logged once.
 */
final class LibhdfFileLock implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LibhdfFileLock.class);
    private static final int LOCK_SH = 1;
    private static final int LOCK_NB = 4;
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    /** Linux's F_OFD_SETLK and F_WRLCK / SEEK_SET of struct flock. */
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1;
    /** struct flock on 64-bit Linux: l_type, l_whence (shorts), l_start, l_len (longs), l_pid. */
    private static final int FLOCK_STRUCT_BYTES = 32;
    /** Linux's O_CLOEXEC: a child process must not inherit the lock. */
    private static final int O_CLOEXEC_LINUX = 0x80000;

    /** The C library's calls used here. */
    public interface CLibrary extends Library {
        int open(String path, int flags);

        int flock(int fd, int operation);

        int fcntl(int fd, int cmd, com.sun.jna.Pointer arg);

        int close(int fd);
    }

    private static final CLibrary C = load();

    private final int fd;
    private final boolean excludesWriters;

    private LibhdfFileLock(int fd, boolean excludesWriters) {
        this.fd = fd;
        this.excludesWriters = excludesWriters;
    }

    /**
     * Whether this lock also excludes every other writer of this engine (the open-file-description
     * write lock): then the writer takes no Java {@code fcntl} lock, which would conflict with it.
     */
    boolean excludesWriters() {
        return excludesWriters;
    }

    private static CLibrary load() {
        if (!Platform.isLinux() && !Platform.isMac() && !Platform.isFreeBSD()) return null;
        try {
            return Native.load("c", CLibrary.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("flock(2) is not callable ({}): writers exclude libhdf5 writers only through fcntl locks,"
                    + " which libhdf5 does not take", e.toString());
            return null;
        }
    }

    /**
     * Takes the shared lock on {@code openAt}, or refuses because another process holds the
     * exclusive one (a libhdf5 writer).
     *
     * @param path the file's name in messages
     * @return the lock, or null when locks of this kind are not available here
     */
    static LibhdfFileLock acquire(Path openAt, Path path) {
        if (C == null) return null;
        boolean ofd = Platform.isLinux() && Platform.is64Bit();
        int fd = C.open(openAt.toString(), (ofd ? O_RDWR : O_RDONLY) | (Platform.isLinux() ? O_CLOEXEC_LINUX : 0));
        if (fd < 0) {
            throw new Hdf5Exception(path + ": cannot open it to take libhdf5's file lock (errno " + Native.getLastError() + ")");
        }
        if (C.flock(fd, LOCK_SH | LOCK_NB) != 0) {
            int errno = Native.getLastError();
            C.close(fd);
            throw new Hdf5Exception(path + " is open for writing by another writer (a libhdf5 writer such as h5py holds its"
                    + " file lock, errno " + errno + "); only one writer per file");
        }
        return new LibhdfFileLock(fd, ofd && lockDescription(fd, path));
    }

    /**
     * Write-locks the whole file through {@code fd}'s open file description; refuses when another
     * writer holds it. Returns false where the kernel has no such locks.
     */
    private static boolean lockDescription(int fd, Path path) {
        com.sun.jna.Memory flock = new com.sun.jna.Memory(FLOCK_STRUCT_BYTES);
        flock.clear();
        flock.setShort(0, F_WRLCK); // l_whence SEEK_SET (0), l_start 0, l_len 0: the whole file
        if (C.fcntl(fd, F_OFD_SETLK, flock) == 0) return true;
        int errno = Native.getLastError();
        if (errno == 22 /* EINVAL: a kernel before 3.15 */) {
            LOG.warn("{}: this kernel has no open-file-description locks; the writer's fcntl lock is released when"
                    + " another descriptor of the file closes in this process", path);
            return false;
        }
        C.close(fd);
        throw new Hdf5Exception(path + " is open for writing by another writer (its fcntl lock is held, errno " + errno
                + "); only one writer per file");
    }

    /** Releases the lock (closing the descriptor releases it). */
    @Override
    public void close() {
        C.close(fd);
    }
}
