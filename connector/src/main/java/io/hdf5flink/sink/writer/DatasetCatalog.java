package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.ChunkShapeRule;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.partition.BlockSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datasets a writer assembles, one {@link DatasetAssembler} per file and dataset, each with
 * the filter pipeline its chunks go through. A dataset's spec comes from the file when the
 * dataset already exists there (checked against its declaration, if any), else from its
 * declaration, else it is inferred from its first appended block.
 */
final class DatasetCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetCatalog.class);

    private final SinkConfig config;
    private final Map<String, DatasetAssembler> datasets = new LinkedHashMap<>();
    /** Read on the filtering threads while the writer thread adds datasets. */
    private final Map<DatasetAssembler, FilterPipeline> pipelines = new ConcurrentHashMap<>();

    /** Chunk arrays shared by this writer's datasets. */
    private final ChunkBuffers buffers = new ChunkBuffers();

    DatasetCatalog(SinkConfig config) {
        this.config = config;
    }

    /** The datasets, in the order the writer met them. */
    Collection<DatasetAssembler> assemblers() {
        return datasets.values();
    }

    FilterPipeline pipelineOf(DatasetAssembler a) {
        return pipelines.get(a);
    }

    /**
     * Takes over one restored share of a dataset (merged into the others, see
     * {@link DatasetAssembler#mergeShare}); returns the bytes of its open chunks in memory.
     */
    long restore(Hdf5WriterState.DatasetState d) {
        DatasetAssembler a = datasets.get(key(d.file(), d.dataset()));
        if (a == null) {
            a = register(DatasetAssembler.restored(d, rowsPerFile(d.file(), d.dataset()), this::readStored, buffers));
        } else {
            a.mergeShare(d);
        }
        return a.reopen(d.openChunks());
    }

    /** The assembler of the dataset a block goes to, created when the block is its first. */
    DatasetAssembler assemblerFor(ArrayBlock block) throws IOException {
        String file = config.resolveFile(block.file()).toString();
        String relative = config.baseDirectory().relativize(Path.of(file)).toString();
        String dataset = BlockSplitter.datasetPath(block);
        if (dataset.equals("/")) throw new IllegalArgumentException("a block names the root group of " + relative + " as its dataset");
        DatasetDeclaration declaration = config.check(block, dataset);
        DatasetAssembler a = datasets.get(key(relative, dataset));
        return a != null ? a : register(create(relative, dataset, block, declaration));
    }

    /**
     * At end of input: registers every declared dataset no block reached and the file does not
     * hold, so that the next committable creates it at its declared shape (an empty stream still
     * leaves the datasets it declared, as h5py's {@code create_dataset} would). Each is registered
     * by one writer, the one {@code createsHere} names (that whose state the dataset belongs to).
     */
    void registerDeclaredWithoutBlocks(CreatesHere createsHere) throws IOException {
        for (DatasetDeclaration d : config.declarations()) {
            // Without a block there is no file (every file) or no row shape to create it with.
            if (d.everyFile() || d.rowShapeFromFirstBlock()) continue;
            String name = d.file() != null ? d.file() : config.defaultFile();
            if (name == null) continue; // no file to create it in; blocks would name theirs
            Path path = config.resolveFile(name);
            String file = config.baseDirectory().relativize(path).toString();
            boolean met = datasets.containsKey(key(file, d.dataset()));
            if (met || !createsHere.test(file, d.dataset(), d.appended())) continue;
            // A rolled dataset lives in its data files; the master's virtual dataset is a view.
            Path holder = d.rowsPerFile() > 0 ? config.resolveFile(RolledFiles.dataFile(file, 0)) : path;
            if (Files.exists(holder)) {
                try (Hdf5File existing = Hdf5File.openReadOnly(holder)) {
                    if (existing.exists(d.dataset())) continue;
                }
            }
            register(new DatasetAssembler(file, d.dataset(), d.spec(), d.appended(), d.rowsPerFile(), 0, null, null,
                    this::readStored, buffers));
        }
    }

    /** Whether this writer is the one to create a declared dataset that received no block. */
    interface CreatesHere {
        boolean test(String file, String dataset, boolean appended);
    }

    /** Rows per data file of a dataset as declared now (0: it does not roll). */
    private long rowsPerFile(String file, String dataset) {
        DatasetDeclaration d = config.declaration(file, dataset);
        return d == null ? 0 : d.rowsPerFile();
    }

    private static String key(String file, String dataset) {
        return file + "|" + dataset;
    }

    private DatasetAssembler register(DatasetAssembler a) {
        FilterPipeline pipeline;
        try {
            pipeline = FilterPipeline.of(a.spec().filters(), a.spec().type().size(), a.chunkBytes());
        } catch (IOException e) {
            throw new IllegalArgumentException(a.where() + ": " + e.getMessage(), e);
        }
        datasets.put(key(a.file(), a.dataset()), a);
        pipelines.put(a, pipeline);
        return a;
    }

    /** A new dataset's assembler: declared, already in the file, or inferred from its first block. */
    private DatasetAssembler create(String file, String dataset, ArrayBlock first, DatasetDeclaration declaration)
            throws IOException {
        DatasetSpec spec = declaration == null ? null : declaration.specFor(first.shape(), config.targetChunkBytes());
        long rowsPerFile = declaration == null ? 0 : declaration.rowsPerFile();
        if (rowsPerFile > 0) return createRolled(file, dataset, first, declaration, spec);
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
            String master = RolledFiles.masterOf(file);
            if (config.rollsFile(file) || (master != null && config.rollsFile(master))) {
                throw new IllegalArgumentException(file + ":" + dataset + " is not declared, but " + file + " is "
                        + (config.rollsFile(file) ? "a master file of datasets rolled over files" : "a data file of " + master)
                        + ": every dataset of a rolled recording must be declared and rolled alike");
            }
            if (!first.isAppend()) {
                throw new IllegalArgumentException(file + ":" + dataset + " receives blocks at explicit offsets but is not declared:"
                        + " declare its shape and chunks (every writer must cut blocks on the same chunk grid)");
            }
            spec = infer(file, dataset, first);
        }
        long[] extent = appendExtent(spec, first, cursor);
        return new DatasetAssembler(file, dataset, spec, first.isAppend(), 0, cursor, extent, storedShape, this::readStored, buffers);
    }

    /**
     * The extent a new dataset's assembler starts from: the spec's shape, and for an appended
     * dataset {@code rows} rows (those already stored) with the trailing axes the spec leaves 0
     * taken from the first block.
     */
    private static long[] appendExtent(DatasetSpec spec, ArrayBlock first, long rows) {
        long[] extent = spec.shape();
        if (first.isAppend()) {
            extent[0] = rows;
            long[] trailing = first.shape();
            for (int d = 1; d < extent.length && d < trailing.length; d++) if (extent[d] == 0) extent[d] = trailing[d];
        }
        return extent;
    }

    /**
     * A new rolled dataset's assembler. Rows already committed to its data files (a job resumed
     * as a new job) count as stored: the rows of the full files before the first that is not
     * full, and that file's rows.
     */
    private DatasetAssembler createRolled(String file, String dataset, ArrayBlock first, DatasetDeclaration declaration,
            DatasetSpec spec) throws IOException {
        long rowsPerFile = declaration.rowsPerFile();
        List<Long> rows = RolledFiles.committedRows(config.resolveFile(file), dataset, rowsPerFile, 0);
        long stored = rows.stream().mapToLong(Long::longValue).sum();
        long[] storedShape = null;
        if (!rows.isEmpty()) {
            try (Hdf5File existing = Hdf5File.openReadOnly(config.resolveFile(RolledFiles.dataFile(file, 0)))) {
                Hdf5Dataset d = existing.dataset(dataset);
                checkCompatible(RolledFiles.dataFile(file, 0), dataset, spec, d.spec());
                storedShape = d.shape();
                storedShape[0] = stored;
            }
        }
        long[] extent = appendExtent(spec, first, stored);
        return new DatasetAssembler(file, dataset, spec, first.isAppend(), rowsPerFile, first.isAppend() ? stored : 0, extent,
                storedShape, this::readStored, buffers);
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
        if (!declared.hasChunkLayoutOf(existing)) {
            throw new IllegalArgumentException(file + ":" + dataset + " exists as " + existing.describeChunkLayout()
                    + ", but is declared as " + declared.describeChunkLayout());
        }
    }

    /**
     * A chunk as stored in the output file now, or null when none is stored there (a fresh
     * read-only view: the committer moves index nodes).
     */
    private byte[] readStored(DatasetAssembler a, long[] globalOrigin) throws IOException {
        Path path = config.baseDirectory().resolve(a.fileAt(a.fileIndexOf(globalOrigin)));
        long[] origin = a.originInFile(globalOrigin);
        if (!Files.exists(path)) return null;
        try (Hdf5File file = Hdf5File.openReadOnly(path)) {
            if (!file.exists(a.dataset())) return null;
            Hdf5Dataset d = file.dataset(a.dataset());
            // Only a stored chunk holds data; an unstored one inside the shape is fill, not data
            // (a dataset declared at its full size has every chunk inside its shape).
            if (!d.hasChunk(origin)) return null;
            long[] shape = d.shape();
            long[] chunk = a.chunkShape();
            long[] extent = chunk.clone();
            for (int i = 0; i < extent.length; i++) {
                extent[i] = Math.max(0, Math.min(extent[i], shape[i] - origin[i]));
                if (extent[i] == 0) return null;
            }
            byte[] raw = a.fillChunkCopy();
            BoxCopy.copy(d.read(origin, extent), extent, new long[origin.length], raw, chunk, new long[origin.length],
                    extent, a.spec().type().size());
            return raw;
        }
    }
}
