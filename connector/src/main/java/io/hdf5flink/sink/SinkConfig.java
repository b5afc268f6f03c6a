package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
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
    private final Compression defaultCompression;
    private final long targetChunkBytes;
    private final int compressionThreads;
    private final long bufferBudgetBytes;
    private final boolean chunkAlignedInput;
    private final boolean fsyncOnCommit;

    SinkConfig(Path baseDirectory, String defaultFile, Map<String, DatasetDeclaration> declarations,
            Compression defaultCompression, long targetChunkBytes, int compressionThreads, long bufferBudgetBytes,
            boolean chunkAlignedInput, boolean fsyncOnCommit) {
        this.baseDirectory = baseDirectory.toAbsolutePath().normalize().toString();
        this.defaultFile = defaultFile;
        this.declarations = new HashMap<>(declarations);
        this.defaultCompression = defaultCompression;
        this.targetChunkBytes = targetChunkBytes;
        this.compressionThreads = compressionThreads;
        this.bufferBudgetBytes = bufferBudgetBytes;
        this.chunkAlignedInput = chunkAlignedInput;
        this.fsyncOnCommit = fsyncOnCommit;
    }

    static String key(String file, String dataset) {
        return file + "|" + dataset;
    }

    public Path baseDirectory() { return Path.of(baseDirectory); }

    public Path stagingDirectory() { return baseDirectory().resolve(STAGING_DIRECTORY); }

    /** The file a block without one goes to. */
    public String defaultFile() { return defaultFile; }

    /** The declared spec of a dataset, or null when it is to be inferred. */
    public DatasetSpec declaration(String file, String dataset) {
        DatasetDeclaration d = declarations.get(key(file, dataset));
        return d == null ? null : d.spec();
    }

    public Compression defaultCompression() { return defaultCompression; }

    public long targetChunkBytes() { return targetChunkBytes; }

    /** Threads filtering chunks in each writer subtask (0: cores / parallelism, at least 1). */
    public int compressionThreads() { return compressionThreads; }

    public long bufferBudgetBytes() { return bufferBudgetBytes; }

    public boolean chunkAlignedInput() { return chunkAlignedInput; }

    public boolean fsyncOnCommit() { return fsyncOnCommit; }

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
        } catch (IOException e) {
            throw new IllegalArgumentException("output file '" + name + "' cannot be checked: " + e.getMessage(), e);
        }
        return resolved;
    }
}
