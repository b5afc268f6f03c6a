package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.BlockReader;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.Superblock;
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
 *
 * <p>With a {@link SpaceLedger} ({@link #shareSpace}), other processes write chunks into the same
 * file at once, each in space the ledger handed it. This file then allocates from arenas it claims
 * there too, instead of from its end of file, and the end of file it publishes is the end of what
 * its commits reference ({@link #referenced}): rule (1) becomes "only into space the ledger handed
 * out", which no commit references until the chunks written there are committed.
 */
final class FileStorage implements BlockReader, Closeable {
    static final int PAGE = 4096;

    private final Path path;
    private final FileChannel channel;
    /** False for a read-only open, which takes no lock and refuses every write. */
    private final boolean writable;
    /**
     * Java's (process-wide fcntl) lock against a second writer; null for readers, and for writers
     * whose {@link #libhdfLock} excludes other writers itself (an open-file-description lock, which
     * conflicts with this one even in the same process).
     */
    private final FileLock lock;
    /** libhdf5's kind of lock (and, on Linux, the writer lock), held by writers; null for readers or where unavailable. */
    private final LibhdfFileLock libhdfLock;
    /**
     * The superblock as last written (its end of file the published one); null while a new file is
     * being built, until {@link #writeSuperblock} writes its first.
     */
    private Superblock superblock;
    private long eof;
    private long publishedEof;
    /** Released node slots by size, oldest first, each with when it was released (nanoTime). */
    private final Map<Integer, ArrayDeque<long[]>> reusable = new HashMap<>();
    /** Null when this file alone allocates; else where space comes from. */
    private SpaceLedger ledger;
    /** With a ledger: the end of the arena {@link #eof} allocates in. */
    private long arenaEnd;
    /** With a ledger: the end of everything a commit may reference, published as the end of file. */
    private long referencedEnd;
    /** With a ledger: the end of what this file allocated itself (in its own arenas). */
    private long ownEnd;

    private FileStorage(Path path, FileChannel channel, boolean writable, FileLock lock, LibhdfFileLock libhdfLock,
            Superblock superblock, long eof) {
        this.writable = writable;
        this.libhdfLock = libhdfLock;
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.superblock = superblock;
        this.eof = eof;
        this.publishedEof = eof;
    }

    /**
     * Opens the file for reading only: no lock (a writer may hold one), and every write refused.
     * Readers see a consistent state as long as the writer keeps each instant valid, as this
     * engine does.
     */
    static FileStorage openReadOnly(Path path, Superblock superblock) throws IOException {
        return new FileStorage(path, FileChannel.open(path, StandardOpenOption.READ), false, null, null, superblock,
                superblock.endOfFileAddress());
    }

    /**
     * Opens (creating when asked) and locks the file; a second writer is refused. A file whose
     * space a sink shares through {@code shared} is opened following no symbolic link below the
     * ledger's root directory ({@link NoFollowOpen}).
     */
    static FileStorage open(Path path, Superblock superblock, SpaceLedger shared) throws IOException {
        return open(path, path, false, superblock, superblock.endOfFileAddress(), shared);
    }

    /**
     * @param openAt the file to open (a temporary name while a new file is being created)
     * @param path the file's name in messages (the name it will have)
     * @param shared the ledger of a file whose space a sink shares, or null
     */
    static FileStorage open(Path openAt, Path path, boolean create, Superblock superblock, long eof, SpaceLedger shared)
            throws IOException {
        FileChannel ch = create
                ? FileChannel.open(openAt, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : shared != null ? NoFollowOpen.channel(shared.root(), openAt, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(openAt, StandardOpenOption.READ, StandardOpenOption.WRITE);
        LibhdfFileLock libhdfLock;
        try {
            libhdfLock = LibhdfFileLock.acquire(openAt, path);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        if (libhdfLock != null && libhdfLock.excludesWriters()) return new FileStorage(path, ch, true, null, libhdfLock, superblock, eof);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            if (libhdfLock != null) libhdfLock.close();
            ch.close();
            throw new Hdf5Exception(path + " is open for writing by another writer (file lock held); only one writer per file");
        }
        return new FileStorage(path, ch, true, lock, libhdfLock, superblock, eof);
    }

    Path path() { return path; }

    /**
     * From now on space comes from {@code ledger}, shared with the writers of chunks: nothing past
     * the end of file is reused, since their chunks may lie there.
     */
    void shareSpace(SpaceLedger ledger) {
        this.ledger = ledger;
        this.referencedEnd = Math.max(eof, publishedEof);
        this.arenaEnd = eof; // empty: the first allocation claims an arena
    }

    /** Chunks written by others at up to {@code end} are referenced by the next commit. */
    void referenced(long end) {
        referencedEnd = Math.max(referencedEnd, end);
    }

    long size() throws IOException { return channel.size(); }

    long publishedEof() { return publishedEof; }

    /** The allocation frontier: where the next new block goes. */
    long eof() { return eof; }

    /** Space for raw data (chunks, heap segments): at the end of file. */
    long allocate(long size) {
        if (ledger != null) ensureArena(size);
        long a = eof;
        eof += size;
        ownEnd = Math.max(ownEnd, eof);
        referencedEnd = Math.max(referencedEnd, eof);
        return a;
    }

    private void ensureArena(long size) {
        if (eof + size <= arenaEnd) return;
        try {
            // Exactly what is asked (a commit's few blocks, one claim each): space claimed by a
            // commit that a kill interrupts is never reclaimed, so it is kept to that commit's
            // own blocks. First fit puts them in the short free extents writers leave behind.
            SpaceLedger.Extent e = ledger.claimForever(size, size);
            if (e.start() != arenaEnd) eof = e.start();
            arenaEnd = e.end();
        } catch (IOException ex) {
            throw new Hdf5Exception(path + ": claiming space in " + ledger.path() + " failed: " + ex.getMessage(), ex);
        }
    }

    /**
     * Space for a block that will be rewritten in place (an object header, a heap header, a group
     * B-tree root): at the end of file, moved to the next page boundary if it would straddle one,
     * so that each rewrite is a write within one page.
     */
    long allocateInPlace(int size) {
        if (ledger != null) ensureArena(size + PAGE);
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
        ArrayDeque<long[]> free = reusable.get(size);
        if (free != null && !free.isEmpty() && System.nanoTime() - free.peekFirst()[1] >= NODE_REUSE_GRACE_NANOS) {
            return free.pollFirst()[0];
        }
        return allocate(size);
    }

    /**
     * How long a released node slot stays untouched before it is reused: a reader that opened
     * the file before the commit that released it may still be walking the old index (libhdf5
     * reads B-tree nodes as it needs them, across many commits of a fast job). A look at the file
     * that lasts less than this sees a consistent index; the cost is the nodes released in this
     * time, kilobytes per dataset, left unused until then.
     */
    static final long NODE_REUSE_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /**
     * Hands back a metadata slot that no committed structure reaches any more. Callers release a
     * slot only after the commit that stopped referencing it has been published; it is reused
     * only {@link #NODE_REUSE_GRACE_NANOS} later.
     */
    void release(long address, int size) {
        reusable.computeIfAbsent(size, k -> new ArrayDeque<>()).addLast(new long[] {address, System.nanoTime()});
    }

    void write(long address, byte[] data) throws IOException {
        write(address, data, 0, data.length);
    }

    void write(long address, byte[] data, int offset, int length) throws IOException {
        if (!writable) throw new Hdf5Exception(path + " is open read-only");
        PositionalWrite.writeFully(channel, ByteBuffer.wrap(data, offset, length), address, path);
    }

    @Override
    public ByteBuffer read(long address, int length, String what) throws IOException {
        // A read-only view follows a writer that keeps moving the end of file (and raises it
        // before publishing anything past it): the file's size is its bound, not the end of file
        // read at open.
        long limit = !writable || ledger != null ? channel.size() : Math.min(Math.max(eof, publishedEof), channel.size());
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
        if (ledger != null) {
            publishReferencedEnd();
            return;
        }
        if (eof > publishedEof) {
            if (channel.size() < eof) {
                // Blocks allocated but not (yet) written, e.g. alignment gaps: the file must be
                // at least as long as the address libhdf5 will check it against.
                write(eof - 1, new byte[1]);
            }
            writeSuperblock(superblock.withEndOfFile(eof));
            publishedEof = eof;
        }
    }

    /**
     * With a ledger: chunks of other writers were written before their committables were made, so
     * the file already reaches them; this file's own blocks allocated but not written (alignment
     * gaps, reserved room) lie in its own arena, where one byte extends the file safely.
     */
    private void publishReferencedEnd() throws IOException {
        if (referencedEnd <= publishedEof) return;
        if (channel.size() < ownEnd) write(ownEnd - 1, new byte[1]);
        if (channel.size() < referencedEnd) {
            throw new Hdf5Exception(path + " has " + channel.size() + " bytes, but the commit references bytes up to "
                    + referencedEnd + ": a chunk to be committed was never written there");
        }
        ledger.publishing(referencedEnd);
        writeSuperblock(superblock.withEndOfFile(referencedEnd));
        publishedEof = referencedEnd;
    }

    /**
     * Stores {@code next}, which differs from the superblock last written in end of file or flags
     * only: the end-of-file field, or a checksummed superblock whole (48 bytes at offset 0, within
     * the first sector: one write a killed process made or did not make). A new file's first
     * superblock is written whole.
     */
    void writeSuperblock(Superblock next) throws IOException {
        if (superblock == null) {
            write(0, next.encode());
        } else {
            write(next.changedBytesOffset(), next.changedBytes());
        }
        superblock = next;
    }

    /**
     * Flags a version 3 superblock as open for writing in SWMR's order of writes, as libhdf5 does
     * while its writer has the file (one already flagged, which the opener let through, stays so):
     * SWMR readers may open it, libhdf5's other opens are refused until {@link #close} clears the flags.
     * Does nothing to other versions, which have no flags.
     */
    void markOpenForWrite() throws IOException {
        if (superblock.version() == 3) {
            writeSuperblock(superblock.withFlags(Superblock.WRITE_ACCESS | Superblock.SWMR_WRITE_ACCESS));
        }
    }

    void sync() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        try {
            // Still under the locks: no other writer can have flagged the file meanwhile.
            if (writable && superblock != null && superblock.flags() != 0) writeSuperblock(superblock.withFlags(0));
        } finally {
            release();
        }
    }

    private void release() throws IOException {
        try {
            if (lock != null) lock.release();
            if (libhdfLock != null) libhdfLock.close();
        } finally {
            channel.close();
        }
    }
}
