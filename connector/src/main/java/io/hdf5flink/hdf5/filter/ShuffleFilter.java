package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * HDF5 filter 2, byte shuffle: regroups the bytes of a chunk so that byte 0 of every element
 * comes first, then byte 1 of every element, and so on. Slowly varying numbers then yield long
 * runs of similar bytes that the compressor after it packs far better.
 *
 * <p>As in libhdf5, bytes past the last whole element (a chunk whose length is not a multiple of
 * the element size) are appended unchanged, and a chunk of one-byte elements or of at most one
 * element is left as it is.
 */
public final class ShuffleFilter implements Filter {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW = 0x00000000FFFFFFFFL;
    private static final long HIGH = 0xFFFFFFFF00000000L;

    private final int elementSize;

    /**
     * @param elementSize the size of one dataset element in bytes, as in the filter's client data
     * @throws IllegalArgumentException when the size is not positive
     */
    public ShuffleFilter(int elementSize) {
        if (elementSize < 1) {
            throw new IllegalArgumentException("shuffle element size must be positive, got " + elementSize);
        }
        this.elementSize = elementSize;
    }

    /** Shuffling only reorders the bytes. */
    @Override
    public long encodedLengthBound(long length) {
        return length;
    }

    @Override
    public byte[] encode(byte[] input, int length) {
        byte[] out = new byte[length];
        encodeInto(input, length, out);
        return out;
    }

    /**
     * Shuffles the first {@code length} bytes of {@code input} into {@code out} (at least {@code
     * length} long): also how a pipeline shuffles into a reused buffer when a compressor follows.
     */
    @Override
    public int encodeInto(byte[] input, int length, byte[] out) {
        shuffle(input, 0, length, elementSize, out, 0);
        return length;
    }

    /**
     * Shuffles {@code length} bytes of {@code in} from {@code inOff} into {@code out} at {@code
     * outOff}, bytes past the last whole element unchanged: the filter's transform, also Blosc's
     * byte shuffle of one block and the first step of bitshuffle's.
     */
    static void shuffle(byte[] in, int inOff, int length, int elementSize, byte[] out, int outOff) {
        int count = length / elementSize;
        if (elementSize == 1 || count <= 1) {
            System.arraycopy(in, inOff, out, outOff, length);
            return;
        }
        int done = byLongs(elementSize) ? count - count % 8 : 0;
        if (elementSize == 2) { // the commonest case, without the per-step dispatch C1 keeps
            for (int i = 0, at = inOff, high = outOff + count; i < done; i += 8, at += 16) {
                long a = unzip((long) LONG.get(in, at));
                long b = unzip((long) LONG.get(in, at + 8));
                LONG.set(out, outOff + i, a & LOW | b << 32);
                LONG.set(out, high + i, a >>> 32 | b & HIGH);
            }
        } else {
            for (int i = 0; i < done; i += 8) {
                int at = inOff + i * elementSize;
                if (elementSize == 4) {
                    fourPlanes(in, at, 8, out, outOff + i, count, true);
                } else {
                    BitTranspose.eightLongs(in, at, 8, out, outOff + i, count, BitTranspose.NO_BITS);
                }
            }
        }
        // The rest plane by plane: sequential stores, strided loads.
        for (int b = 0; b < elementSize; b++) {
            int plane = outOff + b * count;
            for (int i = done, s = inOff + done * elementSize + b; i < count; i++, s += elementSize) {
                out[plane + i] = in[s];
            }
        }
        int whole = count * elementSize;
        System.arraycopy(in, inOff + whole, out, outOff + whole, length - whole);
    }

    /** Undoes {@link #shuffle}. */
    static void unshuffle(byte[] in, int inOff, int length, int elementSize, byte[] out, int outOff) {
        int count = length / elementSize;
        if (elementSize == 1 || count <= 1) {
            System.arraycopy(in, inOff, out, outOff, length);
            return;
        }
        int done = byLongs(elementSize) ? count - count % 8 : 0;
        if (elementSize == 2) {
            for (int i = 0, at = outOff, high = inOff + count; i < done; i += 8, at += 16) {
                long a = (long) LONG.get(in, inOff + i);
                long b = (long) LONG.get(in, high + i);
                LONG.set(out, at, zip(a & LOW | b << 32));
                LONG.set(out, at + 8, zip(a >>> 32 | b & HIGH));
            }
        } else {
            for (int i = 0; i < done; i += 8) {
                int at = outOff + i * elementSize;
                if (elementSize == 4) {
                    fourPlanes(in, inOff + i, count, out, at, 8, false);
                } else {
                    BitTranspose.eightLongs(in, inOff + i, count, out, at, 8, BitTranspose.NO_BITS);
                }
            }
        }
        for (int b = 0; b < elementSize; b++) {
            int plane = inOff + b * count;
            for (int i = done, d = outOff + done * elementSize + b; i < count; i++, d += elementSize) {
                out[d] = in[plane + i];
            }
        }
        int whole = count * elementSize;
        System.arraycopy(in, inOff + whole, out, outOff + whole, length - whole);
    }

