package io.hdf5flink.source.probe;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.format.NpyHeader;
import io.hdf5flink.source.format.RawFormat;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an array's data is: its dtype, byte order, shape and the bytes before it, and whether
 * it was described by the caller (a raw file) or by its own {@code .npy} header.
 */
record ArrayHeader(DataType type, boolean bigEndian, long[] shape, long dataOffset, boolean raw) {
    static ArrayHeader of(RawFormat raw) {
        boolean bigEndian = raw.order() == ByteOrder.BIG_ENDIAN && raw.type().componentSize() > 1;
        return new ArrayHeader(raw.type(), bigEndian, raw.shape(), raw.headerBytes(), true);
    }

    /** A {@code .npy} header, checked against the raw format given for it, if any. */
    static ArrayHeader npy(NpyHeader npy, RawFormat raw) throws IOException {
        ArrayHeader header = new ArrayHeader(npy.type(), npy.bigEndian(), npy.shape(), npy.dataOffset(), false);
        if (raw == null) return header;
        ArrayHeader given = of(raw);
        List<String> conflicts = new ArrayList<>();
        if (given.type != header.type || given.bigEndian != header.bigEndian) conflicts.add("dtype " + given.dtype());
        long[] s = given.shape;
        // A raw format's default shape, a vector of every element, says nothing: the header's stands.
        boolean anyShape = s.length == 1 && s[0] == RawFormat.DERIVED;
        boolean sameShape = s.length == header.shape.length && (s[0] == RawFormat.DERIVED || s[0] == header.shape[0])
                && Arrays.equals(s, 1, s.length, header.shape, 1, s.length);
        if (!anyShape && !sameShape) conflicts.add("shape " + tuple(s));
        if (given.dataOffset != 0 && given.dataOffset != header.dataOffset) conflicts.add(given.dataOffset + " header bytes");
        if (!conflicts.isEmpty()) {
            throw new IOException("it is a .npy file of " + header.describe() + " with " + header.dataOffset
                    + " header bytes, which the given " + String.join(", ", conflicts) + " contradict"
                    + (conflicts.size() == 1 ? "s" : "") + ": a .npy file states its own dtype and shape, omit them");
        }
        return header;
    }

    /** numpy's dtype string, e.g. {@code <i2}. */
    String dtype() {
        return type.size() == 1 ? type.numpyStr() : (bigEndian ? ">" : "<") + type.numpyCode();
    }

    /** The dtype and shape as numpy prints them, e.g. {@code <i2 (1000, 16)}. */
    String describe() {
        return dtype() + " " + tuple(shape);
    }

    private static String tuple(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i]);
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
