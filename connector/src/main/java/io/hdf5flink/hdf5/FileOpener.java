package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.format.Superblock;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Creates new files and opens existing ones: the steps before an {@link Hdf5File} exists, each
 * releasing what it acquired when it fails.
 */
final class FileOpener {
    /** Enough of the file's start to find a superblock behind a user block. */
    private static final int SUPERBLOCK_SEARCH_BYTES = 65536 + 256;

    private FileOpener() {}

    /**
     * Creates a new file under a hidden temporary name in the same directory and links it into
     * place once complete (why: {@link Hdf5File#create(Path)}).
     */
    static Hdf5File create(Path path, Hdf5File.Options options) {
        return create(path, options, true);
    }

    /**
     * Creates a new empty file and closes it before it gets its name, so that no instant exists at
     * which the file is visible under its name and locked: for a client that only needs the file
     * to exist (a sink writer about to write chunks into it) while another thread or process (its
     * committer) may open it at any moment.
     */
    static void createClosed(Path path, Hdf5File.Options options) {
        create(path, options, false);
    }

    private static Hdf5File create(Path path, Hdf5File.Options options, boolean keepOpen) {
        if (Files.exists(path)) throw new Hdf5Exception(path + " already exists; open it for append or delete it first");
        FileStorage storage = null;
        Path creating = path.resolveSibling("." + path.getFileName() + "." + UUID.randomUUID() + ".creating");
        try {
            boolean latest = options.profile() == Profile.LATEST;
            // A superblock of the new file's version (its addresses filled in below) tells how its root is written.
            Superblock layout = latest ? Superblock.v3(0, Bytes.UNDEFINED_ADDRESS) : Superblock.v0(0, SymbolTableEntry.forObject(0, 0));
            storage = FileStorage.open(creating, path, true, null, latest ? Superblock.V2_SIZE : Superblock.V0_SIZE, null);
            // Created alone under its temporary name; shared only once it has its name.
            ObjectTree.NewGroup root = ObjectTree.writeEmptyGroup(storage, "/", layout);
            Superblock sb = latest ? Superblock.v3(storage.eof(), root.header())
                    : Superblock.v0(storage.eof(), SymbolTableEntry.forGroup(0, root.header(), root.table().bTreeAddress(),
                            root.table().heapAddress()));
            storage.writeSuperblock(sb);
            storage.publishEof();
            if (options.fsyncOnCommit()) storage.sync();
            if (!keepOpen) {
                FileStorage done = storage;
                storage = null;
                done.close();
                publish(creating, path);
                return null;
            }
            publish(creating, path);
            if (options.sharedSpace() != null && options.sharedSpace().root() != null) {
                // Created by its names, which a directory swapped for a link could have redirected:
                // from here on the file is the one its confined open reaches, or none.
                FileStorage created = storage;
                storage = null;
                created.close();
                return open(path, options, false);
            }
            if (options.sharedSpace() != null) storage.shareSpace(options.sharedSpace());
            storage.markOpenForWrite();
            Hdf5File file = new Hdf5File(storage, sb, options);
            file.objects().createdRoot(root);
            return file;
        } catch (IOException e) {
            closeQuietly(storage);
            try {
                Files.deleteIfExists(creating);
            } catch (IOException ignored) {
                // the primary error is already being reported
            }
            throw new Hdf5Exception(e instanceof FileAlreadyExistsException
                    ? path + " already exists; open it for append or delete it first"
                    : "creating " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Gives the complete new file its name: a hard link, which fails rather than replace a file
     * that appeared meanwhile; where links are not supported, a move without replacing.
     */
    private static void publish(Path creating, Path path) throws IOException {
        try {
            Files.createLink(path, creating);
            Files.delete(creating);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof FileAlreadyExistsException) throw (FileAlreadyExistsException) e;
            Files.move(creating, path);
        }
    }

    /** Opens an existing file; read-only takes no lock and refuses every write. */
    static Hdf5File open(Path path, Hdf5File.Options options, boolean readOnly) {
        if (!Files.isRegularFile(path)) throw new Hdf5Exception(path + " does not exist or is not a file");
        FileStorage storage = null;
        try {
            // The superblock first, then the size: a writer extends the file before it raises
            // the end-of-file address, so in this order a live file never looks truncated.
            Superblock sb = readSuperblock(path);
            long size = Files.size(path);
            if (size < sb.endOfFileAddress()) {
                throw new Hdf5Exception(path + " is truncated: it has " + size + " bytes, its superblock says "
                        + sb.endOfFileAddress());
            }
            if (!readOnly && sb.flags() != 0 && !options.reopenFlagged()) {
                throw new Hdf5Exception(path + " is flagged as open for writing (superblock version 3, file-consistency flags "
                        + sb.flags() + "): a libhdf5 writer has it open (in SWMR mode it holds no lock), or one was killed. If no"
                        + " writer runs, clear the flags with 'h5clear -s " + path + "' (after a libhdf5 SWMR writer was killed, also"
                        + " 'h5clear --increment=0 " + path + "', whose end of file it left behind)");
            }
            storage = readOnly ? FileStorage.openReadOnly(path, sb) : FileStorage.open(path, sb, options.sharedSpace());
            if (!readOnly) {
                if (options.sharedSpace() != null) storage.shareSpace(options.sharedSpace());
                storage.markOpenForWrite();
            }
            Hdf5File file = new Hdf5File(storage, sb, options);
            file.objects().openRoot(sb.rootObjectHeaderAddress());
            return file;
        } catch (Hdf5FormatException e) {
            closeQuietly(storage);
            throw ErrorContext.of(path).wrap(e);
        } catch (IOException e) {
            closeQuietly(storage);
            throw new Hdf5Exception("opening " + path + " for append failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(storage);
            throw e;
        }
    }

    /** Whether the file's superblock (version 3) is flagged as open for writing; false for files without one this engine reads. */
    static boolean flagged(Path path) {
        try {
            return readSuperblock(path).flags() != 0;
        } catch (IOException | Hdf5FormatException notOurs) {
            return false;
        }
    }

    /** The end of file the superblock publishes, or -1 when the file holds no superblock this engine reads. */
    static long publishedEndOfFile(Path path) throws IOException {
        try {
            return readSuperblock(path).endOfFileAddress();
        } catch (Hdf5FormatException notOurs) {
            return -1;
        }
    }

    private static Superblock readSuperblock(Path path) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(SUPERBLOCK_SEARCH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(path)) {
            ch.read(head, 0);
        }
        head.flip();
        return Superblock.decode(head, path.toString());
    }

    static void closeQuietly(Closeable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // the primary error is already being reported
        }
    }
}
