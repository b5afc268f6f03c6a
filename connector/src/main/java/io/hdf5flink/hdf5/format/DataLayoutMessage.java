package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The data layout message, type 0x0008 (specification IV.A.2.i), version 3, chunked class: the
 * address of the version 1 B-tree that indexes the chunks and the chunk dimensions, the last
 * one being the element size in bytes. The B-tree address is rewritten in place when a commit
 * publishes a new index root; {@link #BTREE_ADDRESS_OFFSET} says where it is within the body.
 */
public record DataLayoutMessage(long bTreeAddress, long[] chunkDims, int elementSize) implements HeaderMessage {
    public static final int TYPE = 0x0008;
    /** Offset of the B-tree address within the version 3 chunked body. */
    public static final int BTREE_ADDRESS_OFFSET = 3;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        int rank = chunkDims.length;
        ByteBuffer b = Bytes.allocate(3 + 8 + 4 * (rank + 1));
        b.put((byte) 3);
        b.put((byte) 2); // chunked
        b.put((byte) (rank + 1));
        b.putLong(bTreeAddress);
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
        if (version == 4) throw new UnsupportedFormatException(dataset + ": " + version4Refusal(b));
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
     * Why a version 4 layout (libver='latest' from libhdf5 1.10 on) is refused, naming its chunk
     * index: version 4 chunked layouts hold flags, the dimensions (in as many bytes as the "encoded
     * length" says), then the index type.
     */
    private static String version4Refusal(ByteBuffer b) {
        int layoutClass = b.remaining() >= 1 ? Bytes.u8(b) : -1;
        String kind = layoutClass == 0 ? "compact" : layoutClass == 1 ? "contiguous" : layoutClass == 3 ? "virtual" : null;
        if (kind != null) return kind + " datasets cannot be appended to; only chunked datasets can grow";
        String index = "an unknown chunk index";
        if (layoutClass == 2 && b.remaining() >= 3) {
            b.get(); // flags
            int dimensionality = Bytes.u8(b);
            int width = Bytes.u8(b);
            if (b.remaining() > (long) dimensionality * width) {
                b.position(b.position() + dimensionality * width);
                index = switch (Bytes.u8(b)) {
                    case 1 -> "a single-chunk index";
                    case 2 -> "an implicit index";
                    case 3 -> "a fixed array index";
                    case 4 -> "an extensible array index";
                    case 5 -> "a version 2 B-tree index";
                    default -> index;
                };
            }
        }
        return "its chunks are located by " + index + " (data layout message version 4, libver='latest' since libhdf5 1.10),"
                + " which this engine does not write yet; it appends to datasets indexed by a version 1 B-tree (layout version 3:"
                + " h5py's default format, libver='v108', and the engine's own files in either profile)";
    }
}
