package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Profile;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.committer.Hdf5Committer;
import io.hdf5flink.sink.committer.OwnedCommittables;
import io.hdf5flink.sink.partition.BlockSplitter;
import io.hdf5flink.sink.partition.ChunkRouting;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.writer.Hdf5SinkWriter;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreWriteTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.transformations.UnionTransformation;

/**
 * A Flink sink that writes {@link ArrayBlock}s into resizable, chunked, compressed HDF5 datasets,
 * exactly once.
 *
 * <pre>{@code
 * stream.sinkTo(Hdf5Sink.builder(Path.of("/data/out"))
 *         .defaultFile("recording.h5")
 *         .defaultCompression(ChunkFilters.gzip(4).withShuffle())
 *         .build());
 * }</pre>
 *
 * <p>The pipeline: blocks at explicit offsets are cut along the declared chunk grid and every
 * chunk's pieces are routed to one writer subtask; appended blocks are routed by dataset, so one
 * writer orders each dataset's appends (pre-write topology, skipped with
 * {@link Builder#chunkAlignedInput}). Writers assemble chunks in checkpointed buffers, filter each
 * complete chunk once on a pool of threads and write it once, straight into the output file, in
 * space the file's ledger hands them (or stage it, with {@link Builder#stageChunks}); at each
 * checkpoint they hand the chunks' addresses to the committers (each file is committed by the
 * committer subtask that owns it, files in parallel), which enter them in the chunk index and
 * publishes them with one atomic commit per dataset when the checkpoint completes; until then no
 * reader sees them. After a failure Flink restores the writers' buffers and
 * re-commits what was not yet committed; commits are idempotent, so nothing is lost or doubled.
 * A bounded job commits its last data at its final checkpoint, with partial chunks completed
 * with the fill value.
 */
