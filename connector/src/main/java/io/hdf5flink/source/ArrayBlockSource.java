package io.hdf5flink.source;

import io.hdf5flink.source.format.RawFormat;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import io.hdf5flink.source.enumerate.ArraySplitEnumerator;
import io.hdf5flink.source.enumerate.SplitPlanner;
import io.hdf5flink.source.reader.ArraySourceReader;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.ArraySplitSerializer;
import io.hdf5flink.source.split.PendingSplits;
import io.hdf5flink.source.split.PendingSplitsSerializer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded source of {@link ArrayBlock}s read from numeric arrays in files, each block at an
 * explicit offset of one output dataset. Everything is checked when the source is built, on the
 * client: a source that builds has inputs whose headers and lengths agree. The source carries the
 * planned splits; readers pull them from the enumerator one at a time, and both checkpoint their
 * progress in rows, so a restored job emits every row again only from its last checkpoint on.
 *
 * <p>Blocks are a whole number of chunk row-bands ({@code chunkRows} output rows) and start on a
 * multiple of {@code chunkRows}, except where an input array starts or ends, so a sink writing
 * chunks of {@code chunkRows} rows gets chunk-aligned blocks without a shuffle. Every TaskManager
 * must see the input files at the same paths.
 *
 * <p>Built by {@link ArraySource} and {@link MultiFileArraySource}.
 */
