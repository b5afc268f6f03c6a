package io.hdf5flink.sink.committer;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.SpaceLedger;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.staging.UnreferencedMark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's committer: the only code that writes the HDF5 files' metadata. Each committer
 * subtask commits the files it owns ({@link OwnedCommittables}), and commits of one file take
 * turns ({@link CommitTurns}), so each file has one ordered writer at a time. When a checkpoint
 * completes, Flink hands it the committables of that checkpoint (and, after a restore, those not
 * yet committed, which may include shares of files it does not own); for each file it enters
 * the chunks the writers wrote in place in the chunk index (or copies staged chunks into their datasets, with
 * {@code stageChunks}), creating datasets as declared, grows each dataset to its new visible shape
 * (for a dataset declared growing, the prefix of rows whose chunks are all stored, kept by a
 * {@link VisiblePrefix} and recorded in {@link VisiblePrefixes} before the commit), stores a
 * commit token (a digest of the committables applied) and commits the file with the append
 * engine, which publishes every dataset atomically. Then it deletes the staging files it consumed
 * and the ones a writer's newer committable shows to be orphans, and the files of writers that died
 * before any committable named them ({@link UnreferencedMark}).
 *
 * <p>Idempotence: a dataset whose token already equals the batch's digest is skipped; otherwise
 * chunks are rewritten at the same positions and shapes only grow, so a re-commit yields the same
 * file. A committable whose staging file is gone was committed before (staging files are deleted
 * only after their commit): its chunks are skipped.
 */
@Internal
public final class Hdf5Committer implements Committer<Hdf5Committable> {
    private static final Logger LOG = LoggerFactory.getLogger(Hdf5Committer.class);
    /** Room reserved in every dataset the sink creates for the commit token (a 16-byte digest). */
    public static final int TOKEN_BYTES = 16;

    private final SinkConfig config;
    /** Files kept open between commits, by their name relative to the base directory. */
    private final Map<String, Hdf5File> files = new HashMap<>();
    /** Each file's record of visible prefixes, once a growing dataset of it was committed. */
    private final Map<String, VisiblePrefixes> prefixes = new HashMap<>();
    /** The turns this committer takes on each file with other committer subtasks. */
    private final CommitTurns turns;
    /** Whether this committer restored nothing: records of visible prefixes on disk are an earlier run's. */
    private final boolean fresh;
    /** Master files of rolled recordings whose data files this committer commits. */
    private final Map<String, MasterFile> masters = new HashMap<>();
    /**
     * The ledgers of files this committer let go of (final data files, every file after each
     * commit when it shares files, every file at close), until they are retired: once no writer
     * holds space there, on the file's turn.
     */
    private final Map<String, SpaceLedger> releasedLedgers = new HashMap<>();
    /**
     * Whether other committer subtasks may commit the files this one commits: then it lets go of
     * each file after each commit, since an open file excludes other writers (see {@link CommitTurns}).
     */
    private final boolean sharesFiles;
    private final Counter chunksCommitted;
    private final Counter bytesCommitted;
    private final Counter commits;
    private volatile long lastCommitMillis;

    /**
     * @param fresh whether the job restored no checkpoint: then nothing beyond a dataset's visible
     *     rows was committed by this run, and a record of visible prefixes left on disk is ignored
     */
    public Hdf5Committer(SinkConfig config, MetricGroup metrics, boolean fresh) {
        this(config, metrics, fresh, 1);
    }

    /**
     * @param parallelism the number of committer subtasks: with more than one (and chunks in
     *     place) each commits the files it owns, and after a restore some shares of files it does
     *     not own, so it keeps no file open between commits
     */
    public Hdf5Committer(SinkConfig config, MetricGroup metrics, boolean fresh, int parallelism) {
        this.config = config;
        this.fresh = fresh;
        this.sharesFiles = parallelism > 1 && !config.stageChunks();
        this.turns = new CommitTurns(config.stagingDirectory());
        MetricGroup g = metrics.addGroup("hdf5");
        this.chunksCommitted = g.counter("chunksCommitted");
        this.bytesCommitted = g.counter("compressedBytesCommitted");
        this.commits = g.counter("commits");
        g.gauge("lastCommitDurationMs", () -> lastCommitMillis);
    }

