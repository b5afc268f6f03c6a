package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.BoxCopy;
import io.hdf5flink.hdf5.ChunkGrid;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.partition.ChunkRouting;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;

/**
 * One dataset's share of a writer: cuts blocks along the chunk grid into open chunks, counts the
 * elements each chunk still needs and hands over every chunk that is complete, exactly once. For
 * an appended dataset it also owns the append cursor, turning "append" into explicit rows, which
 * is why all appends to one dataset go to one writer. Its fields are checkpointed with the
 * writer's state; a chunk handed over leaves the state and travels in the next committable.
 */
@Internal
public final class DatasetAssembler {
    /** A complete chunk: where it goes and its raw bytes. */
    public record Complete(DatasetAssembler dataset, long[] origin, byte[] raw) {}

    private final String file;
    private final String dataset;
    /** Rows per data file when the dataset rolls over files ({@link RolledFiles}); 0: all in {@link #file}. */
    private final long rowsPerFile;
    private final DatasetSpec spec;
    private final boolean append;
    private final long[] chunk;
    private final int chunkBytes;
    private final int elementSize;
    private final byte[] fillChunk;
    private long cursor;
    private long[] extent;
    private final Map<List<Long>, OpenChunk> open = new HashMap<>();
    /** Extent last published in a committable, to skip datasets that did not change. */
    private long[] publishedShape;
    /**
     * The dataset's shape in the file when this job first met it (null when it was new): chunks
     * inside it may hold data, so they are opened from what is stored rather than from the fill
     * value, or the sink would overwrite it. Grows when restored shares of writers are merged.
     */
    private long[] storedShape;
    private final StoredChunks stored;
    private final ChunkBuffers buffers;

    /** Reads a chunk as stored in the output file: its raw bytes, or null when it is not stored. */
    interface StoredChunks {
        byte[] read(DatasetAssembler dataset, long[] origin) throws IOException;
    }

    DatasetAssembler(String file, String dataset, DatasetSpec spec, boolean append, long rowsPerFile, long cursor, long[] extent,
            long[] storedShape, StoredChunks stored, ChunkBuffers buffers) {
        this.file = file;
        this.rowsPerFile = rowsPerFile;
        this.dataset = dataset;
        this.spec = spec;
        this.append = append;
        this.chunk = spec.chunks();
        this.chunkBytes = spec.chunkBytes();
        this.elementSize = spec.type().size();
        this.cursor = cursor;
        this.extent = extent == null ? spec.shape() : extent;
        this.storedShape = storedShape;
        this.stored = stored;
        this.buffers = buffers;
        this.fillChunk = spec.filledChunk();
    }

    /** One share of a dataset as a writer checkpointed it (see {@link #mergeShare} for the others). */
    static DatasetAssembler restored(Hdf5WriterState.DatasetState d, long rowsPerFile, StoredChunks stored, ChunkBuffers buffers) {
        DatasetAssembler a = new DatasetAssembler(d.file(), d.dataset(), d.spec(), d.append(), rowsPerFile, d.cursor(), d.extent().clone(),
                d.storedShape(), stored, buffers);
        a.publishedShape = d.publishedShape();
        return a;
    }

    /**
     * Merges another restored share of this dataset. Datasets at explicit offsets are assembled
     * by several writers, and each writer's share is spread over its buckets: merged, every chunk
     * the file may hold stays known.
     */
    void mergeShare(Hdf5WriterState.DatasetState d) {
        cursor = Math.max(cursor, d.cursor());
        for (int i = 0; i < extent.length; i++) extent[i] = Math.max(extent[i], d.extent()[i]);
        storedShape = larger(storedShape, d.storedShape());
    }

    /** Reopens checkpointed open chunks; returns the bytes of those restored in memory. */
    long reopen(List<Hdf5WriterState.ChunkState> chunks) {
        long inMemory = 0;
        for (Hdf5WriterState.ChunkState c : chunks) {
            if (open.put(key(c.origin()), OpenChunk.restored(c)) != null) {
                throw new IllegalStateException("the Hdf5Sink's restored state holds the open chunk at "
                        + Arrays.toString(c.origin()) + " of " + where() + " twice");
            }
            if (c.raw() != null) inMemory += c.raw().length;
        }
        return inMemory;
    }

