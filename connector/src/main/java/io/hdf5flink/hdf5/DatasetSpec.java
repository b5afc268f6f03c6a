package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.KnownFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a new chunked dataset looks like: element type, current and maximum shape (axes of
 * {@link #UNLIMITED} size can grow), chunk shape, filters, fill value and attributes. Filters
 * are stored in h5py's order whatever order they are asked for: shuffle, then the compressor,
 * then fletcher32.
 *
 * <pre>{@code
 * DatasetSpec spec = DatasetSpec.builder(DataType.INT16, 0, 64)
 *         .maxShape(DatasetSpec.UNLIMITED, 64)
 *         .chunks(16384, 64)
 *         .shuffle().deflate(4)
 *         .attribute("unit", AttributeValue.of("uV"))
 *         .build();
 * }</pre>
 */
public final class DatasetSpec {
    /** A maximum dimension without limit. */
    public static final long UNLIMITED = -1L;
    /** The largest rank accepted. */
    public static final int MAX_RANK = 8;
    /** The largest chunk accepted, in bytes: a chunk is assembled in one Java array. */
    public static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 8;

    private final DataType type;
    private final long[] shape;
    private final long[] maxShape;
    private final long[] chunks;
    private final List<FilterDescription> filters;
    private final byte[] fillValue;
    private final Map<String, AttributeValue> attributes;
    private final int commitTokenCapacity;

    private DatasetSpec(Builder b) {
        this.type = b.type;
        this.shape = b.shape;
        this.maxShape = b.maxShape == null ? b.shape.clone() : b.maxShape;
        this.chunks = b.chunks;
        this.filters = b.filters();
        this.fillValue = b.fillBytes != null ? b.fillBytes
                : b.fillValue == null ? new byte[type.size()] : AttributeValue.encode(type, b.fillValue);
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
        this.commitTokenCapacity = b.commitTokenCapacity;
        validate();
    }

    /** A builder holding everything this spec holds, to derive a variant. */
    public Builder toBuilder() {
        Builder b = builder(type, shape).maxShape(maxShape).chunks(chunks).filters(filters).fillBytes(fillValue)
                .commitTokenCapacity(commitTokenCapacity);
        attributes.forEach(b::attribute);
        return b;
    }

    /** Starts a spec for a dataset of {@code type} with current shape {@code shape}. */
    public static Builder builder(DataType type, long... shape) {
        return new Builder(type, shape);
    }

    private void validate() {
        int rank = shape.length;
        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("rank " + rank + " is not supported (1 to " + MAX_RANK + ")");
        }
        if (maxShape.length != rank) {
            throw new IllegalArgumentException("maxShape has rank " + maxShape.length + ", shape has rank " + rank);
        }
        if (chunks == null) throw new IllegalArgumentException("a chunk shape is required");
        if (chunks.length != rank) {
            throw new IllegalArgumentException("chunk shape " + Arrays.toString(chunks) + " has rank " + chunks.length
                    + ", the dataset has rank " + rank);
        }
        long bytes = type.size();
        for (int i = 0; i < rank; i++) {
            if (shape[i] < 0) throw new IllegalArgumentException("shape[" + i + "] = " + shape[i] + " is negative");
            if (maxShape[i] != UNLIMITED && maxShape[i] < shape[i]) {
                throw new IllegalArgumentException("shape[" + i + "] = " + shape[i] + " exceeds maxShape[" + i + "] = " + maxShape[i]);
            }
            if (chunks[i] < 1 || chunks[i] > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("chunk dimension " + i + " = " + chunks[i] + " is out of range (1 to 2^32-1)");
            }
            if (maxShape[i] != UNLIMITED && chunks[i] > maxShape[i] && maxShape[i] > 0) {
                throw new IllegalArgumentException("chunk dimension " + i + " = " + chunks[i]
                        + " exceeds the fixed maximum dimension " + maxShape[i] + " (libhdf5 refuses such datasets)");
            }
            bytes = Math.multiplyExact(bytes, chunks[i]);
        }
        if (bytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("a chunk of " + Arrays.toString(chunks) + " " + type + " is " + bytes
                    + " bytes; chunks are limited to 2 GiB here (HDF5's own limit is 4 GiB)");
        }
    }

    public DataType type() { return type; }
    public long[] shape() { return shape.clone(); }
    public long[] maxShape() { return maxShape.clone(); }
    public long[] chunks() { return chunks.clone(); }
    public List<FilterDescription> filters() { return filters; }
    public byte[] fillValue() { return fillValue.clone(); }
    public Map<String, AttributeValue> attributes() { return attributes; }
    /** Bytes reserved for the commit token (0: the dataset records no token). */
    public int commitTokenCapacity() { return commitTokenCapacity; }

    /**
     * Whether chunks encoded for this spec can be stored in a dataset of {@code other}: the same
     * element type, chunk shape and filters. What an appending writer checks against the file.
     */
    public boolean hasChunkLayoutOf(DatasetSpec other) {
        return type == other.type && Arrays.equals(chunks, other.chunks) && KnownFilter.sameFilters(filters, other.filters);
    }

    /** The element type, chunk shape and filters, as an error about two layouts names them. */
    public String describeChunkLayout() {
        return type + " chunks " + Arrays.toString(chunks) + " filters " + filters;
    }

    /** Bytes of one uncompressed chunk. */
    public int chunkBytes() {
        long b = type.size();
        for (long c : chunks) b *= c;
        return (int) b;
    }

    /** A chunk's worth ({@link #chunkBytes}) of the fill value: a chunk before any element is written. */
    public byte[] filledChunk() {
        byte[] chunk = new byte[chunkBytes()];
        StoredChunks.fill(chunk, fillValue);
        return chunk;
    }

    /** Builds a {@link DatasetSpec}; every method returns the builder. */
    public static final class Builder {
        private final DataType type;
        private long[] shape;
        private long[] maxShape;
        private long[] chunks;
        private boolean shuffle;
        /** The compressor; its entry is made once the chunk size it may record is known. */
        private KnownFilter compressor;
        private int compressorLevel;
        private String compressorOptions;
        private boolean fletcher32;
        private Number fillValue;
        private byte[] fillBytes;
        /** Filters given as a whole pipeline (from a stored spec or an existing dataset). */
        private List<FilterDescription> explicitFilters;
        private final Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        private int commitTokenCapacity;

        private Builder(DataType type, long[] shape) {
            this.type = type;
            this.shape = shape.clone();
        }

        /** The current shape, as {@link DatasetSpec#builder} took it. */
        public Builder shape(long... shape) { this.shape = shape.clone(); return this; }

        /** Maximum shape; {@link #UNLIMITED} for axes that can grow. Defaults to the shape. */
        public Builder maxShape(long... maxShape) { this.maxShape = maxShape.clone(); return this; }

        public Builder chunks(long... chunks) { this.chunks = chunks.clone(); return this; }

        /**
         * Byte shuffle before compression (h5py {@code shuffle=True}). Kept for 1-byte types too,
         * where it changes nothing, as h5py keeps it: the file shows what was asked.
         */
        public Builder shuffle() { this.shuffle = true; return this; }

        /** gzip (deflate) at level 1 to 9. */
        public Builder deflate(int level) { return compressor(KnownFilter.DEFLATE, level); }

        /** LZF, h5py's fast compressor (filter 32000). */
        public Builder lzf() { return compressor(KnownFilter.LZF, 0); }

        /** LZ4 (filter 32004) with the plugin's default block size. */
        public Builder lz4() { return compressor(KnownFilter.LZ4, 0); }

        /** bzip2 (filter 307) with block size 1 to 9 (x 100 kB). */
        public Builder bzip2(int blockSize) { return compressor(KnownFilter.BZIP2, blockSize); }

        /** Zstandard (filter 32015) at level 1 to 22. */
        public Builder zstd(int level) { return compressor(KnownFilter.ZSTD, level); }

        /**
         * bitshuffle (filter 32008) with LZ4 inside, what DECTRIS detectors and areaDetector's
         * {@code BSLZ4} write; it shuffles bits itself, so it needs no {@link #shuffle()}.
         */
        public Builder bitshuffleLz4() { return compressor(KnownFilter.BITSHUFFLE, 0, "lz4"); }

        /** bitshuffle (filter 32008) with zstd inside at level 1 to 22. */
        public Builder bitshuffleZstd(int level) { return compressor(KnownFilter.BITSHUFFLE, level, "zstd"); }

        /**
         * Blosc (filter 32001) with its compressor ({@code lz4}, {@code zstd}, {@code zlib} or
         * {@code snappy}) at level 0 to 9 and its own shuffle ({@code shuffle}, {@code bitshuffle}
         * or {@code noshuffle}); hdf5plugin's default is {@code blosc("lz4", 5, "shuffle")}.
         */
        public Builder blosc(String compressor, int level, String shuffle) {
            return compressor(KnownFilter.BLOSC, level, compressor + ":" + shuffle);
        }

        /**
         * Any compressor of the registry at {@code level} (ignored by those without levels), with
         * its default options: the methods above name the common ones, this one takes a codec
         * chosen at run time.
         *
         * @throws IllegalArgumentException when the level is out of the codec's range, the filter
         *     is not a compressor or a compressor is already chosen
         */
        public Builder compressor(KnownFilter codec, int level) {
            return compressor(codec, level, "");
        }

        /**
         * Any compressor of the registry at {@code level}, with the options users add to its
         * name ({@link KnownFilter#requireOptions}: {@code "zstd"} for bitshuffle, {@code
         * "lz4:bitshuffle"} for Blosc; {@code ""} for the defaults and for other codecs).
         *
         * @throws IllegalArgumentException when the level or an option is out of the codec's
         *     range, the filter is not a compressor or a compressor is already chosen
         */
        public Builder compressor(KnownFilter codec, int level, String options) {
            String canonical = codec.requireOptions(options); // validates the options and level now
            if (codec.takesLevel(canonical)) codec.requireLevel(level);
            if (!codec.isCompressor()) throw new IllegalArgumentException(codec.filterName() + " is not a compressor");
            if (compressor != null) {
                throw new IllegalArgumentException("only one compressor per dataset: " + compressor.filterName() + " and "
                        + codec.filterName());
            }
            this.compressor = codec;
            this.compressorLevel = level;
            this.compressorOptions = canonical;
            return this;
        }

        /** Fletcher-32 checksum of each stored chunk. */
        public Builder fletcher32() { this.fletcher32 = true; return this; }

        /**
         * The whole filter pipeline as stored (replaces shuffle/compressor/fletcher32 choices),
         * e.g. copied from an existing dataset.
         */
        public Builder filters(List<FilterDescription> filters) {
            this.explicitFilters = List.copyOf(filters);
            return this;
        }

        /** The fill value as one little-endian element of the dataset's type. */
        public Builder fillBytes(byte[] element) {
            if (element.length != type.size()) {
                throw new IllegalArgumentException("a fill value of " + type + " has " + type.size() + " bytes, got " + element.length);
            }
            this.fillBytes = element.clone();
            return this;
        }

        /**
         * The value unwritten elements read as (default 0), rounded to the type: 0 or 1 for bool,
         * the real part for a complex type (its imaginary part is 0; {@link #fillBytes} sets both).
         */
        public Builder fillValue(Number value) { this.fillValue = value; return this; }

        public Builder attribute(String name, AttributeValue value) {
            attributes.put(Hdf5Paths.checkName(name, "attribute name"), value);
            return this;
        }

        /**
         * Reserves room for a commit token of up to {@code bytes} bytes, stored beside the
         * dimensions so that a commit publishes data and token in a single write.
         */
        public Builder commitTokenCapacity(int bytes) {
            if (bytes < 0 || bytes > 1024) throw new IllegalArgumentException("commit token capacity " + bytes + " (0 to 1024)");
            this.commitTokenCapacity = bytes;
            return this;
        }

        private List<FilterDescription> filters() {
            if (explicitFilters != null) return explicitFilters;
            List<FilterDescription> f = new ArrayList<>();
            if (shuffle) f.add(FilterDescription.shuffle(type.size()));
            if (compressor != null) f.add(compressor.newEntry(compressorLevel, compressorOptions, type.size(), chunkBytesOrZero()));
            if (fletcher32) f.add(FilterDescription.fletcher32());
            return List.copyOf(f);
        }

        /** The chunk's byte size for filters that record it; validation reports bad shapes later. */
        private int chunkBytesOrZero() {
            if (chunks == null) return 1;
            long bytes = type.size();
            for (long c : chunks) bytes *= Math.max(1, c);
            return (int) Math.max(1, Math.min(bytes, Integer.MAX_VALUE));
        }

        public DatasetSpec build() { return new DatasetSpec(this); }
    }
}