    @Override
    public void commit(Collection<CommitRequest<Hdf5Committable>> requests) throws IOException {
        if (requests.isEmpty()) return;
        long started = System.nanoTime();
        Map<String, Map<String, List<Applied>>> byFile = new LinkedHashMap<>();
        for (CommitRequest<Hdf5Committable> r : requests) {
            Hdf5Committable c = r.getCommittable();
            for (Hdf5Committable.DatasetPart p : c.parts()) {
                byFile.computeIfAbsent(p.file(), f -> new LinkedHashMap<>())
                        .computeIfAbsent(p.dataset(), d -> new ArrayList<>()).add(new Applied(c, p));
            }
        }
        Set<String> rolled = new TreeSet<>();
        for (Map.Entry<String, Map<String, List<Applied>>> e : byFile.entrySet()) {
            commitFile(e.getKey(), e.getValue());
            String master = RolledFiles.masterOf(e.getKey());
            if (master != null && config.rollsFile(master)) rolled.add(master);
        }
        for (String master : rolled) {
            try {
                masters.computeIfAbsent(master, m -> new MasterFile(config, m)).rebuild();
            } catch (IOException | RuntimeException ex) {
                throw new IOException("rebuilding the master file " + master + " failed: " + ex.getMessage()
                        + "; its data files are committed, and the next commit rebuilds it", ex);
            }
        }
        for (CommitRequest<Hdf5Committable> r : requests) cleanUp(r.getCommittable());
        for (UnreferencedMark.Swept dead : UnreferencedMark.sweep(config.stagingDirectory(), config.fsyncOnCommit())) {
            LOG.info("deleted the staging files of writer {}, which died before any committable named them,"
                    + " and freed the {} bytes it had claimed in output files", dead.writer(), dead.freedBytes());
        }
        commits.inc();
        lastCommitMillis = (System.nanoTime() - started) / 1_000_000;
    }

    private record Applied(Hdf5Committable committable, Hdf5Committable.DatasetPart part) {}

    /**
     * Commits one file's share of the batch, on this committer's turn: when another committer
     * subtask committed the file since this one last did, what this one kept of it is dropped and
     * the file read again.
     */
    private void commitFile(String relative, Map<String, List<Applied>> datasets) throws IOException {
        Path path = config.resolveFile(relative);
        turns.take(relative, current -> {
            if (!current) forget(relative);
            Hdf5File file = files.get(relative);
            try {
                if (file == null) {
                    Files.createDirectories(path.getParent());
                    Hdf5File.Options options = config.fileOptions();
                    if (!config.stageChunks()) options = options.withSharedSpace(config.spaceLedger(path));
                    file = Files.exists(path) ? Hdf5File.openForAppend(path, options) : createOrOpen(path, options);
                    files.put(relative, file);
                }
                boolean growing = false;
                for (Map.Entry<String, List<Applied>> e : datasets.entrySet()) {
                    growing |= apply(file, relative, e.getKey(), e.getValue());
                }
                // The states after this commit are on disk before the commit is published.
                if (growing) prefixes.get(relative).store();
                file.commit();
                SpaceLedger ledger = file.options().sharedSpace();
                if (ledger != null) {
                    // Their chunks are the file's now: the segments leave the ledger for good (once per
                    // committable, however many of the file's datasets it touched).
                    Set<Hdf5Committable> applied = Collections.newSetFromMap(new IdentityHashMap<>());
                    for (List<Applied> parts : datasets.values()) for (Applied a : parts) applied.add(a.committable());
                    for (Hdf5Committable c : applied) ledger.committed(c.writerId(), c.epoch());
                }
                boolean isFinal = isFinal(relative, file);
                if (isFinal || sharesFiles) letGo(relative, file);
                if (isFinal) {
                    LOG.info("{} is final (every dataset holds its rows): released", relative);
                    prefixes.remove(relative);
                    if (retired(relative)) return CommitTurns.Outcome.DONE;
                }
                return CommitTurns.Outcome.CHANGED;
            } catch (IOException | RuntimeException ex) {
                if (file != null) file.abandon();
                files.remove(relative);
                throw new IOException("committing to " + relative + " failed: " + ex.getMessage()
                        + "; the file still holds its last commit", ex);
            }
        });
    }

    /**
     * Closes a file, so that another committer subtask may open it, keeping its ledger for
     * {@link #retired}; the record of its visible prefixes stays while this committer's turn is
     * the last.
     */
    private void letGo(String relative, Hdf5File file) {
        files.remove(relative);
        SpaceLedger ledger = file.options().sharedSpace();
        if (ledger != null) releasedLedgers.put(relative, ledger);
        file.abandon();
    }

