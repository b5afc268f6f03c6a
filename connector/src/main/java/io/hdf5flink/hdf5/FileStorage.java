package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BlockReader;
import io.hdf5flink.hdf5.format.Bytes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The file as the engine sees it: positional reads and writes, an exclusive lock against a
 * second writer, and space allocation past the end of file.
 *
 * <p>Crash consistency rests on three rules kept here: (1) new bytes are only ever written past
 * the published end of file, or into node slots that the last commit made unreachable; (2) the
 * superblock's end-of-file address is raised ({@link #publishEof()}) before anything that points
 * past the old value is published; (3) a metadata block of at most one page never straddles a
 * page boundary ({@link #allocateInPlace}), so rewriting it in place is one write within one
 * page, which a killed process either made or did not make.
 */
final class FileStorage implements BlockReader, Closeable {
    static final int PAGE = 4096;

    private final Path path;
    private final FileChannel channel;
    /** Null for a read-only open, which takes no lock and refuses every write. */
    private final FileLock lock;
    /** libhdf5's kind of lock, held beside {@link #lock} by writers; null for readers or where unavailable. */
    private final LibhdfFileLock libhdfLock;
    private final long eofField;
    private long eof;
    private long publishedEof;
    private final Map<Integer, ArrayDeque<Long>> reusable = new HashMap<>();

    private FileStorage(Path path, FileChannel channel, FileLock lock, LibhdfFileLock libhdfLock, long eofField, long eof) {
        this.libhdfLock = libhdfLock;
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.eofField = eofField;
        this.eof = eof;
        this.publishedEof = eof;
    }

    /**
     * Opens the file for reading only: no lock (a writer may hold one), and every write refused.
     * Readers see a consistent state as long as the writer keeps each instant valid, as this
     * engine does.
     */
    static FileStorage openReadOnly(Path path, long eofField, long eof) throws IOException {
        return new FileStorage(path, FileChannel.open(path, StandardOpenOption.READ), null, null, eofField, eof);
    }

    /** Opens (creating when asked) and locks the file; a second writer is refused. */
    static FileStorage open(Path path, boolean create, long eofField, long eof) throws IOException {
        return open(path, path, create, eofField, eof);
    }

    /**
     * @param openAt the file to open (a temporary name while a new file is being created)
     * @param path the file's name in messages (the name it will have)
     */
    static FileStorage open(Path openAt, Path path, boolean create, long eofField, long eof) throws IOException {
        FileChannel ch = create
                ? FileChannel.open(openAt, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(openAt, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new Hdf5Exception(path + " is open for writing by another writer (file lock held); only one writer per file");
        }
        LibhdfFileLock libhdfLock;
        try {
            libhdfLock = LibhdfFileLock.acquire(openAt, path);
        } catch (RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
        return new FileStorage(path, ch, lock, libhdfLock, eofField, eof);
    }

    Path path() { return path; }

    long size() throws IOException { return channel.size(); }

    /** The allocation frontier: where the next new block goes. */
    long eof() { return eof; }

    /** Space for raw data (chunks, heap segments): at the end of file. */
    long allocate(long size) {
        long a = eof;
        eof += size;
        return a;
    }

    /**
     * Space for a block that will be rewritten in place (an object header, a heap header, a group
     * B-tree root): at the end of file, moved to the next page boundary if it would straddle one,
     * so that each rewrite is a write within one page.
     */
    long allocateInPlace(int size) {
        if (eof / PAGE != (eof + size - 1) / PAGE && eof % PAGE != 0) {
            // A block larger than a page starts on a boundary: its first page, where headers keep
            // the fields rewritten in place, is then whole.
            eof = (eof / PAGE + 1) * PAGE;
        }
        return allocate(size);
    }

    /**
     * Space for a copy-on-write node (chunk index nodes, symbol table nodes): a slot of the same
     * size released by an earlier commit, or the end of file. Such nodes are never rewritten
     * once a commit can reach them, so they need no page alignment.
     */
    long allocateNode(int size) {
        ArrayDeque<Long> free = reusable.get(size);
        return free != null && !free.isEmpty() ? free.pop() : allocate(size);
    }

    /**
     * Hands back a metadata slot that no committed structure reaches any more. Callers release a
     * slot only after the commit that stopped referencing it has been published.
     */
    void release(long address, int size) {
        reusable.computeIfAbsent(size, k -> new ArrayDeque<>()).push(address);
    }

    void write(long address, byte[] data) throws IOException {
        write(address, data, 0, data.length);
    }

    void write(long address, byte[] data, int offset, int length) throws IOException {
        if (lock == null) throw new Hdf5Exception(path + " is open read-only");
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        long pos = address;
        while (b.hasRemaining()) {
            pos += channel.write(b, pos);
        }
    }

    @Override
    public ByteBuffer read(long address, int length, String what) throws IOException {
        // A read-only view follows a writer that keeps moving the end of file (and raises it
        // before publishing anything past it): the file's size is its bound, not the end of file
        // read at open.
        long limit = lock == null ? channel.size() : Math.min(Math.max(eof, publishedEof), channel.size());
        if (address < 0 || length < 0 || address > limit - length) {
            throw new Hdf5Exception(path + ": " + what + " at address " + address + " (" + length
                    + " bytes) lies past the end of the file (" + Math.min(eof, channel.size()) + " bytes)");
        }
        ByteBuffer b = Bytes.allocate(length);
        long pos = address;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) throw new Hdf5Exception(path + ": unexpected end of file reading " + what + " at " + pos);
            pos += n;
        }
        b.flip();
        return b;
    }

    /** Raises the superblock's end-of-file address to cover everything allocated so far. */
    void publishEof() throws IOException {
        if (eof > publishedEof) {
            if (channel.size() < eof) {
                // Blocks allocated but not (yet) written, e.g. alignment gaps: the file must be
                // at least as long as the address libhdf5 will check it against.
                write(eof - 1, new byte[1]);
            }
            ByteBuffer b = Bytes.allocate(8);
            b.putLong(0, eof);
            write(eofField, b.array());
            publishedEof = eof;
        }
    }

    void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) lock.release();
            if (libhdfLock != null) libhdfLock.close();
        } finally {
            channel.close();
        }
    }
}
