package io.hdf5flink.source.probe;

import io.hdf5flink.source.format.NpyHeader;
import io.hdf5flink.source.format.RawFormat;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Finds an array in a file or member and checks that its data is all there: memory-mapped ranges
 * are measured, decoded streams read to their end (bounded by what the header declares). A
 * {@code .npy} header or a raw format says what the data is ({@link ArrayHeader}).
 */
final class ArrayData {
    /**
     * How much data a compressed input may hold after the array its header declares. Readers
     * never read past the array, and numpy writes nothing after it; the allowance only tolerates
     * padding while bounding what a probe decodes.
     */
    static final long MAX_TRAILING_BYTES = 1 << 20;

    private ArrayData() {}

    /** The array stored verbatim at {@code [start, start + length)} of the location's file. */
    static ProbedArray mapped(Location location, long start, long length, RawFormat raw) throws IOException {
        // An archive states its members' offsets and sizes: readers map exactly that range, so
        // it must lie inside the file.
        long fileSize = Files.size(Path.of(location.path()));
        if (start < 0 || length < 0 || start > fileSize || length > fileSize - start) {
            throw new IOException("the member's data claims " + length + " bytes at offset " + start + ", beyond the "
                    + fileSize + "-byte file: the archive is truncated or corrupt");
        }
        ArrayHeader header;
        try (FileChannel channel = FileChannel.open(Path.of(location.path()), StandardOpenOption.READ)) {
            // Data shorter than the magic is raw: the bytes after it may belong to another member.
            InputStream in = length < NpyHeader.MAGIC_LENGTH ? InputStream.nullInputStream()
                    : Channels.newInputStream(channel.position(start));
            header = header(new PushbackInputStream(in, NpyHeader.MAGIC_LENGTH), raw);
        }
        if (header.dataOffset() > length) {
            throw new IOException(header.raw() ? "the file holds " + length + " bytes, fewer than its " + header.dataOffset()
                    + " header bytes" : "truncated .npy header: it claims " + header.dataOffset() + " bytes, the file holds " + length);
        }
        return checked(location, true, start + header.dataOffset(), header, length - header.dataOffset());
    }