    /**
     * Retires the ledger of a file let go of, on the file's turn: once no writer holds space there
     * the file is cut back to its published end (whichever committer subtask committed it last,
     * nothing past that is referenced) and the ledger deleted. Returns whether it went (or there
     * was none).
     */
    private boolean retired(String relative) throws IOException {
        SpaceLedger ledger = releasedLedgers.get(relative);
        if (ledger != null && !ledger.retireIfIdle()) return false;
        releasedLedgers.remove(relative);
        return true;
    }

    /** Drops what this committer kept of a file another committer changed since. */
    private void forget(String relative) {
        Hdf5File stale = files.remove(relative);
        if (stale != null) stale.abandon();
        prefixes.remove(relative);
    }

    /**
     * Whether {@code file} is a data file of a rolled recording whose datasets each hold all their
     * rows: no chunk goes there any more, so it is let go of, and a long recording keeps few files
     * open.
     */
    private boolean isFinal(String relative, Hdf5File file) {
        String master = RolledFiles.masterOf(relative);
        if (master == null) return false;
        List<DatasetDeclaration> rolled = config.rolledDatasetsOf(master);
        if (rolled.isEmpty()) return false;
        for (DatasetDeclaration d : rolled) {
            if (!file.exists(d.dataset()) || file.dataset(d.dataset()).shape()[0] < d.rowsPerFile()) return false;
        }
        return true;
    }

    /**
     * Creates the file, or opens it when a writer created it meanwhile: writers create the files
     * they write chunks into, and one may do so between the check and the creation here (a
     * committable without chunks, such as an empty declared dataset's, reaches the committer while
     * another writer writes its first chunk).
     */
    private static Hdf5File createOrOpen(Path path, Hdf5File.Options options) {
        try {
            return Hdf5File.create(path, options);
        } catch (Hdf5Exception e) {
            if (!Files.exists(path)) throw e;
            return Hdf5File.openForAppend(path, options);
        }
    }