    /** This dataset's share of a checkpoint, with the given open chunks (those of one bucket). */
    Hdf5WriterState.DatasetState toState(List<Hdf5WriterState.ChunkState> chunks) {
        return new Hdf5WriterState.DatasetState(file, dataset, spec, append, cursor, extent.clone(), publishedShape,
                storedShape, chunks);
    }

    /**
     * What the next committable carries for this dataset, one part per file: its chunks (by the
     * index of their file, see {@link #fileIndexOf}) and the shape to publish; nothing for a file
     * whose chunks and shape did not change since the last one.
     */
    List<Hdf5Committable.DatasetPart> nextParts(Map<Integer, List<Hdf5Committable.ChunkRef>> chunks, boolean endOfInput) {
        long[] shape = visibleShape(endOfInput);
        long[] before = publishedShape;
        publishedShape = shape;
        if (rowsPerFile == 0) {
            List<Hdf5Committable.ChunkRef> refs = chunks.getOrDefault(0, List.of());
            if (refs.isEmpty() && Arrays.equals(shape, before)) return List.of();
            return List.of(new Hdf5Committable.DatasetPart(file, dataset, spec, shape, List.copyOf(refs)));
        }
        TreeSet<Integer> files = new TreeSet<>(chunks.keySet());
        if (before == null) {
            files.add(0); // the first data file exists from the first committable on, even empty
        } else if (before[0] != shape[0]) {
            for (int i = fileIndexOf(Math.min(before[0], shape[0])); i <= fileIndexOf(Math.max(before[0], shape[0])); i++) {
                if (rowsIn(i, before[0]) != rowsIn(i, shape[0])) files.add(i);
            }
        }
        List<Hdf5Committable.DatasetPart> parts = new ArrayList<>();
        DatasetSpec dataFileSpec = dataFileSpec();
        for (int i : files) {
            long[] local = shape.clone();
            local[0] = rowsIn(i, shape[0]);
            parts.add(new Hdf5Committable.DatasetPart(fileAt(i), dataset, dataFileSpec, local,
                    List.copyOf(chunks.getOrDefault(i, List.of()))));
        }
        return parts;
    }

    /** The spec of the dataset in each data file: resizable along axis 0, starting empty. */
    private DatasetSpec dataFileSpec() {
        long[] shape = spec.shape();
        shape[0] = 0;
        long[] max = spec.maxShape();
        max[0] = DatasetSpec.UNLIMITED;
        return spec.toBuilder().shape(shape).maxShape(max).build();
    }

    /** Rows of data file {@code index} when the dataset has {@code rows} rows. */
    private long rowsIn(int index, long rows) {
        return Math.max(0, Math.min(rowsPerFile, rows - index * rowsPerFile));
    }

    /** The index of the data file holding {@code row} (0 when the dataset does not roll). */
    private int fileIndexOf(long row) {
        return rowsPerFile == 0 ? 0 : Math.toIntExact(row / rowsPerFile);
    }

    /** The index of the data file holding the chunk at {@code origin} (0 when the dataset does not roll). */
    int fileIndexOf(long[] origin) {
        return fileIndexOf(origin[0]);
    }

    /** The file (relative to the base directory) of data file {@code index}. */
    String fileAt(int index) {
        return rowsPerFile == 0 ? file : RolledFiles.dataFile(file, index);
    }

    /** A chunk's origin within its file: rows count from the file's first row. */
    long[] originInFile(long[] origin) {
        if (rowsPerFile == 0) return origin;
        long[] local = origin.clone();
        local[0] -= fileIndexOf(origin) * rowsPerFile;
        return local;
    }

    /** Rows per data file (0: the dataset does not roll). */
    long rowsPerFile() { return rowsPerFile; }

    String file() { return file; }
    String dataset() { return dataset; }
    DatasetSpec spec() { return spec; }
    boolean isAppend() { return append; }

    /** The chunk shape (a copy). */
    long[] chunkShape() { return chunk.clone(); }
    int chunkBytes() { return chunkBytes; }

