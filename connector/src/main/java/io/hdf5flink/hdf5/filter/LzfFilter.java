package io.hdf5flink.hdf5.filter;

import com.ning.compress.lzf.ChunkEncoder;
import com.ning.compress.lzf.LZFChunk;
import com.ning.compress.lzf.LZFEncoder;
import com.ning.compress.lzf.util.ChunkEncoderFactory;
import java.io.IOException;
import java.util.Arrays;

/**
 * HDF5 filter 32000, h5py's LZF: each chunk is one raw liblzf stream (no header, no length),
 * exactly what h5py's filter gets from {@code lzf_compress}. Unlike h5py's filter it never
 * declines a non-empty chunk: an incompressible one becomes literal runs (at most one byte in 33
 * larger) instead of being stored raw with the filter's bit set in the chunk's filter mask,
 * because jhdf 0.13 ignores filter masks and would misread such a chunk. libhdf5 reads both.
 *
 * <p>A raw liblzf stream is a sequence of instructions: a control byte below 32 copies the next
 * {@code control + 1} bytes literally; any other control byte copies {@code (control >> 5) + 2}
 * bytes (plus a length byte when that field is 7) from {@code ((control & 31) << 8) + offset + 1}
 * bytes back in the output. compress-lzf compresses into the same instructions but frames them in
 * "ZV" blocks of at most 64 KiB; since no back reference crosses a block, the frames' payloads
 * laid end to end form one valid raw stream, which is what this filter writes.
 */
public final class LzfFilter implements Filter {

    private static final int MAX_LITERAL_RUN = LZFChunk.MAX_LITERAL;

    private static final ThreadLocal<ChunkEncoder> ENCODER =
            ThreadLocal.withInitial(() -> ChunkEncoderFactory.optimalNonAllocatingInstance(LZFChunk.MAX_CHUNK_LEN));
    private static final ThreadLocal<byte[]> BLOCK_BUFFER =
            ThreadLocal.withInitial(() -> new byte[LZFEncoder.estimateMaxWorkspaceSize(LZFChunk.MAX_CHUNK_LEN)]);

    private static final int MIN_INITIAL_DECODE_BUFFER = 64 * 1024;
    private static final int INITIAL_EXPANSION = 4;

    /**
     * Every block stored as literal runs of 32, one control byte each, rounded up per 64 KiB
     * block: since the filter no longer declines incompressible chunks, its output can exceed
     * its input, and a Fletcher-32 stage after it must accept that much.
     */
    @Override
    public long encodedLengthBound(long length) {
        long blocks = (length + LZFChunk.MAX_CHUNK_LEN - 1) / LZFChunk.MAX_CHUNK_LEN;
        return length + length / MAX_LITERAL_RUN + blocks;
    }

    /**
     * @return the raw LZF stream, or {@code null} for an empty chunk, which h5py's filter cannot
     *     compress either
     */
    @Override
    public byte[] encode(byte[] input, int length) {
        if (length == 0) {
            return null;
        }
        ChunkEncoder encoder = ENCODER.get();
        byte[] block = BLOCK_BUFFER.get();
        byte[] out = new byte[(int) encodedLengthBound(length)];
        int written = 0;
        for (int start = 0; start < length; start += LZFChunk.MAX_CHUNK_LEN) {
            int n = Math.min(LZFChunk.MAX_CHUNK_LEN, length - start);
            int end = encoder.appendEncodedChunk(input, start, n, block, 0);
            if (block[2] == LZFChunk.BLOCK_TYPE_COMPRESSED) {
                int payload = end - LZFChunk.HEADER_LEN_COMPRESSED;
                System.arraycopy(block, LZFChunk.HEADER_LEN_COMPRESSED, out, written, payload);
                written += payload;
            } else {
                // compress-lzf stores an incompressible block verbatim; raw LZF has no such
                // block, so the bytes become literal runs of at most 32.
                for (int p = start, blockEnd = start + n; p < blockEnd; p += MAX_LITERAL_RUN) {
                    int run = Math.min(MAX_LITERAL_RUN, blockEnd - p);
                    out[written++] = (byte) (run - 1);
                    System.arraycopy(input, p, out, written, run);
                    written += run;
                }
            }
        }
        return Arrays.copyOf(out, written);
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        byte[] out = new byte[(int) Math.min(maxDecodedLength,
                Math.max(MIN_INITIAL_DECODE_BUFFER, (long) length * INITIAL_EXPANSION))];
        int ip = 0;
        int op = 0;
        while (ip < length) {
            int control = input[ip++] & 0xFF;
            if (control < 32) {
                int run = control + 1;
                if (run > length - ip) {
                    throw new IOException("LZF stream is truncated inside a literal run at byte " + (ip - 1)
                            + ": corrupt chunk");
                }
                out = ensureCapacity(out, op, run, maxDecodedLength);
                System.arraycopy(input, ip, out, op, run);
                ip += run;
                op += run;
            } else {
                int run = control >>> 5;
                if (run == 7) {
                    if (ip >= length) {
                        throw truncatedReference(ip);
                    }
                    run += input[ip++] & 0xFF;
                }
                if (ip >= length) {
                    throw truncatedReference(ip);
                }
                int distance = ((control & 0x1F) << 8) + (input[ip++] & 0xFF) + 1;
                run += 2;
                if (distance > op) {
                    throw new IOException("LZF back reference reaches " + distance + " bytes back from output byte "
                            + op + ", before the start of the chunk: corrupt chunk");
                }
                out = ensureCapacity(out, op, run, maxDecodedLength);
                int from = op - distance;
                if (distance >= run) {
                    System.arraycopy(out, from, out, op, run);
                    op += run;
                } else {
                    // Overlapping copy repeats the last `distance` bytes; it must go byte by byte.
                    for (int end = op + run; op < end; op++, from++) {
                        out[op] = out[from];
                    }
                }
            }
        }
        return op == out.length ? out : Arrays.copyOf(out, op);
    }

    private static IOException truncatedReference(int at) {
        return new IOException("LZF stream is truncated inside a back reference at byte " + at + ": corrupt chunk");
    }

    /** Grows {@code out} to hold {@code more} bytes at {@code used}, never past the bound. */
    private static byte[] ensureCapacity(byte[] out, int used, int more, int maxDecodedLength) throws IOException {
        long needed = (long) used + more;
        if (needed > maxDecodedLength) {
            throw new IOException("LZF stream decodes to more than the " + maxDecodedLength
                    + " bytes a chunk can hold: corrupt chunk");
        }
        if (needed <= out.length) {
            return out;
        }
        return Arrays.copyOf(out, (int) Math.min(maxDecodedLength, Math.max(needed, out.length * 2L)));
    }
}