    /**
     * The array in a decoded stream, which is read to its end to learn its length and to check
     * the stream's integrity (trailing checksums). An array of declared size is decoded only up
     * to that size plus {@link #MAX_TRAILING_BYTES}: a compressed input a thousand to a million
     * times smaller than its decoded form must not make the client decode without end.
     */
    static ProbedArray streamed(Location location, InputStream decoded, RawFormat raw) throws IOException {
        PushbackInputStream in = new PushbackInputStream(new DecodeErrors(decoded), NpyHeader.MAGIC_LENGTH);
        ArrayHeader header = header(in, raw);
        if (header.raw()) {
            try {
                in.skipNBytes(header.dataOffset());
            } catch (EOFException e) {
                throw new IOException("the file ends within its " + header.dataOffset() + " header bytes");
            }
        }
        long declared = declaredBytes(header);
        if (declared < 0) {
            // A raw file of derived length is as long as it decodes: the job reads all of it too.
            return checked(location, false, header.dataOffset(), header, in.transferTo(OutputStream.nullOutputStream()));
        }
        // A raw file must hold exactly its shape; a .npy file may have some padding after its array.
        long allowance = header.raw() ? 0 : MAX_TRAILING_BYTES;
        long limit = declared > Long.MAX_VALUE - allowance ? Long.MAX_VALUE : declared + allowance;
        long available = 0;
        byte[] buffer = new byte[1 << 16];
        for (int n; available <= limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - available))) >= 0; ) {
            available += n;
        }
        if (available > limit && header.raw()) {
            throw new IOException("the file holds more than the " + declared + " data bytes of " + header.describe()
                    + ": " + WHOLE_SHAPE);
        }
        if (available > limit) {
            throw new IOException("the data goes on past the " + declared + " bytes the header declares ("
                    + header.type() + " " + Arrays.toString(header.shape()) + ") by more than " + MAX_TRAILING_BYTES
                    + " bytes: a corrupt file or a decompression bomb; not decoded further");
        }
        return checked(location, false, header.dataOffset(), header, available);
    }

    /** The data bytes a header declares, or -1 when the first extent is derived from the length. */
    private static long declaredBytes(ArrayHeader header) throws IOException {
        if (header.shape()[0] == RawFormat.DERIVED) return -1;
        try {
            long bytes = header.type().size();
            for (long extent : header.shape()) bytes = Math.multiplyExact(bytes, extent);
            return bytes;
        } catch (ArithmeticException e) {
            throw new IOException("shape " + Arrays.toString(header.shape()) + " of " + header.type() + " is too large");
        }
    }

    /** What a raw file whose shape does not cover it exactly is told. */
    private static final String WHOLE_SHAPE = "give its whole shape, or -1 as the first extent to take every row";

    /**
     * Reads what the data at the start of {@code in} is, by content, not by name: numpy's magic
     * makes a {@code .npy} file (a raw format given for it must agree with its header), anything
     * else is raw and needs {@code raw}. Leaves {@code in} after a {@code .npy} header, or at the
     * start of a raw file.
     */
    private static ArrayHeader header(PushbackInputStream in, RawFormat raw) throws IOException {
        byte[] prefix = in.readNBytes(NpyHeader.MAGIC_LENGTH);
        in.unread(prefix);
        if (NpyHeader.startsWithMagic(prefix)) return ArrayHeader.npy(NpyHeader.read(in), raw);
        if (raw == null) {
            throw new IOException("not a .npy file (it does not start with numpy's magic \\x93NUMPY), and no dtype"
                    + " is given to read it as a raw file");
        }
        return ArrayHeader.of(raw);
    }

    /** Settles a derived first extent and checks the data is all there. */
    private static ProbedArray checked(Location location, boolean mapped, long dataOffset, ArrayHeader header, long available)
            throws IOException {
        long[] shape = header.shape().clone();
        long rowElements = 1;
        for (int i = 1; i < shape.length; i++) rowElements = Math.multiplyExact(rowElements, shape[i]);
        long rowBytes = Math.multiplyExact(rowElements, header.type().size());
        if (shape[0] == RawFormat.DERIVED) {
            if (rowBytes == 0) throw new IOException("rows of shape " + Arrays.toString(shape) + " hold no bytes");
            if (available % rowBytes != 0) {
                throw new IOException("the file holds " + available + " data bytes, not a whole number of rows of "
                        + rowBytes + " bytes (" + header.type() + " " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length))
                        + "): wrong dtype, shape or headerBytes?");
            }
            shape[0] = available / rowBytes;
        } else {
            long needed;
            try {
                needed = Math.multiplyExact(shape[0], rowBytes);
            } catch (ArithmeticException e) {
                throw new IOException("shape " + Arrays.toString(shape) + " of " + header.type() + " is too large");
            }
            if (header.raw() && needed != available) {
                // Too long is refused as firmly as too short: taking a prefix would drop the rest silently.
                String rows = rowBytes == 0 ? "" : available % rowBytes == 0 ? " (" + available / rowBytes + " rows)"
                        : ", not a whole number of " + rowBytes + "-byte rows";
                throw new IOException(available < needed
                        ? "the file holds only " + available + " data bytes" + rows + ", but " + header.describe()
                                + " needs " + needed + ": " + WHOLE_SHAPE
                        : "the file holds " + available + " data bytes" + rows + ", more than the " + needed + " of "
                                + header.describe() + ": " + WHOLE_SHAPE);
            }
            if (needed > available) {
                throw new IOException("the header claims " + needed + " data bytes (" + header.type() + " "
                        + Arrays.toString(shape) + "), the file holds only " + available + ": it is truncated");
            }
        }
        return new ProbedArray(new ArrayInput(location, mapped, dataOffset, header.type(), header.bigEndian()), shape);
    }

    /**
     * Says that a decoder's failure is corrupt compressed data: decoders report it in their own
     * terms ("invalid literal/lengths set"), some with unchecked exceptions.
     */
    private static final class DecodeErrors extends FilterInputStream {
        DecodeErrors(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                throw corrupt(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw corrupt(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException | RuntimeException e) {
                throw corrupt(e);
            }
        }

        private static IOException corrupt(Exception e) {
            if (e instanceof org.apache.commons.compress.MemoryLimitException m) {
                // Only the xz decoder has a limit (StreamCompression.XZ_MEMORY_LIMIT_KIB).
                return new IOException("the xz stream needs " + (m.getMemoryNeededInKb() >> 10) + " MiB of memory to decode,"
                        + " more than the " + (m.getMemoryLimitInKb() >> 10) + " MiB allowed (xz -9 needs 65 MiB)", e);
            }
            return new IOException("corrupt or truncated compressed data: " + ArrayProber.describe(e), e);
        }
    }
}