    /**
     * Whether eight elements at a time are shuffled on longs: for 2, 4 and 8 bytes, about twice as
     * fast as byte by byte (eight elements are that many longs, and eight bytes of each plane one).
     */
    private static boolean byLongs(int elementSize) {
        return elementSize == 2 || elementSize == 4 || elementSize == 8;
    }

    /**
     * Eight 4-byte elements (four longs {@code from} apart) to their four planes' eight bytes
     * (four longs {@code to} apart), or back: each long's two elements interleaved byte by byte,
     * then the 4 x 4 transpose of 16-bit units.
     */
    private static void fourPlanes(byte[] src, int s, int from, byte[] dst, int d, int to, boolean forward) {
        long x0 = (long) LONG.get(src, s);
        long x1 = (long) LONG.get(src, s + from);
        long x2 = (long) LONG.get(src, s + 2 * from);
        long x3 = (long) LONG.get(src, s + 3 * from);
        if (forward) {
            x0 = zip(x0); x1 = zip(x1); x2 = zip(x2); x3 = zip(x3);
        }
        long t;
        t = ((x0 >>> 16) ^ x1) & 0x0000FFFF0000FFFFL; x1 ^= t; x0 ^= t << 16;
        t = ((x2 >>> 16) ^ x3) & 0x0000FFFF0000FFFFL; x3 ^= t; x2 ^= t << 16;
        t = ((x0 >>> 32) ^ x2) & LOW; x2 ^= t; x0 ^= t << 32;
        t = ((x1 >>> 32) ^ x3) & LOW; x3 ^= t; x1 ^= t << 32;
        if (!forward) {
            x0 = unzip(x0); x1 = unzip(x1); x2 = unzip(x2); x3 = unzip(x3);
        }
        LONG.set(dst, d, x0);
        LONG.set(dst, d + to, x1);
        LONG.set(dst, d + 2 * to, x2);
        LONG.set(dst, d + 3 * to, x3);
    }

    /** Bytes 0, 2, 4, 6 then 1, 3, 5, 7 of {@code x} (byte 0 the lowest). */
    private static long unzip(long x) {
        return deltaSwap(deltaSwap(x, 0x0000FF000000FF00L, 8), 0x00000000FFFF0000L, 16);
    }

    /** Undoes {@link #unzip}: bytes 0-3 and 4-7 of {@code x} interleaved. */
    private static long zip(long x) {
        return deltaSwap(deltaSwap(x, 0x00000000FFFF0000L, 16), 0x0000FF000000FF00L, 8);
    }

    /**
     * Swaps the bits of {@code x} selected by {@code mask} with those {@code shift} above them.
     * Split out of {@link #unzip} and {@link #zip} so that each method stays under the 35 bytes of
     * bytecode the launcher's C1 compiler inlines: as one method, unzip was a call per eight
     * bytes. With int16's loop of its own in {@link #shuffle}, shuffling 2 MiB chunks of the
     * benchmark recording under C1 went from about 1.9 to 2.8 GB/s on one core.
     */
    private static long deltaSwap(long x, long mask, int shift) {
        long t = (x ^ (x >>> shift)) & mask;
        return x ^ t ^ (t << shift);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        if (length > maxDecodedLength) {
            throw new IOException("shuffled chunk has " + length + " bytes, more than the "
                    + maxDecodedLength + " a chunk can hold: corrupt chunk");
        }
        byte[] out = new byte[length];
        unshuffle(input, 0, length, elementSize, out, 0);
        return out;
    }

    @Override
    public String toString() {
        return "ShuffleFilter[elementSize=" + elementSize + "]";
    }
}
