package io.hdf5flink.hdf5.filter;

import java.io.IOException;
import java.util.Arrays;

/**
 * The decoder of BloscLZ, Blosc's own LZ77 codec (derived from FastLZ) and the one the Blosc
 * HDF5 filter uses when its client data names no compressor. Only decoding is needed: chunks this
 * engine adds to such a dataset are written with LZ4 frames, which every Blosc reader decodes
 * (see {@link BloscFilter}).
 *
 * <p>The stream is a sequence of tokens, each starting with a control byte ({@code c}; the first
 * one's top three bits are a level marker and ignored):
 *
 * <ul>
 *   <li>{@code c < 32}: {@code c + 1} literal bytes follow.
 *   <li>{@code c >= 32}: a match. Its length is {@code (c >> 5) + 2}, where {@code c >> 5 == 7}
 *       continues with bytes added to it up to and including the first that is not 255; then a
 *       byte {@code d}: the match copies from {@code ((c & 31) << 8) + d + 1} bytes back, except
 *       that {@code c & 31 == 31} and {@code d == 255} announce a big-endian 16-bit distance
 *       {@code D} after it, and the copy is from {@code D + 8192} bytes back. Copies may overlap
 *       what they write (runs).
 * </ul>
 *
 * As in Blosc's decoder, a match that ends the stream is not applied (the encoder always ends
 * with literals).
 */
final class BloscLz {
    private static final int FAR_DISTANCE = 8191;

    private BloscLz() {
    }

    /**
     * Decodes {@code length} bytes of {@code in} from {@code off} into {@code out} at {@code
     * outOff}, at most {@code maxOut} bytes.
     *
     * @return the decoded size
     * @throws IOException when the stream is truncated or points outside what it decoded
     */
    static int decompress(byte[] in, int off, int length, byte[] out, int outOff, int maxOut) throws IOException {
        int ip = off;
        int end = off + length;
        int op = outOff;
        int limit = outOff + maxOut;
        if (length == 0) return 0;
        int ctrl = in[ip++] & 31;
        while (true) {
            if (ctrl < 32) {
                int n = ctrl + 1;
                if (n > limit - op || n > end - ip) throw new IOException("BloscLZ literal run overruns the block");
                System.arraycopy(in, ip, out, op, n);
                ip += n;
                op += n;
            } else {
                int len = (ctrl >>> 5) - 1;
                int high = (ctrl & 31) << 8;
                if (len == 6) {
                    int code;
                    do {
                        code = next(in, ip++, end);
                        len += code;
                    } while (code == 255);
                }
                int low = next(in, ip++, end);
                len += 3;
                int back = high + low + 1;
                if (low == 255 && high == 31 << 8) {
                    back = (next(in, ip, end) << 8 | next(in, ip + 1, end)) + FAR_DISTANCE + 1;
                    ip += 2;
                }
                if (len > limit - op || back > op - outOff) throw new IOException("BloscLZ match overruns the block");
                if (ip >= end) break;
                copyMatch(out, op, back, len);
                op += len;
            }
            if (ip >= end) break;
            ctrl = in[ip++] & 0xFF;
        }
        return op - outOff;
    }

    private static int next(byte[] in, int at, int end) throws IOException {
        if (at >= end) throw new IOException("BloscLZ stream is truncated inside a match");
        return in[at] & 0xFF;
    }

    /** Copies {@code len} bytes from {@code back} bytes before {@code op}, overlapping as LZ77 does. */
    private static void copyMatch(byte[] out, int op, int back, int len) {
        int from = op - back;
        if (back == 1) {
            Arrays.fill(out, op, op + len, out[from]);
        } else if (back >= len) {
            System.arraycopy(out, from, out, op, len);
        } else {
            for (int i = 0; i < len; i++) out[op + i] = out[from + i];
        }
    }
}
