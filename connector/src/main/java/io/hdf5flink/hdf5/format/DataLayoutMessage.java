package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The data layout message, type 0x0008 (specification IV.A.2.i), chunked class: the chunk
 * dimensions, the last one being the element size in bytes, and how the chunks are indexed.
 *
 * <p>Version 3 (h5py's default format, libhdf5 1.8's newest) indexes them with a version 1
 * B-tree whose address is rewritten in place when a commit publishes a new index root; {@link
 * #BTREE_ADDRESS_OFFSET} says where it is within the body. Version 4 ({@code libver='latest'}
 * since libhdf5 1.10) names one of five indexes (single chunk, implicit, fixed array, extensible
 * array, version 2 B-tree); it is read for its chunk dimensions, its index and where the index
 * address lies ({@link #addressOffset}). The engine keeps an extensible array or a version 2
 * B-tree, publishing its header's address there when it creates one, and re-indexes a dataset
 * with a fixed array or single chunk by a version 1 B-tree when it first changes it: what this
 * record encodes is always version 3.
 *
 * @param indexAddress the version 1 B-tree's root (version 3), or the address the version 4
 *     message gives its index (the extensible array's or B-tree's header, the single chunk, ...)
 * @param version4IndexType the index a version 4 message names ({@link #EXTENSIBLE_ARRAY}, ...),
 *     0 for version 3
 * @param version4Parameters the parameters of that index as the message stores them (an
 *     extensible array's: maximum bits, index block elements, data block pointers of a secondary
 *     block, data block elements, page bits); empty for version 3
 * @param addressOffset where the index address lies within the message's body
 */
public record DataLayoutMessage(long indexAddress, long[] chunkDims, int elementSize, int version4IndexType, byte[] version4Parameters,
        int addressOffset) implements HeaderMessage {
    public static final int TYPE = 0x0008;
    /** Offset of the B-tree address within the version 3 chunked body. */
    public static final int BTREE_ADDRESS_OFFSET = 3;
    /** Version 4's flag: partial edge chunks are stored without filters (a version 1 B-tree index cannot say so). */
    private static final int DONT_FILTER_PARTIAL_BOUND_CHUNKS = 0x01;
    /** Version 4's flag: the single chunk is filtered (its size and filter mask follow). */
    private static final int SINGLE_INDEX_WITH_FILTER = 0x02;

    public static final int SINGLE_CHUNK = 1;
    public static final int IMPLICIT = 2;
    public static final int FIXED_ARRAY = 3;
    public static final int EXTENSIBLE_ARRAY = 4;
    public static final int VERSION_2_BTREE = 5;

    /** A version 3 chunked layout. */
    public DataLayoutMessage(long bTreeAddress, long[] chunkDims, int elementSize) {
        this(bTreeAddress, chunkDims, elementSize, 0, new byte[0], BTREE_ADDRESS_OFFSET);
    }

    /** The index a version 4 message names, in words ("an extensible array index"); null for version 3. */
    public String version4Index() {
        return switch (version4IndexType) {
            case 0 -> null;
            case SINGLE_CHUNK -> "a single-chunk index";
            case IMPLICIT -> "an implicit index";
            case FIXED_ARRAY -> "a fixed array index";
            case EXTENSIBLE_ARRAY -> "an extensible array index";
            default -> "a version 2 B-tree index";
        };
    }

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        int rank = chunkDims.length;
        ByteBuffer b = Bytes.allocate(3 + 8 + 4 * (rank + 1));
        b.put((byte) 3);
        b.put((byte) 2); // chunked
        b.put((byte) (rank + 1));
        b.putLong(indexAddress);
        for (long d : chunkDims) b.putInt((int) d);
        b.putInt(elementSize);
        return b.array();
    }

    /**
     * Decodes a layout message, refusing every layout but version-3 chunked (contiguous and
     * compact datasets cannot grow; version 4 chunk indexes come from libver='latest').
     */
    public static DataLayoutMessage decode(ByteBuffer b, String dataset) {
        Bytes.require(b, 2, "data layout message");
        int version = Bytes.u8(b);
        if (version == 4) return decodeVersion4(b, dataset);
        if (version != 3) {
            throw new UnsupportedFormatException(dataset + ": data layout message version " + version
                    + " is not supported (only version 3, as h5py writes by default)");
        }
        int layoutClass = Bytes.u8(b);
        if (layoutClass != 2) {
            String name = layoutClass == 0 ? "compact" : layoutClass == 1 ? "contiguous" : "class " + layoutClass;
            throw new UnsupportedFormatException(dataset + ": " + name
                    + " datasets cannot be appended to; only chunked datasets can grow");
        }
        int dimensionality = Bytes.u8(b);
        if (dimensionality < 2 || dimensionality > 33) {
            throw new Hdf5FormatException(dataset + ": layout dimensionality " + dimensionality + " is out of range");
        }
        Bytes.require(b, 8 + 4 * dimensionality, "data layout message");
        long address = b.getLong();
        long[] dims = new long[dimensionality - 1];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Bytes.u32(b);
            if (dims[i] == 0) throw new Hdf5FormatException(dataset + ": chunk dimension " + i + " is 0");
        }
        int elementSize = b.getInt();
        return new DataLayoutMessage(address, dims, elementSize);
    }

    /**
     * A version 4 layout: class, flags, the dimensionality, the byte width of each dimension, the
     * dimensions (the last the element size), then the index type and its parameters (not kept:
     * the engine replaces the index). Refuses what a version 1 B-tree cannot index.
     */
    private static DataLayoutMessage decodeVersion4(ByteBuffer b, String dataset) {
        int start = b.position() - 1; // the version byte
        Bytes.require(b, 1, "data layout message");
        int layoutClass = Bytes.u8(b);
        String kind = layoutClass == 0 ? "compact" : layoutClass == 1 ? "contiguous" : layoutClass == 3 ? "virtual" : null;
        if (kind != null) throw new UnsupportedFormatException(dataset + ": " + kind + " datasets cannot be appended to; only chunked datasets can grow");
        if (layoutClass != 2) throw new Hdf5FormatException(dataset + ": data layout class " + layoutClass + " is unknown");
        Bytes.require(b, 3, "data layout message");
        int flags = Bytes.u8(b);
        int dimensionality = Bytes.u8(b);
        int width = Bytes.u8(b);
        if (dimensionality < 2 || dimensionality > 33 || width < 1 || width > 8) {
            throw new Hdf5FormatException(dataset + ": layout dimensionality " + dimensionality + " with " + width + "-byte dimensions");
        }
        Bytes.require(b, dimensionality * width + 1, "data layout message");
        long[] dims = new long[dimensionality - 1];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = Bytes.unsigned(b, width);
            if (dims[i] <= 0 || dims[i] > 0xFFFFFFFFL) throw new Hdf5FormatException(dataset + ": chunk dimension " + i + " is " + dims[i]);
        }
        long elementSize = Bytes.unsigned(b, width);
        if (elementSize <= 0 || elementSize > Integer.MAX_VALUE) throw new Hdf5FormatException(dataset + ": element size " + elementSize);
        int indexType = Bytes.u8(b);
        int parameters = switch (indexType) {
            case SINGLE_CHUNK -> (flags & SINGLE_INDEX_WITH_FILTER) != 0 ? 8 + 4 : 0; // the filtered chunk's size and mask
            case IMPLICIT -> 0;
            case FIXED_ARRAY -> 1; // page bits
            case EXTENSIBLE_ARRAY -> 5; // bits, index block elements, data block pointers and elements, page bits
            case VERSION_2_BTREE -> 4 + 1 + 1; // node size, split and merge percents
            default -> throw new Hdf5FormatException(dataset + ": chunk index type " + indexType + " is unknown");
        };
        Bytes.require(b, parameters + 8, "data layout message");
        byte[] indexParameters = new byte[parameters];
        b.get(indexParameters);
        int addressOffset = b.position() - start;
        long address = b.getLong();
        if ((flags & DONT_FILTER_PARTIAL_BOUND_CHUNKS) != 0) {
            throw new UnsupportedFormatException(dataset + ": its partial edge chunks are stored unfiltered (data layout message"
                    + " version 4, flag 'do not filter partial bound chunks'), which this engine cannot index; it appends to"
                    + " datasets whose every chunk goes through the filters");
        }
        return new DataLayoutMessage(address, dims, (int) elementSize, indexType, indexParameters, addressOffset);
    }
}
