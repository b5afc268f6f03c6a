package io.hdf5flink.hdf5.filter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/**
 * HDF5 filter 307, the registered bzip2 plugin: each chunk is one complete bzip2 stream
 * ("BZh" header, blocks, end-of-stream marker), as {@code libbz2} writes it. The plugin never
 * declines a chunk, and neither does this filter.
 */
public final class Bzip2Filter implements Filter {

    private static final int MIN_INITIAL_DECODE_BUFFER = 64 * 1024;
    private static final int INITIAL_EXPANSION = 4;

    private final int blockSize;

    /**
     * @param blockSize the bzip2 block size in units of 100 kB, 1 to 9, as in the client data
     * @throws IllegalArgumentException when the block size is outside 1 to 9
     */
    public Bzip2Filter(int blockSize) {
        if (blockSize < 1 || blockSize > 9) {
            throw new IllegalArgumentException("bzip2 block size must be 1 to 9, got " + blockSize);
        }
        this.blockSize = blockSize;
    }

    /** A generous bound on bzip2's output: its worst case is about 1% above the input. */
    @Override
    public long encodedLengthBound(long length) {
        return length + length / 50 + 1024;
    }

    @Override
    public byte[] encode(byte[] input, int length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 4));
        try (BZip2CompressorOutputStream bzip2 = new BZip2CompressorOutputStream(out, blockSize)) {
            bzip2.write(input, 0, length);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] decode(byte[] input, int length, int maxDecodedLength) throws IOException {
        byte[] out = new byte[(int) Math.min(maxDecodedLength,
                Math.max(MIN_INITIAL_DECODE_BUFFER, (long) length * INITIAL_EXPANSION))];
        int written = 0;
        boolean overlong = false;
        // The plugin decodes exactly one stream; bytes after it are ignored, as there.
        try (InputStream bzip2 = new BZip2CompressorInputStream(new ByteArrayInputStream(input, 0, length), false)) {
            while (true) {
                if (written == out.length) {
                    if (written == maxDecodedLength) {
                        overlong = bzip2.read() >= 0;
                        break;
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxDecodedLength, out.length * 2L));
                }
                int n = bzip2.read(out, written, out.length - written);
                if (n < 0) {
                    break;
                }
                written += n;
            }
        } catch (IOException | RuntimeException e) {
            // commons-compress reports some malformed streams with unchecked exceptions.
            throw new IOException("bzip2 stream is corrupt: " + e, e);
        }
        if (overlong) {
            throw new IOException("bzip2 stream decodes to more than the " + maxDecodedLength
                    + " bytes a chunk can hold: corrupt chunk");
        }
        return written == out.length ? out : Arrays.copyOf(out, written);
    }
}
