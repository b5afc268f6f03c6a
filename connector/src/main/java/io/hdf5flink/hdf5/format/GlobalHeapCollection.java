package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A global heap collection (specification III.E): signature {@code GCOL}, version 1, its size
 * (at least 4 KiB), then its objects, numbered from 1, each with a 16-byte header and its data
 * padded to 8 bytes, then object 0 holding the free space (its size field counting its own
 * header). Written whole, once: the engine never edits a collection in place.
 */
public final class GlobalHeapCollection {
    static final int MIN_SIZE = 4096;
    private static final int HEADER = 16;
    private static final int OBJECT_HEADER = 16;

    private GlobalHeapCollection() {}

    /** A collection holding {@code objects} as objects 1, 2, ... */
    public static byte[] encode(List<byte[]> objects) {
        long used = HEADER;
        for (byte[] o : objects) used += OBJECT_HEADER + Bytes.pad8(o.length);
        if (objects.size() > 0xffff) throw new IllegalArgumentException("a global heap collection holds at most 65535 objects");
        long size = Math.max(MIN_SIZE, used + OBJECT_HEADER);
        size = (size + 7) & ~7L;
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("a global heap collection of " + size + " bytes is too large");
        ByteBuffer b = Bytes.allocate((int) size);
        b.put("GCOL".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put((byte) 1);
        b.put(new byte[3]);
        b.putLong(size);
        int index = 1;
        for (byte[] o : objects) {
            b.putShort((short) index++);
            b.putShort((short) 0); // reference count
            b.putInt(0); // reserved
            b.putLong(o.length);
            b.put(o);
            b.position(b.position() + Bytes.pad8(o.length) - o.length);
        }
        long free = size - used;
        if (free >= OBJECT_HEADER) {
            b.putShort((short) 0);
            b.putShort((short) 0);
            b.putInt(0);
            b.putLong(free);
        }
        return b.array();
    }
}
