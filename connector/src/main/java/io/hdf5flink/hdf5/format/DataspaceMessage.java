package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;

/**
 * The dataspace message, type 0x0001 (specification IV.A.2.b), version 1: the current and
 * maximum dimensions. A maximum of {@link #UNLIMITED} marks an axis that can grow. The current
 * dimensions are rewritten in place when a commit publishes new data; {@link #dimsOffset()}
 * says where they are within the body.
 */
public record DataspaceMessage(long[] dims, long[] maxDims) implements HeaderMessage {
    public static final int TYPE = 0x0001;
    public static final long UNLIMITED = -1L;

    /** A scalar dataspace (rank 0). */
    public static DataspaceMessage scalar() {
        return new DataspaceMessage(new long[0], null);
    }

    @Override
    public int type() { return TYPE; }

    /** Offset of the first current dimension within the version 1 body. */
    public static int dimsOffset() { return 8; }

    @Override
    public byte[] encodeBody() {
        int rank = dims.length;
        ByteBuffer b = Bytes.allocate(8 + 8 * rank * (maxDims == null ? 1 : 2));
        b.put((byte) 1);
        b.put((byte) rank);
        b.put((byte) (maxDims == null ? 0 : 1));
        b.put((byte) 0);
        b.putInt(0);
        for (long d : dims) b.putLong(d);
        if (maxDims != null) for (long d : maxDims) b.putLong(d);
        return b.array();
    }

    public static DataspaceMessage decode(ByteBuffer b) {
        Bytes.require(b, 8, "dataspace message");
        int version = Bytes.u8(b);
        int rank = Bytes.u8(b);
        int flags = Bytes.u8(b);
        if (version == 1) {
            b.get();
            b.getInt();
        } else if (version == 2) {
            int type = Bytes.u8(b);
            if (type == 2) {
                return new DataspaceMessage(new long[0], new long[0]);
            }
        } else {
            throw new UnsupportedFormatException("dataspace message version " + version + " is not supported");
        }
        if (rank > 32) {
            throw new Hdf5FormatException("dataspace message has rank " + rank + " (at most 32)");
        }
        boolean hasMax = (flags & 1) != 0;
        Bytes.require(b, 8 * rank * (hasMax ? 2 : 1), "dataspace message dimensions");
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = b.getLong();
        long[] max = null;
        if (hasMax) {
            max = new long[rank];
            for (int i = 0; i < rank; i++) max[i] = b.getLong();
        }
        return new DataspaceMessage(dims, max);
    }

    /** The maximum dimensions, equal to the current ones when none are stored. */
    public long[] effectiveMaxDims() {
        return maxDims == null ? dims.clone() : maxDims.clone();
    }
}