    /** Whether rows were appended or chunks are open: state only the append routing's writer may hold. */
    boolean holdsAppendState() { return append && (cursor > 0 || !open.isEmpty()); }

    /** The index of an open chunk in the chunk grid (its origin divided by the chunk shape). */
    long[] gridIndex(OpenChunk c) {
        return ChunkRouting.gridIndex(c.origin(), chunk);
    }

    /** A chunk of fill values, to start a chunk from (in an array given back by an earlier chunk when there is one). */
    byte[] fillChunkCopy() {
        return buffers.copyOf(fillChunk);
    }

    /** The bytes of a chunk of this dataset are written and referenced by nothing: a later chunk may reuse them. */
    void recycle(byte[] raw) {
        buffers.giveBack(raw);
    }

    String where() { return file + ":" + dataset; }

    /** Checks a block fits this dataset: dtype, rank, trailing shape (appends), bounds (explicit). */
    void check(ArrayBlock b) {
        String at = b.isAppend() ? "an appended block" : "the block at offset " + Arrays.toString(b.offset());
        if (b.type() != spec.type()) {
            throw new IllegalArgumentException(where() + " holds " + spec.type() + " (" + spec.type().numpyStr() + "), "
                    + at + " is " + b.type() + ": dtype mismatch");
        }
        if (b.rank() != chunk.length) {
            throw new IllegalArgumentException(where() + " has rank " + chunk.length + ", " + at + " has rank " + b.rank());
        }
        if (b.isAppend() != append) {
            throw new IllegalArgumentException(where() + " is " + (append ? "appended to" : "written at explicit offsets")
                    + ", " + at + " is not: a dataset takes one kind of block");
        }
        long[] shape = b.shape();
        long[] max = spec.maxShape();
        if (append) {
            for (int d = 1; d < shape.length; d++) {
                if (shape[d] != extent[d]) {
                    throw new IllegalArgumentException(where() + " has rows of shape " + Arrays.toString(Arrays.copyOfRange(extent, 1, extent.length))
                            + ", " + at + " has " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
                }
            }
            if (max[0] != DatasetSpec.UNLIMITED && cursor + shape[0] > max[0]) {
                throw new IllegalArgumentException(where() + " can hold " + max[0] + " rows; appending " + shape[0]
                        + " at row " + cursor + " exceeds it");
            }
        } else {
            long[] offset = b.offset();
            for (int d = 0; d < shape.length; d++) {
                if (max[d] != DatasetSpec.UNLIMITED && offset[d] + shape[d] > max[d]) {
                    throw new IllegalArgumentException(where() + ": " + at + " of shape " + Arrays.toString(shape)
                            + " exceeds the maximum shape " + Arrays.toString(max) + " on axis " + d);
                }
            }
        }
    }

    /**
     * Adds a checked block; returns the chunks it completed. Spilled chunks it touches are read
     * back through {@code spills}.
     */
    List<Complete> add(ArrayBlock b, long touch, SpillReader spills) throws IOException {
        long[] offset = b.isAppend() ? appendOffset(b.shape()[0]) : b.offset();
        long[] shape = b.shape();
        for (int d = 0; d < shape.length; d++) extent[d] = Math.max(extent[d], offset[d] + shape[d]);
        List<Complete> done = new ArrayList<>();
        ByteBuffer src = ByteBuffer.wrap(b.data());
        IOException[] failure = new IOException[1];
        ChunkGrid.forEachOverlap(offset, shape, chunk, (origin, lo, box) -> {
            if (failure[0] != null) return;
            try {
                OpenChunk c = openChunk(origin, spills, Arrays.equals(box, chunk));
                long[] srcOrigin = new long[lo.length];
                long[] dstOrigin = new long[lo.length];
                long count = 1;
                for (int d = 0; d < lo.length; d++) {
                    srcOrigin[d] = lo[d] - offset[d];
                    dstOrigin[d] = lo[d] - origin[d];
                    count *= box[d];
                }
                BoxCopy.copy(src, shape, srcOrigin, c.bytes(), chunk, dstOrigin, box, elementSize);
                c.cover(count, touch);
                if (c.complete()) {
                    open.remove(key(origin));
                    done.add(new Complete(this, origin, c.bytes()));
                }
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) throw failure[0];
        return done;
    }

    private long[] appendOffset(long rows) {
        long[] offset = new long[chunk.length];
        offset[0] = cursor;
        cursor += rows;
        return offset;
    }

    /** The open chunk at {@code origin}; {@code whole} when the block being added covers all of it. */
    private OpenChunk openChunk(long[] origin, SpillReader spills, boolean whole) throws IOException {
        List<Long> k = key(origin);
        OpenChunk c = open.get(k);
        if (c == null) {
            byte[] raw = inStoredShape(origin) ? stored.read(this, origin) : null;
            long present = raw == null ? 0 : presentIn(origin);
            // A chunk the block covers whole needs no fill value first: every byte is overwritten.
            if (raw == null) raw = whole ? buffers.blank(chunkBytes) : fillChunkCopy();
            c = new OpenChunk(origin, needed(origin), present, raw, null);
            open.put(k, c);
        } else if (!c.inMemory()) {
            c.readBack(spills.read(c.spilled()));
        }
        return c;
    }

    /** The larger of two stored shapes on every axis (null: nothing stored). */
    private static long[] larger(long[] a, long[] b) {
        if (a == null || b == null) return a == null ? b : a;
        long[] max = a.clone();
        for (int d = 0; d < max.length; d++) max[d] = Math.max(max[d], b[d]);
        return max;
    }

    private boolean inStoredShape(long[] origin) {
        if (storedShape == null) return false;
        for (int d = 0; d < origin.length; d++) if (origin[d] >= storedShape[d]) return false;
        return true;
    }

    /** Elements of a stored chunk that lie inside the stored shape: data already there. */
    private long presentIn(long[] origin) {
        long n = 1;
        for (int d = 0; d < chunk.length; d++) n *= Math.min(chunk[d], storedShape[d] - origin[d]);
        return n;
    }

    /** Elements of the chunk at {@code origin} that lie inside the dataset's bounds. */
    private long needed(long[] origin) {
        long[] max = spec.maxShape();
        long n = 1;
        for (int d = 0; d < chunk.length; d++) {
            long bound = append ? (d == 0 ? DatasetSpec.UNLIMITED : extent[d]) : max[d];
            n *= bound == DatasetSpec.UNLIMITED ? chunk[d] : Math.min(chunk[d], bound - origin[d]);
        }
        return n;
    }

    private static List<Long> key(long[] origin) {
        List<Long> k = new ArrayList<>(origin.length);
        for (long o : origin) k.add(o);
        return k;
    }

    /**
     * At end of input: every open chunk is complete as it is (the fill value elsewhere). The
     * chunks are then stored, so for an appended dataset the stored shape grows to the rows
     * appended: a job restored from the checkpoint taken now (a savepoint taken with
     * {@code --drain}, which ends the input) completes the last chunk from what the file holds,
     * not from the fill value, which would overwrite its rows. (Rows below the cursor are exactly
     * the rows present. For datasets at explicit offsets the elements present in a chunk are not
     * a shape, so they are not recorded: see RELIABILITY.md, "Known defects".)
     */
    List<Complete> completeAll(SpillReader spills) throws IOException {
        List<Complete> done = new ArrayList<>();
        for (OpenChunk c : open.values()) {
            done.add(new Complete(this, c.origin(), c.inMemory() ? c.bytes() : spills.read(c.spilled())));
        }
        open.clear();
        if (append) storedShape = larger(storedShape, visibleShape(true));
        return done;
    }

    /**
     * The shape readers may see: for appends, the rows whose chunks are all complete (every row
     * at end of input); for explicit offsets, the declared shape grown to every block received
     * (elements of chunks still open read as the fill value until they complete).
     */
    private long[] visibleShape(boolean endOfInput) {
        long[] shape = extent.clone();
        if (append) shape[0] = endOfInput ? cursor : cursor - cursor % chunk[0];
        return shape;
    }

    Collection<OpenChunk> openChunks() { return open.values(); }
    int openChunkCount() { return open.size(); }

    /** Reads back spilled chunk bytes. */
    interface SpillReader {
        byte[] read(OpenChunk.SpillRef ref) throws IOException;
    }
}
