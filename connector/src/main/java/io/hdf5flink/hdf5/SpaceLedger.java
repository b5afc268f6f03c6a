package io.hdf5flink.hdf5;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Who may write where in one HDF5 file that several processes fill at once: the allocation
 * record that lets the sink's writers put filtered chunks straight into the output file, each in
 * space no other writer and no commit uses, while one committer publishes them.
 *
 * <p>The ledger is a small file beside the data (in the sink's staging directory), replaced whole
 * under a lock at each change, so a process killed at any instant leaves either the old or the new
 * record. It holds the <em>frontier</em> (no byte at or past it is in use), the <em>free</em>
 * extents (space once handed out whose bytes no commit references), and the <em>live</em>
 * segments: space an owner (a writer) claimed in one epoch (a checkpoint interval) whose chunks
 * are not committed yet. An owner's segments leave the ledger when its epoch is committed
 * ({@link #committed}; the chunks in them are then part of the file for good) or return to the
 * free list when the epoch is known to be lost ({@link #release}: a writer restored to an older
 * epoch, a writer that died before any checkpoint named it). Claims reuse free extents first, so
 * the space a killed attempt wrote is written again by the next one: a file does not grow with the
 * number of kills.
 *
 * <p>Safety does not rest on the ledger alone: the frontier is never below the file's size, so a
 * lost ledger can leak space (its free list is forgotten) but never hand out bytes a commit
 * references. A ledger that is not the file's (left by an earlier file of the same name, or the
 * file replaced or written by another program since) is recognised and started anew: it records
 * the file's inode and the end of file its committer published last (or is publishing,
 * {@link #publishing}), and the file's superblock must show one of them. Within one JVM a lock per
 * ledger orders the threads; across processes an exclusive lock on {@code <ledger>.lock}, which is
 * never replaced.
 */
public final class SpaceLedger {
    private static final long MAGIC = 0x4835464c_53504331L; // "H5FLSPC1"

    /** Space handed out: {@code [start, start + length)} of the file. */
    public record Extent(long start, long length) {
        public long end() {
            return start + length;
        }
    }

    /** Space an owner claimed in one epoch, until that epoch commits or is lost. */
    record Segment(String owner, long epoch, long start, long length) {}

    private final Path ledger;
    private final Path lockFile;
    private final Path dataFile;
    private final Path root;
    private final boolean fsync;

    /**
     * @param ledger the ledger's file (created at the first claim)
     * @param dataFile the HDF5 file whose space it hands out
     * @param fsync make every change durable before it is used (for files committed with fsync)
     */
    public SpaceLedger(Path ledger, Path dataFile, boolean fsync) {
        this(ledger, dataFile, null, fsync);
    }

    /**
     * @param ledger the ledger's file (created at the first claim)
     * @param dataFile the HDF5 file whose space it hands out
     * @param root the directory the data file lies below, from which every open of the data file
     *     follows no link (a sink's base directory); null: only the file's own name follows none
     * @param fsync make every change durable before it is used (for files committed with fsync)
     */
    public SpaceLedger(Path ledger, Path dataFile, Path root, boolean fsync) {
        this.ledger = ledger.toAbsolutePath().normalize();
        this.lockFile = this.ledger.resolveSibling(this.ledger.getFileName() + ".lock");
        this.dataFile = dataFile;
        this.root = root;
        this.fsync = fsync;
    }

    public Path path() {
        return ledger;
    }

    public Path dataFile() {
        return dataFile;
    }

    /** The directory below which opens of the data file follow no link, or null (see the constructor). */
    public Path root() {
        return root;
    }

    /**
     * Claims space for {@code owner} in {@code epoch}: a free extent of at least {@code minBytes}
     * (at most {@code preferredBytes} of it), else {@code preferredBytes} at the frontier.
     */
    public Extent claim(String owner, long epoch, long minBytes, long preferredBytes) throws IOException {
        if (minBytes <= 0 || preferredBytes < minBytes) {
            throw new IllegalArgumentException("claim of " + minBytes + ".." + preferredBytes + " bytes");
        }
        return update(s -> {
            Extent e = s.takeFree(minBytes, preferredBytes);
            if (e == null) e = s.advance(preferredBytes);
            s.live.add(new Segment(owner, epoch, e.start(), e.length()));
            return e;
        });
    }

    /**
     * Claims space that is never given back (the committer's metadata: headers, index nodes): the
     * first free extent of at least {@code minBytes} (up to {@code preferredBytes} of it), else
     * {@code preferredBytes} at the frontier.
     */
    public Extent claimForever(long minBytes, long preferredBytes) throws IOException {
        return update(s -> {
            Extent e = s.takeFree(minBytes, preferredBytes);
            return e != null ? e : s.advance(preferredBytes);
        });
    }

    /**
     * The owner has used {@code used} bytes of a segment it claimed and will write no more there:
     * the rest is free again.
     */
    public void trim(String owner, Extent segment, long used) throws IOException {
        if (used >= segment.length()) return;
        update(s -> {
            Extent rest = s.shrink(owner, segment, used);
            if (rest != null) s.free(rest);
            return null;
        });
    }

    /**
     * Grows a live segment of the owner by {@code bytes} in place, when nothing follows it (it ends
     * at the frontier) or free space does; returns the grown segment, or null when it cannot grow.
     * A writer whose next chunk does not fit the rest of its segment then leaves no hole.
     */
    public Extent extend(String owner, Extent segment, long bytes) throws IOException {
        return update(s -> {
            int i = s.indexOf(owner, segment);
            if (i < 0 || !s.takeAt(segment.end(), bytes)) return null;
            Segment g = s.live.get(i);
            s.live.set(i, new Segment(owner, g.epoch(), g.start(), g.length() + bytes));
            return new Extent(segment.start(), segment.length() + bytes);
        });
    }

    /**
     * The owner has used {@code used} bytes of a segment in its epoch and goes on writing into the
     * rest in {@code nextEpoch}: the rest becomes a segment of that epoch (lost with it, if it is
     * lost), so a writer fills its space contiguously across checkpoints, leaving no holes.
     * Returns the rest.
     */
    public Extent carryOver(String owner, Extent segment, long used, long nextEpoch) throws IOException {
        update(s -> {
            Extent rest = s.shrink(owner, segment, used);
            if (rest != null) s.live.add(new Segment(owner, nextEpoch, rest.start(), rest.length()));
            return null;
        });
        return new Extent(segment.start() + used, segment.length() - used);
    }

    /** The owner's epochs up to {@code throughEpoch} are committed: their segments are the file's now. */
    public void committed(String owner, long throughEpoch) throws IOException {
        update(s -> {
            s.live.removeIf(g -> g.owner().equals(owner) && g.epoch() <= throughEpoch);
            return null;
        });
    }

    /**
     * The owner's epochs from {@code fromEpoch} on are lost (no checkpoint will ever commit them):
     * their segments become free. Returns the bytes freed.
     */
    public long release(String owner, long fromEpoch) throws IOException {
        return release(Map.of(owner, fromEpoch));
    }

    /**
     * For each owner in {@code lostFrom}, its epochs from the one mapped on are lost: their
     * segments become free, in one change of the ledger. Returns the bytes freed.
     */
    public long release(Map<String, Long> lostFrom) throws IOException {
        return releaseWhere(g -> {
            Long from = lostFrom.get(g.owner());
            return from != null && g.epoch() >= from;
        });
    }

    /** Frees every segment of owners whose name starts with {@code prefix} (a finished job's writers). */
    public long releaseOwnersStartingWith(String prefix) throws IOException {
        return releaseWhere(g -> g.owner().startsWith(prefix));
    }

    private long releaseWhere(Predicate<Segment> lost) throws IOException {
        if (!Files.exists(ledger)) return 0;
        return update(s -> {
            long freed = 0;
            for (Segment g : List.copyOf(s.live)) {
                if (lost.test(g)) {
                    s.live.remove(g);
                    s.free(new Extent(g.start(), g.length()));
                    freed += g.length();
                }
            }
            return freed;
        });
    }

    /**
     * The file's committer is about to publish {@code endOfFile} in the superblock: from now on the
     * ledger accepts the file with that end of file as well as with the current one.
     */
    public void publishing(long endOfFile) throws IOException {
        update(s -> {
            s.nextEof = endOfFile;
            return null;
        });
    }

    /**
     * When nothing is live (every epoch committed or lost), cuts the data file back to the end of
     * file its superblock publishes now (what lies past it is free space or the rest of a
     * committer's arena; nothing is cut from a file without a superblock this engine reads) and
     * deletes the ledger. Returns whether it did. The file's committer calls it holding the file's
     * commit turn, so no commit is under way: whichever commit came last, nothing past the
     * published end is referenced.
     */
    public boolean retireIfIdle() throws IOException {
        return locked(false, s -> retire(s, Files.exists(dataFile) ? s.eof : 0));
    }

    private boolean retire(State s, long length) throws IOException {
        if (!s.live.isEmpty()) return false;
        if (Files.exists(dataFile) && length > 0) {
            try (FileChannel ch = NoFollowOpen.channel(root, dataFile, StandardOpenOption.WRITE)) {
                if (ch.size() > length) ch.truncate(length);
            }
        }
        Files.deleteIfExists(ledger);
        s.retired = true;
        return true;
    }

    /** Deletes the ledger when nothing is live, leaving the data file as it is. */
    public boolean deleteIfIdle() throws IOException {
        return locked(false, s -> retire(s, 0));
    }

    /** The ledger as stored (for tests and diagnostics). */
    State read() throws IOException {
        return locked(false, s -> s);
    }

    private interface Change<T> {
        T apply(State s) throws IOException;
    }

    private <T> T update(Change<T> change) throws IOException {
        return locked(true, change);
    }

    /**
     * Runs one change under both locks: reads the ledger, raises its frontier to the file's size,
     * applies the change and, when {@code write} and the change changed anything (a commit or a
     * writer's restore usually finds nothing to do), replaces the ledger file.
     */
    private <T> T locked(boolean write, Change<T> change) throws IOException {
        return ExclusiveLock.holding(lockFile, held -> {
            State s = load();
            if (Files.exists(dataFile)) {
                String identity = identity(dataFile);
                long eof = FileOpener.publishedEndOfFile(dataFile);
                // A ledger of another file (an earlier one of the same name), or of this file
                // before another program changed it, knows nothing of its space now.
                if (!identity.equals(s.identity) || (eof != s.eof && eof != s.nextEof)) s = new State();
                s.identity = identity;
                s.eof = eof;
                s.frontier = Math.max(s.frontier, Files.size(dataFile));
            }
            T result = change.apply(s);
            if (s.retired) {
                held.deleteLockFile();
                return result;
            }
            byte[] bytes = encode(s);
            if (write && !Arrays.equals(bytes, s.stored)) store(bytes);
            return result;
        });
    }

    private State load() throws IOException {
        State s = new State();
        try {
            s.stored = Files.readAllBytes(ledger);
        } catch (NoSuchFileException none) {
            return s; // a new ledger: nothing handed out yet
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(s.stored));
        if (in.readLong() != MAGIC) throw new IOException(ledger + " is not a space ledger of this project");
        s.identity = in.readUTF();
        s.eof = in.readLong();
        s.nextEof = in.readLong();
        s.frontier = in.readLong();
        int free = in.readInt();
        for (int i = 0; i < free; i++) s.freeList.add(new Extent(in.readLong(), in.readLong()));
        int live = in.readInt();
        for (int i = 0; i < live; i++) s.live.add(new Segment(in.readUTF(), in.readLong(), in.readLong(), in.readLong()));
        return s;
    }

    private static byte[] encode(State s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * (s.freeList.size() + s.live.size()));
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(MAGIC);
        out.writeUTF(s.identity == null ? "" : s.identity);
        out.writeLong(s.eof);
        out.writeLong(s.nextEof);
        out.writeLong(s.frontier);
        out.writeInt(s.freeList.size());
        for (Extent e : s.freeList) {
            out.writeLong(e.start());
            out.writeLong(e.length());
        }
        out.writeInt(s.live.size());
        for (Segment g : s.live) {
            out.writeUTF(g.owner());
            out.writeLong(g.epoch());
            out.writeLong(g.start());
            out.writeLong(g.length());
        }
        return bytes.toByteArray();
    }

    private void store(byte[] bytes) throws IOException {
        ReplacedFile.replace(ledger, bytes, fsync);
    }

    /** The file's inode number where the file system has one (the same on every NFS client), else its creation time. */
    private static String identity(Path file) throws IOException {
        try {
            return "ino:" + Files.getAttribute(file, "unix:ino");
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return "created:" + Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).creationTime();
        }
    }

    /** The ledger's content while a change runs. */
    static final class State {
        /** The ledger file's bytes as loaded (null for a new ledger): unchanged state is not written again. */
        byte[] stored;
        String identity;
        /** The file's published end of file when last seen, and the one its committer is publishing. */
        long eof = -1;
        long nextEof = -1;
        long frontier;
        final List<Extent> freeList = new ArrayList<>();
        final List<Segment> live = new ArrayList<>();
        /** Set by a retirement: the ledger is gone and its lock file goes too (not stored). */
        boolean retired;

        long frontier() { return frontier; }

        List<Extent> freeExtents() { return List.copyOf(freeList); }

        List<Segment> liveSegments() { return List.copyOf(live); }

        Extent advance(long bytes) {
            Extent e = new Extent(frontier, bytes);
            frontier += bytes;
            return e;
        }

        /** First fit: the lowest free extent of at least {@code min} bytes, cut to {@code preferred}. */
        Extent takeFree(long min, long preferred) {
            for (int i = 0; i < freeList.size(); i++) {
                Extent f = freeList.get(i);
                if (f.length() < min) continue;
                long take = Math.min(f.length(), preferred);
                if (take == f.length()) {
                    freeList.remove(i);
                } else {
                    freeList.set(i, new Extent(f.start() + take, f.length() - take));
                }
                    return new Extent(f.start(), take);
            }
            return null;
        }

        /** The index of the owner's live segment starting where {@code segment} does, or -1. */
        int indexOf(String owner, Extent segment) {
            for (int i = 0; i < live.size(); i++) {
                Segment g = live.get(i);
                if (g.owner().equals(owner) && g.start() == segment.start()) return i;
            }
            return -1;
        }

        /**
         * Cuts the owner's live segment back to its first {@code used} bytes (dropping it when
         * none); returns the rest, or null when the segment is not live.
         */
        Extent shrink(String owner, Extent segment, long used) {
            int i = indexOf(owner, segment);
            if (i < 0) return null;
            Segment g = live.get(i);
            if (used == 0) {
                live.remove(i);
            } else {
                live.set(i, new Segment(owner, g.epoch(), g.start(), used));
            }
            return new Extent(g.start() + used, g.length() - used);
        }

        /** Takes {@code bytes} starting exactly at {@code at}: at the frontier, or from a free extent starting there. */
        boolean takeAt(long at, long bytes) {
            if (at == frontier) {
                frontier += bytes;
                return true;
            }
            for (int i = 0; i < freeList.size(); i++) {
                Extent f = freeList.get(i);
                if (f.start() != at || f.length() < bytes) continue;
                if (f.length() == bytes) {
                    freeList.remove(i);
                } else {
                    freeList.set(i, new Extent(at + bytes, f.length() - bytes));
                }
                return true;
            }
            return false;
        }

        /** Returns space to the free list, merged with its neighbours. */
        void free(Extent e) {
            if (e.length() <= 0) return;
            freeList.add(e);
            freeList.sort(Comparator.comparingLong(Extent::start));
            List<Extent> merged = new ArrayList<>();
            for (Extent f : freeList) {
                Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
                if (last != null && last.end() >= f.start()) {
                    merged.set(merged.size() - 1, new Extent(last.start(), Math.max(last.end(), f.end()) - last.start()));
                } else {
                    merged.add(f);
                }
            }
            freeList.clear();
            freeList.addAll(merged);
        }
    }
}
