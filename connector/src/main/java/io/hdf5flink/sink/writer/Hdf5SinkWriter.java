package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.ParallelChunkEncoder;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.partition.BlockSplitter;
import io.hdf5flink.sink.partition.ChunkRouting;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.sink.staging.UnreferencedMark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's writer subtask. It cuts incoming blocks into chunks ({@link DatasetAssembler}),
 * filters every complete chunk exactly once on a bounded pool of threads, and appends the
 * filtered chunks to its staging file for the current epoch.
 *
 * <p>Lifecycle per checkpoint: {@link #flush} waits for the chunks being filtered;
 * {@link #prepareCommit} closes the epoch's staging file and returns one committable naming its
 * chunks, the shape each dataset may now show, and the spill files its state references;
 * {@link #snapshotState} then records the open chunks, append cursors and the next epoch. At end
 * of input every open chunk is completed with the fill value and goes into the final committable.
 *
 * <p>Memory: open chunks are held in memory up to the buffer budget; beyond it the least recently
 * touched ones are spilled (raw) to a spill file in the staging directory and read back when
 * more data arrives for them, so memory stays bounded whatever the order of the input. Chunks
 * being filtered are bounded separately, by twice the number of filtering threads.
 */
@Internal
public final class Hdf5SinkWriter implements StatefulSinkWriter<ArrayBlock, Hdf5WriterState>,
        CommittingSinkWriter<ArrayBlock, Hdf5Committable> {
    private static final Logger LOG = LoggerFactory.getLogger(Hdf5SinkWriter.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final SinkConfig config;
    private final int parallelism;
    private final int subtask;
    private final String writerId;
    private final List<String> adoptedWriterIds;
    private long epoch;
    private final Map<String, DatasetAssembler> datasets = new LinkedHashMap<>();
    private final Map<DatasetAssembler, FilterPipeline> pipelines = new IdentityHashMap<>();
    private final Map<DatasetAssembler, List<Hdf5Committable.ChunkRef>> staged = new IdentityHashMap<>();
    private final ExecutorService pool;
    private final ParallelChunkEncoder<DatasetAssembler.Complete> encoder;
    private final WriterMetrics metrics;
    private StagingFiles.AppendFile staging;
    private StagingFiles.AppendFile spill;
    /** Held while no committable names this writer's files yet (a writer under a new name). */
    private UnreferencedMark unreferenced;
    private long openBytes;
    private long touch;
    private boolean endOfInput;

    public Hdf5SinkWriter(SinkConfig config, WriterInitContext context, Collection<Hdf5WriterState> restored) {
        this.config = config;
        this.parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        ChunkRouting.checkParallelism(parallelism);
        List<Hdf5WriterState> states = new ArrayList<>(restored);
        states.sort(Comparator.comparingInt(Hdf5WriterState::bucket));
        this.writerId = identity(context, states);
        this.adoptedWriterIds = new ArrayList<>();
        for (Hdf5WriterState s : states) {
            epoch = Math.max(epoch, s.nextEpoch());
            if (!s.carriesWriter()) continue;
            if (!s.writerId().equals(writerId)) adoptedWriterIds.add(s.writerId());
            adoptedWriterIds.addAll(s.adoptedWriterIds());
        }
        for (Hdf5WriterState s : states) {
            for (Hdf5WriterState.DatasetState d : s.datasets()) restore(d);
        }
        int threads = config.compressionThreads() > 0 ? config.compressionThreads()
                : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, parallelism));
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hdf5-sink-filter-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.encoder = new ParallelChunkEncoder<>((c, raw) -> encode(c, raw), pool, 2 * threads, this::stage);
        if (!config.chunkAlignedInput()) checkRestoredStateIsRoutedHere();
        this.metrics = new WriterMetrics(context.metricGroup(), () -> openBytes + encoder.inFlightBytes());
        // Marked last, after every check that can refuse the state: a writer that fails to start
        // must not leave its name locked for the next attempt.
        boolean named = states.stream().anyMatch(s -> s.carriesWriter() && s.writerId().equals(writerId));
        try {
            if (!named) unreferenced = UnreferencedMark.take(config.stagingDirectory(), writerId);
        } catch (IOException e) {
            throw new UncheckedIOException("the Hdf5Sink's writer " + writerId + " cannot mark its staging files in "
                    + config.stagingDirectory() + ": " + e, e);
        }
        try {
            takeOverForeignSpills();
        } catch (IOException e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("restoring the Hdf5Sink's spilled chunks failed", e);
        }
    }

    /**
     * The writer's name. A writer without state is named after its job and subtask, not at random:
     * when an attempt fails before its first checkpoint, the next attempt's writer takes the same
     * name and overwrites the files the failed one staged, which no committable will ever clean
     * up. A restored writer keeps the name of the writer whose first bucket it got (the lowest
     * one, when it got several); one that got none (after scaling up) is named after its job,
     * subtask and the checkpoint it restored, for the same reason.
     */
    private String identity(WriterInitContext context, List<Hdf5WriterState> states) {
        for (Hdf5WriterState s : states) if (s.carriesWriter()) return s.writerId();
        String fresh = context.getJobInfo().getJobId() + "-" + subtask;
        return states.isEmpty() ? fresh : fresh + "-r" + context.getRestoredCheckpointId().orElse(0);
    }

    private void restore(Hdf5WriterState.DatasetState d) {
        String key = d.file() + "|" + d.dataset();
        DatasetAssembler a = datasets.get(key);
        if (a == null) {
            a = new DatasetAssembler(d.file(), d.dataset(), d.spec(), d.append(), d.cursor(), d.extent().clone(),
                    d.storedShape(), this::readStored);
            a.publishedShape = d.publishedShape();
            datasets.put(key, a);
            pipelines.put(a, pipeline(a));
        } else {
            // Datasets at explicit offsets are assembled by several writers, and each writer's
            // share is spread over its buckets: merged, every chunk the file may hold stays known.
            a.cursor = Math.max(a.cursor, d.cursor());
            for (int i = 0; i < a.extent.length; i++) a.extent[i] = Math.max(a.extent[i], d.extent()[i]);
            a.storedShape = DatasetAssembler.larger(a.storedShape, d.storedShape());
        }
        for (Hdf5WriterState.ChunkState c : d.openChunks()) {
            OpenChunk o = new OpenChunk(c.origin(), c.needed(), c.covered(), c.raw(), c.spilled());
            if (a.open.put(DatasetAssembler.key(c.origin()), o) != null) {
                throw new IllegalStateException("the Hdf5Sink's restored state holds the open chunk at "
                        + Arrays.toString(c.origin()) + " of " + a.where() + " twice");
            }
            if (c.raw() != null) openBytes += c.raw().length;
        }
    }

    /**
     * Reads back the spilled chunks this writer restored from a writer it neither is nor adopted
     * (a share of a writer split by scaling up): the writer that kept that name deletes the files
     * its own state no longer references, so the chunks must leave them before the next commit.
     * They go through the buffer budget like any chunk, into this writer's own spill file.
     */
    private void takeOverForeignSpills() throws IOException {
        boolean read = false;
        for (DatasetAssembler a : datasets.values()) {
            for (OpenChunk c : a.openChunks()) {
                if (c.spilled == null) continue;
                String owner = StagingFiles.writerOf(c.spilled.file());
                if (writerId.equals(owner) || adoptedWriterIds.contains(owner)) continue;
                c.raw = readSpilled(c.spilled);
                c.spilled = null;
                read = true;
            }
        }
        if (read && openBytes > config.bufferBudgetBytes()) spillLeastRecentlyUsed();
    }

    /**
     * The routing sends every chunk, and every dataset's appends, to the subtask owning its
     * bucket, and the state is snapshotted per bucket so that Flink's restore hands each writer
     * its buckets' state at any parallelism. This checks that it did: an open chunk restored
     * where its data no longer arrives would be completed with the fill value.
     */
    private void checkRestoredStateIsRoutedHere() {
        for (DatasetAssembler a : datasets.values()) {
            if (a.append && (a.cursor > 0 || !a.open.isEmpty()) && ChunkRouting.ToSubtask.subtask(appendKey(a), parallelism) != subtask) {
                throw misrouted(a);
            }
            if (!a.append) {
                for (OpenChunk c : a.openChunks()) {
                    if (ChunkRouting.ToSubtask.subtask(chunkKey(a, c), parallelism) != subtask) throw misrouted(a);
                }
            }
        }
    }

    private IllegalStateException misrouted(DatasetAssembler a) {
        return new IllegalStateException("the Hdf5Sink's restored state holds open chunks or the append cursor of " + a.where()
                + " that the routing at parallelism " + parallelism + " sends to another writer: Flink split the writers'"
                + " state in an unexpected way; restore at the parallelism the state was taken with");
    }

    private static int appendKey(DatasetAssembler a) {
        return ChunkRouting.appendKey(ChunkRouting.fileKey(a.file), a.dataset);
    }

    private static int chunkKey(DatasetAssembler a, OpenChunk c) {
        long[] index = c.origin.clone();
        for (int d = 0; d < index.length; d++) index[d] /= a.chunk[d];
        return ChunkRouting.chunkKey(ChunkRouting.fileKey(a.file), a.dataset, index);
    }

    /**
     * A chunk as stored in the output file now, or null when none is stored there (a fresh
     * read-only view: the committer moves index nodes).
     */
    private byte[] readStored(DatasetAssembler a, long[] origin) throws IOException {
        Path path = config.baseDirectory().resolve(a.file);
        if (!Files.exists(path)) return null;
        try (Hdf5File file = Hdf5File.openReadOnly(path)) {
            if (!file.exists(a.dataset)) return null;
            Hdf5Dataset d = file.dataset(a.dataset);
            // Only a stored chunk holds data; an unstored one inside the shape is fill, not data
            // (a dataset declared at its full size has every chunk inside its shape).
            if (!d.hasChunk(origin)) return null;
            long[] shape = d.shape();
            long[] extent = a.chunk.clone();
            for (int i = 0; i < extent.length; i++) {
                extent[i] = Math.max(0, Math.min(extent[i], shape[i] - origin[i]));
                if (extent[i] == 0) return null;
            }
            byte[] raw = a.fillChunkCopy();
            java.nio.ByteBuffer read = d.read(origin, extent);
            io.hdf5flink.hdf5.BoxCopy.copy(read, extent, new long[origin.length], raw, a.chunk, new long[origin.length],
                    extent, a.spec.type().size());
            return raw;
        }
    }

    @Override
    public void write(ArrayBlock block, Context context) throws IOException, InterruptedException {
        block.validate();
        DatasetAssembler a = assembler(block);
        a.check(block);
        if (block.isAppend() && config.chunkAlignedInput() && parallelism > 1) {
            throw new IllegalArgumentException(a.where() + ": appended blocks need the sink's routing, which chunkAlignedInput()"
                    + " turns off; give blocks explicit offsets or run the sink at parallelism 1");
        }
        int before = a.open.size();
        List<DatasetAssembler.Complete> done = a.add(block, ++touch, this::readSpilled);
        openBytes += (long) (a.open.size() + done.size() - before) * a.chunkBytes;
        metrics.blockIn(block);
        for (DatasetAssembler.Complete c : done) {
            openBytes -= c.raw().length;
            encoder.submit(c, c.raw());
        }
        encoder.handOnFinished();
        if (openBytes > config.bufferBudgetBytes()) spillLeastRecentlyUsed();
    }

    private DatasetAssembler assembler(ArrayBlock block) throws IOException {
        String file = config.resolveFile(block.file()).toString();
        String relative = config.baseDirectory().relativize(Path.of(file)).toString();
        String dataset = BlockSplitter.datasetPath(block);
        if (dataset.equals("/")) throw new IllegalArgumentException("a block names the root group of " + relative + " as its dataset");
        DatasetDeclaration declaration = config.check(block, dataset);
        String key = relative + "|" + dataset;
        DatasetAssembler a = datasets.get(key);
        if (a != null) return a;
        a = create(relative, dataset, block, declaration);
        datasets.put(key, a);
        pipelines.put(a, pipeline(a));
        return a;
    }

    /** A new dataset's assembler: declared, already in the file, or inferred from its first block. */
    private DatasetAssembler create(String file, String dataset, ArrayBlock first, DatasetDeclaration declaration)
            throws IOException {
        DatasetSpec spec = declaration == null ? null : declaration.spec();
        long cursor = 0;
        long[] storedShape = null;
        Path path = config.baseDirectory().resolve(file);
        if (Files.exists(path)) {
            try (Hdf5File existing = Hdf5File.openReadOnly(path)) {
                if (existing.exists(dataset)) {
                    Hdf5Dataset d = existing.dataset(dataset);
                    if (spec != null) checkCompatible(file, dataset, spec, d.spec());
                    spec = d.spec();
                    cursor = d.shape()[0];
                    storedShape = d.shape();
                }
            }
        }
        if (spec == null) {
            if (!first.isAppend()) {
                throw new IllegalArgumentException(file + ":" + dataset + " receives blocks at explicit offsets but is not declared:"
                        + " declare its shape and chunks (every writer must cut blocks on the same chunk grid)");
            }
            spec = infer(file, dataset, first);
        }
        long[] extent = spec.shape();
        if (first.isAppend()) {
            extent[0] = cursor;
            long[] trailing = first.shape();
            for (int d = 1; d < extent.length && d < trailing.length; d++) if (extent[d] == 0) extent[d] = trailing[d];
        }
        return new DatasetAssembler(file, dataset, spec, first.isAppend(), cursor, extent, storedShape, this::readStored);
    }

    private DatasetSpec infer(String file, String dataset, ArrayBlock first) {
        long[] shape = first.shape();
        long[] trailing = Arrays.copyOfRange(shape, 1, shape.length);
        long[] chunks = ChunkShapeRule.chunksFor(first.type(), trailing, config.targetChunkBytes());
        long[] initial = shape.clone();
        initial[0] = 0;
        long[] max = shape.clone();
        max[0] = DatasetSpec.UNLIMITED;
        DatasetSpec.Builder b = DatasetSpec.builder(first.type(), initial).maxShape(max).chunks(chunks);
        DatasetSpec spec = config.defaultCompression().applyTo(b).build();
        LOG.info("Inferred {}:{} from its first block: {}, maxshape {}, chunks {}, filters {}", file, dataset, first.type(),
                Arrays.toString(max).replace(Long.toString(DatasetSpec.UNLIMITED), "None"),
                ChunkShapeRule.describe(first.type(), chunks), config.defaultCompression());
        return spec;
    }

    private static void checkCompatible(String file, String dataset, DatasetSpec declared, DatasetSpec existing) {
        if (declared.type() != existing.type() || !Arrays.equals(declared.chunks(), existing.chunks())
                || !declared.filters().equals(existing.filters())) {
            throw new IllegalArgumentException(file + ":" + dataset + " exists as " + existing.type() + " chunks "
                    + Arrays.toString(existing.chunks()) + " filters " + existing.filters() + ", but is declared as "
                    + declared.type() + " chunks " + Arrays.toString(declared.chunks()) + " filters " + declared.filters());
        }
    }

    private FilterPipeline pipeline(DatasetAssembler a) {
        try {
            return FilterPipeline.of(a.spec.filters(), a.spec.type().size(), a.chunkBytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(a.where() + ": " + e.getMessage(), e);
        }
    }

    /** Runs on the filtering pool. */
    private EncodedChunk encode(DatasetAssembler.Complete c, byte[] raw) {
        try {
            return pipelines.get(c.dataset()).encode(raw, raw.length);
        } catch (IOException e) {
            throw new UncheckedIOException(c.dataset().where() + ": filtering the chunk at " + Arrays.toString(c.origin())
                    + " failed", e);
        }
    }

    /** Runs on the writer thread, in submission order. */
    private void stage(DatasetAssembler.Complete c, EncodedChunk chunk) throws IOException {
        if (staging == null) {
            staging = new StagingFiles.AppendFile(config.stagingDirectory().resolve(StagingFiles.name(writerId, epoch, StagingFiles.CHUNKS)));
        }
        long position = staging.append(chunk.data(), chunk.length());
        staged.computeIfAbsent(c.dataset(), k -> new ArrayList<>())
                .add(new Hdf5Committable.ChunkRef(c.origin(), position, chunk.length(), chunk.filterMask()));
        metrics.chunkStaged(c.raw().length, chunk.length());
    }

    private byte[] readSpilled(OpenChunk.SpillRef ref) throws IOException {
        byte[] raw = StagingFiles.read(config.stagingDirectory(), ref.file(), ref.position(), ref.length());
        openBytes += raw.length;
        return raw;
    }

    /** Spills open chunks, least recently touched first, until a quarter of the budget is free. */
    private void spillLeastRecentlyUsed() throws IOException {
        List<OpenChunk> inMemory = new ArrayList<>();
        for (DatasetAssembler a : datasets.values()) {
            for (OpenChunk c : a.openChunks()) if (c.raw != null) inMemory.add(c);
        }
        inMemory.sort(Comparator.comparingLong(c -> c.lastTouch));
        long target = config.bufferBudgetBytes() * 3 / 4;
        for (OpenChunk c : inMemory) {
            if (openBytes <= target) break;
            if (spill == null) {
                spill = new StagingFiles.AppendFile(config.stagingDirectory().resolve(StagingFiles.name(writerId, epoch, StagingFiles.SPILL)));
            }
            long position = spill.append(c.raw, c.raw.length);
            c.spilled = new OpenChunk.SpillRef(spill.name(), position, c.raw.length);
            openBytes -= c.raw.length;
            metrics.chunkSpilled(c.raw.length);
            c.raw = null;
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (endOfInput && !this.endOfInput) {
            this.endOfInput = true;
            for (DatasetAssembler a : datasets.values()) {
                for (DatasetAssembler.Complete c : a.completeAll(this::readSpilled)) {
                    openBytes -= c.raw().length;
                    encoder.submit(c, c.raw());
                }
            }
        }
        encoder.flush();
    }

    @Override
    public Collection<Hdf5Committable> prepareCommit() throws IOException {
        encoder.flush();
        String stagingName = null;
        if (staging != null) {
            if (config.fsyncOnCommit()) staging.sync();
            stagingName = staging.name();
            staging.close();
            staging = null;
        }
        if (spill != null) {
            if (config.fsyncOnCommit()) spill.sync();
            spill.close();
            spill = null;
        }
        List<Hdf5Committable.DatasetPart> parts = new ArrayList<>();
        for (DatasetAssembler a : datasets.values()) {
            List<Hdf5Committable.ChunkRef> chunks = staged.getOrDefault(a, List.of());
            long[] shape = a.visibleShape(endOfInput);
            if (chunks.isEmpty() && Arrays.equals(shape, a.publishedShape)) continue;
            parts.add(new Hdf5Committable.DatasetPart(a.file, a.dataset, a.spec, shape, List.copyOf(chunks)));
            a.publishedShape = shape;
        }
        staged.clear();
        Hdf5Committable committable = new Hdf5Committable(writerId, epoch, List.copyOf(adoptedWriterIds), stagingName,
                parts, liveSpillFiles());
        if (unreferenced != null) {
            unreferenced.release(); // this committable names the writer's files from now on
            unreferenced = null;
        }
        epoch++;
        return List.of(committable);
    }

    private List<String> liveSpillFiles() {
        List<String> files = new ArrayList<>();
        for (DatasetAssembler a : datasets.values()) {
            for (OpenChunk c : a.openChunks()) {
                if (c.spilled != null && !files.contains(c.spilled.file())) files.add(c.spilled.file());
            }
        }
        return files;
    }

    /**
     * One element per bucket this writer owns, in bucket order (see {@link Hdf5WriterState}); with
     * {@code chunkAlignedInput} there is no routing, and everything goes in the first one.
     */
    @Override
    public List<Hdf5WriterState> snapshotState(long checkpointId) {
        int first = ChunkRouting.firstBucket(subtask, parallelism);
        int end = ChunkRouting.firstBucket(subtask + 1, parallelism);
        Map<Integer, List<Hdf5WriterState.DatasetState>> byBucket = new HashMap<>();
        for (DatasetAssembler a : datasets.values()) {
            Map<Integer, List<Hdf5WriterState.ChunkState>> chunks = new TreeMap<>();
            int home = config.chunkAlignedInput() ? first : a.append ? ChunkRouting.bucket(appendKey(a)) : first;
            chunks.put(home, new ArrayList<>());
            for (OpenChunk c : a.openChunks()) {
                int bucket = config.chunkAlignedInput() || a.append ? home : ChunkRouting.bucket(chunkKey(a, c));
                chunks.computeIfAbsent(bucket, b -> new ArrayList<>())
                        .add(new Hdf5WriterState.ChunkState(c.origin, c.needed, c.covered, c.raw, c.spilled));
            }
            for (Map.Entry<Integer, List<Hdf5WriterState.ChunkState>> e : chunks.entrySet()) {
                if (e.getKey() < first || e.getKey() >= end) {
                    throw new IllegalStateException(a.where() + " has state in routing bucket " + e.getKey()
                            + ", which subtask " + subtask + " of " + parallelism + " does not own");
                }
                byBucket.computeIfAbsent(e.getKey(), b -> new ArrayList<>()).add(new Hdf5WriterState.DatasetState(a.file,
                        a.dataset, a.spec, a.append, a.cursor, a.extent.clone(), a.publishedShape, a.storedShape, e.getValue()));
            }
        }
        List<Hdf5WriterState> elements = new ArrayList<>(end - first);
        for (int b = first; b < end; b++) {
            elements.add(new Hdf5WriterState(b, writerId, b == first, epoch, b == first ? List.copyOf(adoptedWriterIds) : List.of(),
                    byBucket.getOrDefault(b, List.of())));
        }
        return elements;
    }

    @Override
    public void close() throws Exception {
        pool.shutdownNow();
        if (staging != null) staging.close();
        if (spill != null) spill.close();
        if (unreferenced != null) unreferenced.close();
    }
}
