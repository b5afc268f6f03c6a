package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.Profile;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * Everything the sink's writers and committer share, as built by {@link Hdf5Sink.Builder}:
 * shipped with the job graph. Also the one place that turns a block's file name into a path,
 * confined to the base directory.
 */
@Internal
public final class SinkConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Staged chunks and spilled buffers live here, beside the outputs (same file system). */
    public static final String STAGING_DIRECTORY = ".hdf5-staging";

    private final String baseDirectory;
    private final String defaultFile;
    private final Map<String, DatasetDeclaration> declarations;
    private final ChunkFilters defaultCompression;
    private final long targetChunkBytes;
    private final int compressionThreads;
    private final long bufferBudgetBytes;
    private final boolean chunkAlignedInput;
    private final boolean fsyncOnCommit;
    private final boolean stageChunks;
    private final boolean directIo;
    private final Profile profile;

    SinkConfig(Path baseDirectory, String defaultFile, Map<String, DatasetDeclaration> declarations,
            ChunkFilters defaultCompression, long targetChunkBytes, int compressionThreads, long bufferBudgetBytes,
            boolean chunkAlignedInput, boolean fsyncOnCommit, boolean stageChunks, boolean directIo, Profile profile) {
        this.baseDirectory = baseDirectory.toAbsolutePath().normalize().toString();
        this.defaultFile = defaultFile;
        this.declarations = new HashMap<>(declarations);
        this.defaultCompression = defaultCompression;
        this.targetChunkBytes = targetChunkBytes;
        this.compressionThreads = compressionThreads;
        this.bufferBudgetBytes = bufferBudgetBytes;
        this.chunkAlignedInput = chunkAlignedInput;
        this.fsyncOnCommit = fsyncOnCommit;
        this.stageChunks = stageChunks;
        this.directIo = directIo;
        this.profile = profile;
    }

    /** Every declared dataset. */
    public Collection<DatasetDeclaration> declarations() {
        return Collections.unmodifiableCollection(declarations.values());
    }

    /** The key's file part of declarations that hold in every file (no file name has a NUL). */
    private static final String EVERY_FILE = "\0every file";

    static String key(DatasetDeclaration d) {
        return key(d.everyFile() ? EVERY_FILE : d.file(), d.dataset());
    }

    static String key(String file, String dataset) {
        return file + "|" + dataset;
    }

    public Path baseDirectory() { return Path.of(baseDirectory); }

    public Path stagingDirectory() { return baseDirectory().resolve(STAGING_DIRECTORY); }

    /** The file a block without one goes to. */
    public String defaultFile() { return defaultFile; }

    /**
     * The declaration of a block's dataset (declared for its file, or for the default file when
     * the block goes there, or for the master of a rolled recording whose data file it is), or
     * null when the dataset is undeclared.
     */
    public DatasetDeclaration declaration(String file, String dataset) {
        String name = file == null ? defaultFile : file;
        DatasetDeclaration d = declarations.get(key(name, dataset));
        if (d == null && name.equals(defaultFile)) d = declarations.get(key(null, dataset));
        if (d == null) d = declarations.get(key(EVERY_FILE, dataset));
        if (d == null) {
            // A data file of a rolled recording has its master's declarations.
            String master = RolledFiles.masterOf(name);
            DatasetDeclaration rolled = master == null ? null : declaration(master, dataset);
            if (rolled != null && rolled.rowsPerFile() > 0) d = rolled;
        }
        return d;
    }

    /**
     * Checks a block against its dataset's declaration: the right kind of block (appended or at
     * explicit offsets), and, at explicit offsets, within the declared maximum shape. Runs before
     * blocks are cut and routed, so errors name the block as the user sent it.
     *
     * @return the declaration, or null for an undeclared appended dataset (to be inferred)
     * @throws IllegalArgumentException naming the file, dataset and offset at fault
     */
    public DatasetDeclaration check(io.hdf5flink.record.ArrayBlock block, String dataset) {
        String file = block.file() == null ? defaultFile : block.file();
        DatasetDeclaration d = declaration(file, dataset);
        String where = file + ":" + dataset;
        String master = RolledFiles.masterOf(file);
        if (master != null && rollsFile(master)) {
            throw new IllegalArgumentException(where + ": " + file + " is a data file of " + master
                    + ", which rolls over files; send the blocks to " + master + " and the sink picks the data file");
        }
        if (d == null) {
            if (block.isAppend()) return null;
            throw new IllegalArgumentException(where + " receives blocks at explicit offsets but is not declared:"
                    + " declare its shape and chunks (every writer must cut blocks on the same chunk grid)");
        }
        if (block.isAppend() != d.appended()) {
            throw new IllegalArgumentException(where + " is declared for " + (d.appended() ? "appended blocks" : "blocks at explicit offsets")
                    + ", got " + (block.isAppend() ? "an appended block" : "a block at offset " + java.util.Arrays.toString(block.offset())));
        }
        if (!block.isAppend()) {
            long[] max = d.spec().maxShape();
            long[] offset = block.offset();
            long[] shape = block.shape();
            if (shape.length != max.length) {
                throw new IllegalArgumentException(where + " has rank " + max.length + ", the block at offset "
                        + java.util.Arrays.toString(offset) + " has rank " + shape.length);
            }
            for (int i = 0; i < max.length; i++) {
                if (max[i] != DatasetSpec.UNLIMITED && offset[i] + shape[i] > max[i]) {
                    throw new IllegalArgumentException(where + ": the block at offset " + java.util.Arrays.toString(offset)
                            + " of shape " + java.util.Arrays.toString(shape) + " exceeds the maximum shape "
                            + java.util.Arrays.toString(max) + " on axis " + i);
                }
            }
        }
        return d;
    }

    /** Whether {@code file} (null: the default file) is the master file of datasets rolled over files. */
    public boolean rollsFile(String file) {
        return !rolledDatasetsOf(file).isEmpty();
    }

    /** The declarations of the datasets rolled over the data files of master file {@code file} (null: the default file). */
    public List<DatasetDeclaration> rolledDatasetsOf(String file) {
        String name = file == null ? defaultFile : file;
        List<DatasetDeclaration> rolled = new ArrayList<>();
        for (DatasetDeclaration d : declarations.values()) {
            if (d.rowsPerFile() > 0 && name != null && name.equals(d.file() == null ? defaultFile : d.file())) rolled.add(d);
        }
        return rolled;
    }

    /**
     * Checks the rolled recordings the declarations describe: the datasets of one master file
     * roll alike, and no other declared file is named as one of its data files.
     *
     * @throws IllegalArgumentException naming the files at fault
     */
    void checkRolling() {
        for (DatasetDeclaration d : declarations.values()) {
            String file = d.file() == null ? defaultFile : d.file();
            if (d.rowsPerFile() == 0 || file == null) continue;
            for (DatasetDeclaration other : declarations.values()) {
                String otherFile = other.file() == null ? defaultFile : other.file();
                if (file.equals(otherFile) && other.rowsPerFile() == d.rowsPerFile() && other.master() != d.master()) {
                    throw new IllegalArgumentException(file + ": " + d.dataset() + " and " + other.dataset()
                            + " ask for different master files (" + d.master() + ", " + other.master() + "): one master per recording");
                }
                if (file.equals(otherFile) && other.rowsPerFile() != d.rowsPerFile()) {
                    throw new IllegalArgumentException(file + " rolls " + d.dataset() + " every " + d.rowsPerFile() + " rows but "
                            + other.dataset() + (other.rowsPerFile() == 0 ? " not at all" : " every " + other.rowsPerFile() + " rows")
                            + ": every dataset of a rolled recording rolls alike");
                }
                if (otherFile != null && file.equals(RolledFiles.masterOf(otherFile))) {
                    throw new IllegalArgumentException(otherFile + " is declared as a file of its own, but its name is that of a data file of "
                            + file + ", which rolls over files: choose another name for one of them");
                }
            }
        }
    }

    public ChunkFilters defaultCompression() { return defaultCompression; }

    public long targetChunkBytes() { return targetChunkBytes; }

    /** Threads filtering chunks in each writer subtask (0: cores / parallelism, at least 1). */
    public int compressionThreads() { return compressionThreads; }

    public long bufferBudgetBytes() { return bufferBudgetBytes; }

    public boolean chunkAlignedInput() { return chunkAlignedInput; }

    public boolean fsyncOnCommit() { return fsyncOnCommit; }

    /** The format new output files are created in. */
    public Profile profile() { return profile; }

    /**
     * How writers and committer open and create output files: durability and format as configured;
     * a file flagged as open for writing is reopened, since after a failure or kill the flags are
     * those of this sink's own earlier committer (the CLI refuses, before the job, an output that
     * another writer flagged; a sink of your own must not be pointed at a file a libhdf5 SWMR writer writes).
     */
    public Hdf5File.Options fileOptions() {
        return Hdf5File.Options.defaults().withFsyncOnCommit(fsyncOnCommit).withProfile(profile).withReopenFlagged(true);
    }

    /** Whether writers stage filtered chunks for the committer to copy, instead of writing them in place. */
    public boolean stageChunks() { return stageChunks; }

    /** Whether writers put each chunk's whole pages on disk past the page cache, where the file system allows. */
    public boolean directIo() { return directIo; }

    /**
     * The ledger of the space writers and committer share in {@code file} (resolved), kept in the
     * staging directory under the file's name relative to the base directory.
     */
    public io.hdf5flink.hdf5.SpaceLedger spaceLedger(Path file) {
        String relative = baseDirectory().relativize(file.toAbsolutePath().normalize()).toString();
        return new io.hdf5flink.hdf5.SpaceLedger(stagingDirectory().resolve(io.hdf5flink.sink.staging.StagingFiles.ledgerName(relative)),
                file, fsyncOnCommit);
    }

    /**
     * The output path of a block's file name: relative to the base directory, never outside it
     * ("..", absolute paths, and symbolic links that lead out are refused).
     *
     * @throws IllegalArgumentException naming the file at fault
     */
    public Path resolveFile(String file) {
        String name = file == null ? defaultFile : file;
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a block names no file and the sink has no default file");
        Path relative = Path.of(name);
        if (relative.isAbsolute()) throw new IllegalArgumentException("output file '" + name + "' is absolute; files are relative to the sink's base directory");
        Path base = baseDirectory();
        Path resolved = base.resolve(relative).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base) || resolved.startsWith(stagingDirectory())) {
            throw new IllegalArgumentException("output file '" + name + "' escapes the sink's base directory " + base);
        }
        try {
            Path realBase = Files.exists(base) ? base.toRealPath() : base;
            for (Path p = resolved; p != null && p.startsWith(base) && !p.equals(base); p = p.getParent()) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !p.toRealPath().startsWith(realBase)) {
                    throw new IllegalArgumentException("output file '" + name + "' leads out of the base directory through the link " + p);
                }
            }
            if (Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
                int links = settledHardLinks(resolved);
                if (links > 1) {
                    throw new IllegalArgumentException("output file '" + name + "' has " + links + " hard links: writing it"
                            + " would change the same file under its other names, which may lie outside the base directory");
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("output file '" + name + "' cannot be checked: " + e.getMessage(), e);
        }
        return resolved;
    }

    /**
     * The names a file has, looked at again for up to a second while it has more than one: the
     * engine creates a file under a temporary name and links it under its own before it unlinks
     * the temporary one, so a writer or committer checking while another creates the file sees
     * two names for a moment (CI saw a conversion refused so).
     */
    private static int settledHardLinks(Path file) throws IOException {
        int links = hardLinks(file);
        for (int look = 0; links > 1 && look < 100; look++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while checking " + file, e);
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return 1;
            links = hardLinks(file);
        }
        return links;
    }

    /** The names a file has (1 where the file system does not count them). */
    private static int hardLinks(Path file) throws IOException {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            return 1;
        }
    }

    /**
     * Refuses a staging directory that is a symbolic link: the sink writes files there and deletes
     * files there by name pattern, which must not happen in a directory elsewhere.
     *
     * @throws IllegalStateException naming the link and its target
     */
    public void checkStagingDirectory() {
        Path staging = stagingDirectory();
        if (!Files.isSymbolicLink(staging)) return;
        String target;
        try {
            target = Files.readSymbolicLink(staging).toString();
        } catch (IOException e) {
            target = "?";
        }
        throw new IllegalStateException("the sink's staging directory " + staging + " is a symbolic link (to " + target
                + "): the sink writes and deletes files there, so it must be a directory of its own in the base directory");
    }
}