@PublicEvolving
public abstract class ArrayBlockSource
        implements Source<ArrayBlock, ArraySplit, PendingSplits>, ResultTypeQueryable<ArrayBlock> {
    private static final long serialVersionUID = 1L;

    private final String dataset;
    private final DataType type;
    private final long[] shape;
    private final long chunkRows;
    private final long blockRows;
    private final boolean recycleBlockArrays;
    private final List<ArraySplit> splits;
    /** The files read, in the order their arrays are placed (an archive once). */
    private final List<String> files;

    ArrayBlockSource(Builder<?> settings, DataType type, long[] shape, List<Placement> placements) {
        this.dataset = settings.requireDataset();
        this.type = type;
        this.shape = shape.clone();
        this.chunkRows = settings.chunkRows;
        this.recycleBlockArrays = settings.recycleBlockArrays;
        // Builders place every input with the same row shape.
        long rowBytes = rowBytes(type, placements.get(0).rowShape());
        this.blockRows = settings.blockBytes == 0 ? SplitPlanner.defaultBlockRows(chunkRows, rowBytes)
                : SplitPlanner.blockRows(chunkRows, settings.blockBytes, rowBytes);
        SplitPlanner planner =
                new SplitPlanner(dataset, SplitPlanner.splitRows(blockRows, settings.splitBytes, rowBytes));
        for (Placement p : placements) planner.add(p.input(), p.rows(), p.offset(), p.rowShape());
        this.files = placements.stream().map(p -> p.input().location().path()).distinct().toList();
        this.splits = planner.splits();
    }

    private static long rowBytes(DataType type, long[] rowShape) {
        long bytes = type.size();
        for (long extent : rowShape) bytes = Math.multiplyExact(bytes, extent);
        return bytes;
    }

    /** The output dataset every block goes to. */
    public String getDataset() {
        return dataset;
    }

    /** The element type of every block. */
    public DataType getDataType() {
        return type;
    }

    /** The shape of the whole output array the blocks tile: what the sink's dataset must hold. */
    public long[] getShape() {
        return shape.clone();
    }

    /** The output chunk rows blocks are aligned to. */
    public long getChunkRows() {
        return chunkRows;
    }

    /** The rows per block (a whole number of chunk row-bands); blocks at inputs' ends are shorter. */
    public long getBlockRows() {
        return blockRows;
    }

    /**
     * The files this source reads (absolute paths, an archive once), in the order their arrays
     * are placed: what a client names as the input, e.g. to recognise an input appended before.
     */
    public List<Path> getInputFiles() {
        return files.stream().map(Path::of).toList();
    }

    /** The splits the source starts with, in the order they are handed out. */
    public List<ArraySplit> getSplits() {
        return splits;
    }

    /**
     * Whether a sink with chunks of {@code chunkShape}, this source's rows going after
     * {@code baseRow} existing rows, gets every chunk from one split, each starting on a chunk
     * boundary: then it needs no shuffle ({@code Hdf5Sink.Builder.chunkAlignedInput}).
     */
    public boolean isChunkAligned(long[] chunkShape, long baseRow) {
        if (chunkShape.length != shape.length) {
            throw new IllegalArgumentException("chunks " + Arrays.toString(chunkShape) + " for a source of rank " + shape.length);
        }
        if (baseRow % chunkShape[0] != 0) return false;
        for (ArraySplit s : splits) {
            if (!s.isChunkAligned(chunkShape, shape)) return false;
        }
        return true;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<ArrayBlock, ArraySplit> createReader(SourceReaderContext context) {
        return new ArraySourceReader(context, blockRows, recycleBlockArrays);
    }

    @Override
    public SplitEnumerator<ArraySplit, PendingSplits> createEnumerator(SplitEnumeratorContext<ArraySplit> context) {
        return new ArraySplitEnumerator(context, splits);
    }

    @Override
    public SplitEnumerator<ArraySplit, PendingSplits> restoreEnumerator(SplitEnumeratorContext<ArraySplit> context,
            PendingSplits checkpoint) {
        return new ArraySplitEnumerator(context, checkpoint.splits());
    }

    @Override
    public SimpleVersionedSerializer<ArraySplit> getSplitSerializer() {
        return ArraySplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<PendingSplits> getEnumeratorCheckpointSerializer() {
        return PendingSplitsSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<ArrayBlock> getProducedType() {
        return ArrayBlockTypeInfo.INSTANCE;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{" + dataset + " " + type + " " + Arrays.toString(shape) + ", "
                + splits.size() + " splits, " + blockRows + " rows per block}";
    }

    /**
     * The settings every array source shares.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    @PublicEvolving
    public abstract static class Builder<B extends Builder<B>> {
        /**
         * The default bound on a block's size, raised to one chunk row-band when a band is larger
         * (a detector frame chunked one frame per chunk may be bigger).
         */
        public static final long DEFAULT_BLOCK_BYTES = SplitPlanner.DEFAULT_BLOCK_BYTES;
        /** The default bound on a memory-mapped split's size. */
        public static final long DEFAULT_SPLIT_BYTES = 64 << 20;

        private String dataset;
        /** How raw (headerless) inputs are laid out; null for .npy inputs, which state their own. */
        RawFormat raw;
        private long chunkRows = 1;
        /** 0: the default, {@value #DEFAULT_BLOCK_BYTES} or one chunk row-band if larger. */
        private long blockBytes;
        private long splitBytes = DEFAULT_SPLIT_BYTES;
        private boolean recycleBlockArrays;

        Builder() {}

        /** The output dataset's absolute HDF5 path, e.g. {@code "/data"}. Required. */
        public B dataset(String path) {
            this.dataset = Objects.requireNonNull(path, "dataset");
            return self();
        }

        /**
         * The target dataset's chunk extent along axis 0: blocks and splits hold whole chunk
         * row-bands. Default 1 (no alignment).
         */
        public B chunkRows(long rows) {
            if (rows < 1) throw new IllegalArgumentException("chunkRows must be positive, not " + rows);
            this.chunkRows = rows;
            return self();
        }

        /**
         * The most bytes of data a block holds; it must hold at least one chunk row-band. By
         * default {@value #DEFAULT_BLOCK_BYTES}, or one chunk row-band when that is larger (up to
         * 2 GiB, the most one block holds).
         */
        public B blockBytes(long bytes) {
            // A block's data is one Java array.
            if (bytes < 1 || bytes > SplitPlanner.MAX_BLOCK_BYTES) {
                throw new IllegalArgumentException("blockBytes must be 1 to " + SplitPlanner.MAX_BLOCK_BYTES + ", not " + bytes);
            }
            this.blockBytes = bytes;
            return self();
        }

        /**
         * Whether blocks take their arrays from {@link io.hdf5flink.record.BlockArrays}, where an
         * {@code Hdf5Sink} writer in the same JVM gives each back once it has copied the block into
         * its chunks, instead of a new array per block (default false). Saves zeroing and
         * faulting in a fresh array for every block read. Only for a source whose blocks go
         * straight to the sink, chained (same parallelism, no shuffle), through operators that
         * keep no block: a kept block's data would change under it. {@code convert} turns it on.
         */
        public B recycleBlockArrays(boolean recycle) {
            this.recycleBlockArrays = recycle;
            return self();
        }

        /**
         * The most bytes a split of a memory-mapped input covers (default
         * {@value #DEFAULT_SPLIT_BYTES}), rounded down to whole blocks, at least one. Readers pull
         * splits, so more splits than readers balance the load. Compressed inputs are one split
         * each.
         */
        public B splitBytes(long bytes) {
            if (bytes < 1) throw new IllegalArgumentException("splitBytes must be positive, not " + bytes);
            this.splitBytes = bytes;
            return self();
        }

        /**
         * A raw input's shape in C order, the first extent {@code -1} for as many rows as the file
         * holds, e.g. {@code shape(-1, 64)}. Raw inputs only.
         */
        public B shape(long... shape) {
            this.raw = requireRaw("shape").withShape(shape);
            return self();
        }

        /** Bytes to skip at a raw input's start before its first element. Raw inputs only. */
        public B headerBytes(long bytes) {
            this.raw = requireRaw("headerBytes").withHeaderBytes(bytes);
            return self();
        }

        private RawFormat requireRaw(String setting) {
            if (raw == null) {
                throw new IllegalStateException(setting + " is for raw inputs (give their dtype and byte order first);"
                        + " a .npy file states its own");
            }
            return raw;
        }

        /** Checks the settings that need no input, so mistakes fail before inputs are read. */
        String requireDataset() {
            if (dataset == null) throw new IllegalStateException("no output dataset: call dataset(\"/path\")");
            return dataset;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }
    }
}