    /** Applies one dataset's parts; returns whether its visible prefix was recorded for the commit. */
    private boolean apply(Hdf5File file, String relative, String name, List<Applied> parts) throws IOException {
        byte[] token = token(parts);
        DatasetSpec spec = parts.get(0).part().spec();
        DatasetDeclaration declaration = config.declaration(relative, name);
        boolean growing = declaration != null && declaration.growing();
        if (growing) spec = spec.toBuilder().shape(firstAxisEmptied(spec.shape())).build();
        Hdf5Dataset dataset = file.exists(name) ? file.dataset(name)
                : file.createDataset(name, spec.toBuilder().commitTokenCapacity(TOKEN_BYTES).build());
        if (Arrays.equals(token, dataset.commitToken())) {
            LOG.info("{}:{} already holds committables {}: skipped", relative, name, ids(parts));
            return false;
        }
        DatasetSpec existing = dataset.spec();
        if (!spec.hasChunkLayoutOf(existing)) {
            throw new IllegalArgumentException(relative + ":" + name + " is " + existing.describeChunkLayout()
                    + " in the file, the sink writes " + spec.describeChunkLayout());
        }
        long[] shape = dataset.shape();
        for (Applied a : parts) {
            long[] visible = a.part().visibleShape();
            for (int d = growing ? 1 : 0; d < shape.length; d++) shape[d] = Math.max(shape[d], visible[d]);
        }
        long[] chunks = dataset.chunkShape();
        VisiblePrefix prefix = null;
        VisiblePrefix before = null;
        if (growing) {
            VisiblePrefixes record = prefixes.computeIfAbsent(relative, this::loadPrefixes);
            prefix = record.inForce(name, dataset.commitToken());
            if (prefix == null) prefix = VisiblePrefix.showing(shape, chunks);
            before = prefix.copy();
        }
        for (Applied a : parts) {
            long visibleRows = a.part().visibleShape()[0];
            Path staging = a.committable().stagingFile() == null ? null
                    : config.stagingDirectory().resolve(a.committable().stagingFile());
            if (a.committable().chunksInPlace()) {
                for (Hdf5Committable.ChunkRef c : a.part().chunks()) {
                    dataset.adoptChunk(c.origin(), c.position(), c.length(), c.filterMask());
                    if (prefix != null) prefix.stored(c.origin(), shape, chunks, visibleRows);
                    chunksCommitted.inc();
                    bytesCommitted.inc(c.length());
                }
            } else if (!a.part().chunks().isEmpty() && !Files.exists(staging)) {
                LOG.info("{}:{}: staging file of {} is gone, so it was committed before: its chunks are skipped",
                        relative, name, a.committable().id());
            } else if (!a.part().chunks().isEmpty()) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(staging,
                        java.nio.file.StandardOpenOption.READ)) {
                    byte[] bytes = null; // one buffer for the part's chunks: writeChunk writes them at once
                    for (Hdf5Committable.ChunkRef c : a.part().chunks()) {
                        bytes = StagingFiles.read(ch, staging, c.position(), c.length(), bytes);
                        dataset.writeChunk(c.origin(), new EncodedChunk(bytes, c.length(), c.filterMask()));
                        if (prefix != null) prefix.stored(c.origin(), shape, chunks, visibleRows);
                        chunksCommitted.inc();
                        bytesCommitted.inc(c.length());
                    }
                }
            }
        }
        if (growing) {
            shape[0] = Math.max(shape[0], prefix.rows());
            prefixes.get(relative).put(name, dataset.commitToken(), before, token, prefix);
        }
        dataset.resize(shape);
        dataset.setCommitToken(token);
        return growing;
    }

    private VisiblePrefixes loadPrefixes(String relative) {
        Path record = config.stagingDirectory().resolve(StagingFiles.prefixesName(relative));
        try {
            return VisiblePrefixes.load(record, config.fsyncOnCommit(), fresh);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + record + ", the record of which rows of " + relative
                    + " may be shown: " + e.getMessage(), e);
        }
    }

    private static long[] firstAxisEmptied(long[] shape) {
        long[] s = shape.clone();
        s[0] = 0;
        return s;
    }

    /** The digest of the committables applied to one dataset in one batch. */
    private static byte[] token(List<Applied> parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String id : ids(parts)) sha.update((id + "\n").getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(sha.digest(), TOKEN_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TreeSet<String> ids(List<Applied> parts) {
        TreeSet<String> ids = new TreeSet<>();
        for (Applied a : parts) ids.add(a.committable().id());
        return ids;
    }

    /**
     * Deletes the committable's staging file, its writer's older staging and spill files that its
     * state no longer references (orphans of checkpoints that never completed, and spills read
     * back since), and every file of the writers it took over except those still referenced.
     */
    private void cleanUp(Hdf5Committable c) throws IOException {
        Path dir = config.stagingDirectory();
        if (!Files.isDirectory(dir)) return;
        List<Path> doomed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String writer = StagingFiles.writerOf(name);
                if (writer == null || c.liveSpillFiles().contains(name)) continue;
                long epoch = StagingFiles.epochOf(name);
                // Spill files of this epoch are closed too: not listed as live, they are dead.
                boolean own = writer.equals(c.writerId()) && (epoch < c.epoch() || name.equals(c.stagingFile())
                        || (name.endsWith(StagingFiles.SPILL) && epoch == c.epoch()));
                if (own || c.adoptedWriterIds().contains(writer)) doomed.add(p);
            }
        }
        for (Path p : doomed) {
            try {
                Files.delete(p);
            } catch (NoSuchFileException ignored) {
                // already gone
            }
        }
    }

    /**
     * Lets go of the files and retires their ledgers: a file whose ledger has nothing live any
     * more (every epoch committed: the end of the job) is cut back to its published end of file,
     * which drops the unused rest of claimed space, and its ledger is deleted.
     */
    @Override
    public void close() throws IOException {
        IOException failed = null;
        for (Map.Entry<String, Hdf5File> e : new ArrayList<>(files.entrySet())) letGo(e.getKey(), e.getValue());
        prefixes.clear();
        for (String relative : new ArrayList<>(releasedLedgers.keySet())) {
            try {
                turns.take(relative, current -> retired(relative) ? CommitTurns.Outcome.DONE : CommitTurns.Outcome.UNCHANGED);
            } catch (IOException ex) {
                if (failed == null) failed = ex;
            }
        }
        releasedLedgers.clear();
        // Every settled record goes, not only those this committer loaded: a run resumed with
        // nothing left to commit never loads the record the killed run before it left.
        try {
            VisiblePrefixes.deleteSettled(config.stagingDirectory(), turns);
        } catch (IOException e) {
            if (failed == null) failed = e;
        }
        for (MasterFile m : masters.values()) {
            try {
                m.deleteLock();
            } catch (IOException e) {
                if (failed == null) failed = e;
            }
        }
        try {
            StagingFiles.deleteIdleCommitLocks(config.stagingDirectory());
        } catch (IOException e) {
            if (failed == null) failed = e;
        }
        if (failed != null) throw failed;
    }
}