@PublicEvolving
public final class Hdf5Sink implements SupportsWriterState<ArrayBlock, Hdf5WriterState>, SupportsCommitter<Hdf5Committable>,
        SupportsPreWriteTopology<ArrayBlock>, SupportsPreCommitTopology<Hdf5Committable, Hdf5Committable>,
        org.apache.flink.api.connector.sink2.Sink<ArrayBlock> {
    private static final long serialVersionUID = 1L;
    /**
     * The highest parallelism the sink's writers run at: the number of routing buckets, Flink's
     * own default maximum parallelism (a writer's state holds one element per bucket it owns).
     */
    public static final int MAX_WRITER_PARALLELISM = ChunkRouting.BUCKETS;
    private final SinkConfig config;

    private Hdf5Sink(SinkConfig config) {
        this.config = config;
    }

    /** The configuration the builder made (for tests that route blocks as the sink does). */
    SinkConfig config() {
        return config;
    }

    /**
     * Deletes what the writers of the given Flink jobs left in the staging directory below
     * {@code baseDirectory}, frees the output-file space they had claimed (for later writers to
     * reuse; a ledger with nothing left to record goes too), and the staging directory when
     * nothing else is in it. For a tool that
     * runs sink jobs to completion and resumes them as new jobs: a run killed after its writers
     * prepared a commit that no completed checkpoint holds leaves files the resumed run does not
     * know. Call it only once those jobs' output is complete and committed; other jobs' files stay.
     *
     * @param jobIds the jobs' ids as {@code JobID.toString()} spells them
     */
    public static void deleteStagingFilesOfJobs(Path baseDirectory, Collection<String> jobIds) throws IOException {
        StagingFiles.deleteFilesOfJobs(baseDirectory.resolve(SinkConfig.STAGING_DIRECTORY), jobIds);
    }

    /**
     * Gives up the given Flink jobs for good, before a new job that restores none of their
     * checkpoints writes the same files: deletes what their writers left in the staging directory
     * below {@code baseDirectory} and frees the output-file space they had claimed, which the new
     * job's writers then reuse instead of leaving it a hole. For a tool that starts afresh after
     * runs killed before any of their checkpoints completed: nothing of theirs can ever be
     * committed. Call it only when no such job runs, or will be resumed; other jobs' files stay.
     *
     * @param jobIds the jobs' ids as {@code JobID.toString()} spells them
     */
    public static void abandonJobs(Path baseDirectory, Collection<String> jobIds) throws IOException {
        StagingFiles.abandonJobs(baseDirectory.resolve(SinkConfig.STAGING_DIRECTORY), jobIds);
    }

    /** Starts a sink writing files below {@code baseDirectory} (created when missing). */
    public static Builder builder(Path baseDirectory) {
        return new Builder(baseDirectory);
    }

    @Override
    public Hdf5SinkWriter createWriter(WriterInitContext context) {
        config.checkStagingDirectory();
        return new Hdf5SinkWriter(config, context, List.of());
    }

    @Override
    public StatefulSinkWriter<ArrayBlock, Hdf5WriterState> restoreWriter(WriterInitContext context,
            Collection<Hdf5WriterState> recoveredState) {
        config.checkStagingDirectory();
        return new Hdf5SinkWriter(config, context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<Hdf5WriterState> getWriterStateSerializer() {
        return new Hdf5WriterStateSerializer();
    }

    @Override
    public Committer<Hdf5Committable> createCommitter(CommitterInitContext context) {
        config.checkStagingDirectory();
        return new Hdf5Committer(config, context.metricGroup(), context.getRestoredCheckpointId().isEmpty(),
                context.getTaskInfo().getNumberOfParallelSubtasks());
    }

    @Override
    public SimpleVersionedSerializer<Hdf5Committable> getCommittableSerializer() {
        return new Hdf5CommittableSerializer();
    }

    @Override
    public DataStream<ArrayBlock> addPreWriteTopology(DataStream<ArrayBlock> input) {
        if (config.chunkAlignedInput()) return input;
        if (unionOfMixedParallelism(input)) {
            // Any operator behind such a union is fed round-robin from the inputs of another
            // parallelism, which would reorder their appends; a partitioning right after the union
            // keeps each channel's order. So route first (blocks at explicit offsets by their first
            // chunk), then cut, then route the pieces: one more shuffle, only for this input.
            return input.partitionCustom(new ChunkRouting.ToSubtask(), new ChunkRouting(config))
                    .flatMap(new BlockSplitter(config)).name("hdf5: cut blocks on the chunk grid")
                    .partitionCustom(new ChunkRouting.ToSubtask(), new ChunkRouting(config));
        }
        // The splitter runs at its input's parallelism, chained to it: a rebalance in front of it
        // would reorder the appends of one upstream channel. The routing is then the only shuffle.
        return input.flatMap(new BlockSplitter(config)).name("hdf5: cut blocks on the chunk grid")
                .setParallelism(input.getParallelism())
                .partitionCustom(new ChunkRouting.ToSubtask(), new ChunkRouting(config));
    }

    private static boolean unionOfMixedParallelism(DataStream<ArrayBlock> input) {
        return input.getTransformation() instanceof UnionTransformation<?> union
                && union.getInputs().stream().mapToInt(org.apache.flink.api.dag.Transformation::getParallelism).distinct().count() > 1;
    }

    /**
     * Each committer subtask commits the files it owns, so files commit in parallel: every
     * subtask sees every committable and keeps the shares of its files
     * ({@link io.hdf5flink.sink.committer.OwnedCommittables}). After a restore at another
     * parallelism Flink may hand a file's pending shares to another subtask, which commits them,
     * taking turns on the file with its owner. With staged chunks one subtask commits everything:
     * a staging file holds chunks of many files and goes once all are copied (not
     * addGlobalCommitter: FLINK-38614).
     */
    @Override
    public DataStream<CommittableMessage<Hdf5Committable>> addPreCommitTopology(
            DataStream<CommittableMessage<Hdf5Committable>> committables) {
        if (config.stageChunks()) return committables.global();
        return committables.broadcast().flatMap(new OwnedCommittables()).returns(committables.getType())
                .name("hdf5: committables of the files each committer owns");
    }

    @Override
    public SimpleVersionedSerializer<Hdf5Committable> getWriteResultSerializer() {
        return new Hdf5CommittableSerializer();
    }

    /** Configures an {@link Hdf5Sink}; every method returns the builder. */
    @PublicEvolving
    public static final class Builder {
        private final Path baseDirectory;
        private String defaultFile = "output.h5";
        private final Map<String, DatasetDeclaration> declarations = new HashMap<>();
        private ChunkFilters defaultCompression = ChunkFilters.gzip(4).withShuffle();
        private long targetChunkBytes = ChunkShapeRule.DEFAULT_TARGET_BYTES;
        private int compressionThreads;
        private long bufferBudgetBytes = 256L << 20;
        private boolean chunkAlignedInput;
        private boolean fsyncOnCommit;
        private Profile profile = Profile.DEFAULT;
        private boolean stageChunks;
        private boolean directIo = true;

        private Builder(Path baseDirectory) {
            this.baseDirectory = baseDirectory;
        }

        /** The file (relative to the base directory) for blocks that name none. Default {@code output.h5}. */
        public Builder defaultFile(String file) {
            this.defaultFile = file;
            return this;
        }

        /** Declares a dataset of the default file that takes blocks at explicit offsets. */
        public Builder declare(String dataset, DatasetSpec spec) {
            return declare(null, dataset, spec);
        }

        /** Declares a dataset of {@code file} (null: the default file) that takes blocks at explicit offsets. */
        public Builder declare(String file, String dataset, DatasetSpec spec) {
            return declare(new DatasetDeclaration(file, dataset, spec, false));
        }

        /**
         * Declares a dataset of the default file that takes blocks at explicit offsets and fills
         * along axis 0, as a conversion does with several readers at once:
         * readers see only the longest prefix of rows whose chunks are all stored, and a chunk
         * stored beyond a gap shows once the rows before it are in. Its trailing axes keep the
         * declared extent.
         */
        public Builder declareGrowing(String dataset, DatasetSpec spec) {
            return declareGrowing(null, dataset, spec);
        }

        /** As {@link #declareGrowing(String, DatasetSpec)}, for a dataset of {@code file} (null: the default file). */
        public Builder declareGrowing(String file, String dataset, DatasetSpec spec) {
            return declare(new DatasetDeclaration(file, dataset, spec, false, true));
        }

        /**
         * Declares a dataset of the default file that takes appended blocks, when its layout must
         * not be inferred (chunks, filters, attributes, fill value as {@code spec} says).
         */
        public Builder declareAppended(String dataset, DatasetSpec spec) {
            return declareAppended(null, dataset, spec);
        }

        /** Declares a dataset of {@code file} (null: the default file) that takes appended blocks. */
        public Builder declareAppended(String file, String dataset, DatasetSpec spec) {
            return declare(new DatasetDeclaration(file, dataset, spec, true));
        }

        /**
         * Declares a dataset as {@code declaration} says: of one file or of every file, with its
         * row shape declared or taken from its first block (see {@link DatasetDeclaration}).
         */
        public Builder declare(DatasetDeclaration declaration) {
            declarations.put(SinkConfig.key(declaration), declaration);
            return this;
        }

        /** Filters of datasets inferred from their first block. Default: shuffle + gzip 4. */
        public Builder defaultCompression(ChunkFilters compression) {
            this.defaultCompression = compression;
            return this;
        }

        /** Target chunk size of inferred datasets ({@link ChunkShapeRule}). Default 10 MB. */
        public Builder targetChunkBytes(long bytes) {
            this.targetChunkBytes = bytes;
            return this;
        }

        /** Filtering threads per writer subtask. Default: cores / parallelism, at least 1. */
        public Builder compressionThreads(int threads) {
            this.compressionThreads = threads;
            return this;
        }

        /**
         * Memory for chunks being assembled, per writer subtask (HDMF's {@code buffer_gb}); beyond
         * it the least recently used are spilled to disk. Default 256 MiB.
         */
        public Builder bufferBudgetBytes(long bytes) {
            this.bufferBudgetBytes = bytes;
            return this;
        }

        /**
         * Promises that blocks arrive with explicit offsets that already cover whole chunks (as the
         * chunk-aligned sources emit them), so no routing shuffle is needed: the writers chain to
         * their input. Appended blocks then need parallelism 1.
         */
        public Builder chunkAlignedInput(boolean aligned) {
            this.chunkAlignedInput = aligned;
            return this;
        }

        /** Makes staged chunks and every commit durable against power loss (fsync). */
        public Builder fsyncOnCommit(boolean fsync) {
            this.fsyncOnCommit = fsync;
            return this;
        }

        /**
         * The format of the files the sink creates (files it appends to keep theirs): {@link
         * Profile#DEFAULT}, h5py's default, or {@link Profile#LATEST}, superblock 3, which h5py
         * readers in SWMR mode watch while the job writes ({@code h5py.File(path, 'r', swmr=True)},
         * then {@code dataset.refresh()}); other libhdf5 readers are refused until the committer
         * closes the file at the end of the job.
         */
        public Builder profile(Profile fileProfile) {
            this.profile = java.util.Objects.requireNonNull(fileProfile, "profile");
            return this;
        }

        /**
         * Writers stage filtered chunks in files of the staging directory, and the committer copies
         * them into the output file. Off by default: writers then write each filtered chunk once,
         * straight into the output file, in space a ledger in the staging directory hands each of
         * them, and the committer only publishes the chunk index and shapes. Turn it on where the
         * writers' machines reach the staging directory but not the output files (both must always
         * be the same directories for every TaskManager, as on a shared file system).
         */
        public Builder stageChunks(boolean stage) {
            this.stageChunks = stage;
            return this;
        }

        /**
         * Whether writers put each filtered chunk's whole pages on disk with direct I/O, past the
         * page cache, where the file system allows it (Linux, a chunk of 64 KiB or more; elsewhere
         * they fall back to the page cache and log why once per file). On by default: a large
         * conversion then neither fills the page cache nor pays the kernel's copy into it, and
         * leaves the cores to compression. Turn it off when the output is read again at once on
         * the same machine and fits in memory: a fresh 1 GiB file written past the page cache is
         * read from disk (h5py: 1.2-1.3 s, against 0.4-0.5 s from the page cache). Chunks the
         * committer copies from staging ({@link #stageChunks}) always go through the page cache,
         * and {@code -Dhdf5flink.directio.disabled=true} turns direct I/O off for a whole JVM.
         */
        public Builder directIo(boolean direct) {
            this.directIo = direct;
            return this;
        }

        /**
         * @throws IllegalArgumentException when declarations conflict: the datasets of a master file
         *     rolling differently, a declared file named as another's data file
         */
        public Hdf5Sink build() {
            SinkConfig config = new SinkConfig(baseDirectory, defaultFile, declarations, defaultCompression,
                    targetChunkBytes, compressionThreads, bufferBudgetBytes, chunkAlignedInput, fsyncOnCommit, stageChunks, directIo,
                    profile);
            config.checkRolling();
            return new Hdf5Sink(config);
        }
    }
}
