package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A local heap (specification III.D): the 32-byte "HEAP" header that points to a data segment
 * holding a group's link names as NUL-terminated strings, each padded to 8 bytes, with the empty
 * string at offset 0. This engine never leaves free blocks in a segment (free list head =
 * libhdf5's end-of-list value 1); adding a name writes a whole new segment elsewhere and then
 * repoints the header in one write, so names already referenced never move.
 */
public record LocalHeap(long dataSegmentSize, long freeListHead, long dataSegmentAddress) {
    public static final int HEADER_SIZE = 32;
    /** libhdf5's H5HL_FREE_NULL: the free list is empty. */
    public static final long FREE_LIST_EMPTY = 1;
    private static final byte[] SIGNATURE = {'H', 'E', 'A', 'P'};

    public byte[] encodeHeader() {
        ByteBuffer b = Bytes.allocate(HEADER_SIZE);
        b.put(SIGNATURE);
        b.put((byte) 0);
        b.put((byte) 0).put((byte) 0).put((byte) 0);
        b.putLong(dataSegmentSize);
        b.putLong(freeListHead);
        b.putLong(dataSegmentAddress);
        return b.array();
    }

    public static LocalHeap read(BlockReader r, long address, String group) throws IOException {
        ByteBuffer b = r.read(address, HEADER_SIZE, "local heap of " + group);
        for (byte s : SIGNATURE) {
            if (b.get() != s) throw new Hdf5FormatException(group + ": no local heap signature at " + address);
        }
        int version = Bytes.u8(b);
        if (version != 0) throw new Hdf5FormatException(group + ": local heap version " + version + " at " + address);
        b.position(8);
        return new LocalHeap(b.getLong(), b.getLong(), b.getLong());
    }

    /** Reads the data segment. */
    public byte[] readData(BlockReader r, String group) throws IOException {
        if (dataSegmentSize < 0) {
            throw new Hdf5FormatException(group + ": local heap data segment of " + Long.toUnsignedString(dataSegmentSize)
                    + " bytes is corrupt");
        }
        if (dataSegmentSize > 64L << 20) {
            throw new UnsupportedFormatException(group + ": local heap of " + dataSegmentSize + " bytes exceeds 64 MiB");
        }
        ByteBuffer b = r.read(dataSegmentAddress, (int) dataSegmentSize, "local heap data of " + group);
        byte[] out = new byte[(int) dataSegmentSize];
        b.get(out);
        return out;
    }

    /** The name stored at {@code offset} in a data segment. */
    public static String nameAt(byte[] data, long offset, String group) {
        if (offset < 0 || offset >= data.length) {
            throw new Hdf5FormatException(group + ": link name offset " + offset + " is outside its local heap of "
                    + data.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        b.position((int) offset);
        return Bytes.cString(b, data.length - (int) offset, "link name in " + group);
    }
}
