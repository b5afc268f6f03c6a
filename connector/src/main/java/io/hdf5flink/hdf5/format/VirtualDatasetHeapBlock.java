package io.hdf5flink.hdf5.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The "Virtual Dataset Global Heap Block" (specification IV.A.2.i, layout class 3): the list of
 * a virtual dataset's mappings, stored as one global heap object that the data layout message
 * points to. Version 0: the number of entries (a length-sized field), then per entry the source
 * file name and source dataset name (null-terminated) and the source and virtual selections,
 * then a lookup3 checksum of everything before it.
 */
public final class VirtualDatasetHeapBlock {
    private VirtualDatasetHeapBlock() {}

    /** One entry: the source file and dataset, and the source and virtual selections (of one extent). */
    public record Entry(String sourceFile, String sourceDataset, HyperslabSelection sourceSelection,
            HyperslabSelection virtualSelection) {}

    public static byte[] encode(List<Entry> mappings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0); // version
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(mappings.size()).array());
        for (Entry m : mappings) {
            out.writeBytes(cString(m.sourceFile()));
            out.writeBytes(cString(m.sourceDataset()));
            out.writeBytes(m.sourceSelection().encode());
            out.writeBytes(m.virtualSelection().encode());
        }
        byte[] body = out.toByteArray();
        int checksum = Lookup3.checksum(body, 0, body.length);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(checksum).array());
        return out.toByteArray();
    }

    private static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        for (byte c : utf8) if (c == 0) throw new IllegalArgumentException("a name in a virtual mapping holds a NUL: " + s);
        byte[] z = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, z, 0, utf8.length);
        return z;
    }
}
