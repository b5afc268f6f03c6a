package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little helpers for the fixed-width little-endian fields every structure is made of. */
public final class Bytes {
    /** The undefined address of the specification (all bits set). */
    public static final long UNDEFINED_ADDRESS = -1L;

    private Bytes() {}

    /** A little-endian buffer of {@code size} zero bytes. */
    public static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code n} rounded up to a multiple of 8, the alignment of v1 object header messages. */
    public static int pad8(int n) {
        return (n + 7) & ~7;
    }

    /** Reads a u8 field. */
    public static int u8(ByteBuffer b) {
        return b.get() & 0xFF;
    }

    /** Reads a u16 field. */
    public static int u16(ByteBuffer b) {
        return b.getShort() & 0xFFFF;
    }

    /** Reads a u32 field. */
    public static long u32(ByteBuffer b) {
        return b.getInt() & 0xFFFFFFFFL;
    }

    /** Reads an unsigned little-endian field of {@code size} bytes (1 to 8), as the newer structures size theirs. */
    public static long unsigned(ByteBuffer b, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (long) (b.get() & 0xFF) << (8 * i);
        return v;
    }

    /** The 4-byte ASCII signature at the start of a block; the buffer is left positioned after it. */
    static String signature(ByteBuffer b) {
        byte[] s = new byte[4];
        b.get(0, s);
        b.position(4);
        return new String(s, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Checks that {@code n} more bytes of {@code what} are present. */
    public static void require(ByteBuffer b, int n, String what) {
        if (b.remaining() < n) {
            throw new Hdf5FormatException(what + " is truncated: needs " + n + " more bytes, has " + b.remaining());
        }
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes starting at the buffer's position. */
    static String cString(ByteBuffer b, int max, String what) {
        int start = b.position();
        int end = start;
        int limit = Math.min(b.limit(), start + max);
        while (end < limit && b.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw new Hdf5FormatException(what + " is not NUL-terminated within " + max + " bytes");
        }
        byte[] s = new byte[end - start];
        b.get(s);
        b.get();
        return new String(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
