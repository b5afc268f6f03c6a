package io.hdf5flink.hdf5.format;

/**
 * Bob Jenkins' lookup3 {@code hashlittle} with seed 0: the checksum HDF5 puts on its newer
 * metadata blocks (specification section II.D, "checksum"), here for the virtual dataset's
 * global heap block. Bytes are read little-endian, whatever the platform.
 */
public final class Lookup3 {
    private Lookup3() {}

    /**
     * Checks a checksummed block: the lookup3 checksum in the last 4 of its first {@code size}
     * bytes must be that of the bytes before it.
     */
    public static void verify(java.nio.ByteBuffer b, int size, String what) {
        byte[] all = new byte[size];
        b.get(0, all);
        if (checksum(all, 0, size - 4) != b.getInt(size - 4)) throw new Hdf5FormatException(what + " fails its checksum");
    }

    /** The checksum of {@code length} bytes of {@code data} from {@code offset}. */
    public static int checksum(byte[] data, int offset, int length) {
        int a = 0xdeadbeef + length;
        int b = a;
        int c = a;
        int i = offset;
        int left = length;
        while (left > 12) {
            a += word(data, i, 4);
            b += word(data, i + 4, 4);
            c += word(data, i + 8, 4);
            // mix(a, b, c)
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            i += 12;
            left -= 12;
        }
        if (left == 0) return c;
        a += word(data, i, Math.min(left, 4));
        if (left > 4) b += word(data, i + 4, Math.min(left - 4, 4));
        if (left > 8) c += word(data, i + 8, left - 8);
        // final(a, b, c)
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** Up to four bytes from {@code i}, little-endian, missing high bytes zero. */
    private static int word(byte[] data, int i, int bytes) {
        int w = 0;
        for (int k = 0; k < bytes; k++) w |= (data[i + k] & 0xff) << (8 * k);
        return w;
    }
}
