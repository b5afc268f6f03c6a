package io.hdf5flink.source.enumerate;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.InputOpener;
import io.hdf5flink.source.input.Location;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;
import org.apache.flink.annotation.Internal;

/**
 * Checks input files on the client, before a job runs, and describes each array they hold: reads
 * {@code .npy} headers (or applies a {@link RawFormat}), expands archives into their members, and
 * makes sure each array's data is all there. A file is {@code .npy} when it starts with numpy's
 * magic, whatever its name (HDMF's tutorials write raw {@code np.memmap} files named {@code .npy});
 * a raw format given for one must agree with its header. A raw file must hold exactly the shape
 * given for it, or whole rows when the first extent is derived: a shape that covers only part of
 * a file would silently drop the rest. Compressed inputs are decoded to their end once here,
 * so truncated or corrupt streams and archive members fail the build instead of the job.
 *
 * <p>Every error is an {@link IllegalArgumentException} whose message starts with the file, and
 * the archive member when there is one.
 */
@Internal
public final class ArrayProber {

    /**
     * How much data a compressed input may hold after the array its header declares. Readers
     * never read past the array, and numpy writes nothing after it; the allowance only tolerates
     * padding while bounding what a probe decodes.
     */
    static final long MAX_TRAILING_BYTES = 1 << 20;

    /**
     * How many bytes of a compressed tar may be other than its members' data (headers take 512
     * bytes, and up to two more records for long names and pax headers, per member; padding up to
     * 511): room for tens of thousands of members.
     */
    static final long MAX_TAR_OVERHEAD = 32 << 20;

    /**
     * The zip compression methods read: stored, deflated, deflate64 and bzip2. commons-compress
     * also reads zstd members, but only with the native zstd-jni library, which is absent
     * (NoClassDefFoundError), and xz members, with no bound on the dictionary the stream header
     * makes it allocate; numpy and zip tools use the four.
     */
    private static final java.util.Set<Integer> ZIP_METHODS = java.util.Set.of(ZipMethod.STORED.getCode(),
            ZipMethod.DEFLATED.getCode(), ZipMethod.ENHANCED_DEFLATED.getCode(), ZipMethod.BZIP2.getCode());

    private ArrayProber() {}

    /**
     * Probes a plain, uncompressed file to be memory-mapped, whatever its name.
     *
     * @param raw how to read a raw file, or null for {@code .npy}
     */
    public static ProbedArray probeMapped(Path given, RawFormat raw) {
        // Splits name the file absolutely: TaskManagers may run in another working directory.
        Path file = given.toAbsolutePath();
        Location location = Location.file(file.toString(), StreamCompression.NONE);
        return guard(location, () -> {
            requireFile(file);
            return mapped(location, 0, Files.size(file), raw);
        });
    }

    /**
     * Probes a file by its name: compression suffixes ({@code .gz .bz2 .xz .zst}), archives
     * ({@code .npz .zip .tar .tar.gz .tgz} and other compressed tars) expanded into their
     * members in {@link NaturalOrder}, and {@code .npy} or raw arrays, told apart by content.
     *
     * @param raw how to read files and members that do not start with numpy's magic, or null when
     *     all must be {@code .npy}
     */
    public static List<ProbedArray> probe(Path given, RawFormat raw) {
        Path file = given.toAbsolutePath();
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        StreamCompression compression = lower.endsWith(".tgz") ? StreamCompression.GZIP : StreamCompression.ofName(name);
        String inner = lower.endsWith(".tgz") ? "x.tar" : compression.strip(lower);
        Location whole = Location.file(file.toString(), compression);
        return guard(whole, () -> {
            requireFile(file);
            if (inner.endsWith(".tar")) return tar(file, compression, raw);
            if (inner.endsWith(".zip") || inner.endsWith(".npz")) {
                if (compression != StreamCompression.NONE) {
                    throw new IOException("a compressed zip archive cannot be read; decompress it first");
                }
                return zip(file, raw);
            }
            if (compression == StreamCompression.NONE) return List.of(mapped(whole, 0, Files.size(file), raw));
            try (InputStream in = InputOpener.decodedFile(whole)) {
                return List.of(streamed(whole, in, raw));
            }
        });
    }

    private static List<ProbedArray> zip(Path file, RawFormat raw) throws IOException {
        List<ProbedArray> arrays = new ArrayList<>();
        try (ZipFile zip = ZipFile.builder().setPath(file).get()) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                if (!entry.isDirectory()) entries.add(entry);
            }
            entries.sort(Comparator.comparing(ZipArchiveEntry::getName, NaturalOrder.INSTANCE));
            for (ZipArchiveEntry entry : entries) {
                StreamCompression mc = StreamCompression.ofName(entry.getName());
                Location location = Location.member(file.toString(), StreamCompression.NONE, Archive.ZIP, entry.getName(), mc);
                arrays.add(guard(location, () -> {
                    if (!zip.canReadEntryData(entry) || !ZIP_METHODS.contains(entry.getMethod())) {
                        throw new IOException("the member is encrypted or uses an unsupported zip compression method "
                                + entry.getMethod());
                    }
                    // np.savez stores members uncompressed: those are mapped in place.
                    if (entry.getMethod() == ZipArchiveEntry.STORED && mc == StreamCompression.NONE) {
                        return mapped(location, entry.getDataOffset(), entry.getSize(), raw);
                    }
                    try (InputStream in = mc.decode(zip.getInputStream(entry))) {
                        return streamed(location, in, raw);
                    }
                }));
            }
        }
        return members(arrays);
    }

    private static List<ProbedArray> tar(Path file, StreamCompression compression, RawFormat raw) throws IOException {
        List<ProbedArray> arrays = new ArrayList<>();
        if (compression == StreamCompression.NONE) {
            // An uncompressed tar stores members contiguously, so they are mapped in place.
            try (TarFile tar = new TarFile(file)) {
                for (TarArchiveEntry entry : tar.getEntries()) {
                    if (!entry.isFile()) continue;
                    StreamCompression mc = StreamCompression.ofName(entry.getName());
                    Location location = Location.member(file.toString(), compression, Archive.TAR, entry.getName(), mc);
                    arrays.add(guard(location, () -> {
                        if (mc == StreamCompression.NONE && !entry.isSparse()) {
                            return mapped(location, entry.getDataOffset(), entry.getSize(), raw);
                        }
                        try (InputStream in = mc.decode(tar.getInputStream(entry))) {
                            return streamed(location, in, raw);
                        }
                    }));
                }
            }
        } else {
            TarOverhead overhead = new TarOverhead(InputOpener.decodedFile(Location.file(file.toString(), compression)));
            try (TarArchiveInputStream tar = new TarArchiveInputStream(overhead)) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    if (!entry.isFile()) continue;
                    String name = entry.getName();
                    StreamCompression mc = StreamCompression.ofName(name);
                    Location location = Location.member(file.toString(), compression, Archive.TAR, name, mc);
                    overhead.inMember = true;
                    try {
                        // Not closed: closing the member's decoder would close the whole tar.
                        arrays.add(guard(location, () -> streamed(location, mc.decode(tar), raw)));
                    } finally {
                        overhead.inMember = false;
                    }
                }
            }
        }
        arrays.sort(Comparator.comparing(a -> a.input().location().member(), NaturalOrder.INSTANCE));
        return members(arrays);
    }

    /** Checks an archive's arrays: at least one, and names that find one member each. */
    private static List<ProbedArray> members(List<ProbedArray> arrays) throws IOException {
        if (arrays.isEmpty()) throw new IOException("the archive holds no files");
        for (int i = 1; i < arrays.size(); i++) {
            String name = arrays.get(i).input().location().member();
            // Readers find members by name, so a second member of the same name would be read as the first.
            if (name.equals(arrays.get(i - 1).input().location().member())) {
                throw new IOException("the archive holds more than one member named " + name);
            }
        }
        return arrays;
    }

    /** The array stored verbatim at {@code [start, start + length)} of the location's file. */
    private static ProbedArray mapped(Location location, long start, long length, RawFormat raw) throws IOException {
        // An archive states its members' offsets and sizes: readers map exactly that range, so
        // it must lie inside the file.
        long fileSize = Files.size(Path.of(location.path()));
        if (start < 0 || length < 0 || start > fileSize || length > fileSize - start) {
            throw new IOException("the member's data claims " + length + " bytes at offset " + start + ", beyond the "
                    + fileSize + "-byte file: the archive is truncated or corrupt");
        }
        Header header;
        try (FileChannel channel = FileChannel.open(Path.of(location.path()), StandardOpenOption.READ)) {
            // Data shorter than the magic is raw: the bytes after it may belong to another member.
            InputStream in = length < NpyHeader.MAGIC_LENGTH ? InputStream.nullInputStream()
                    : Channels.newInputStream(channel.position(start));
            header = header(new PushbackInputStream(in, NpyHeader.MAGIC_LENGTH), raw);
        }
        if (header.dataOffset > length) {
            throw new IOException(header.raw ? "the file holds " + length + " bytes, fewer than its " + header.dataOffset
                    + " header bytes" : "truncated .npy header: it claims " + header.dataOffset + " bytes, the file holds " + length);
        }
        return checked(location, true, start + header.dataOffset, header, length - header.dataOffset);
    }

    /**
     * The array in a decoded stream, which is read to its end to learn its length and to check
     * the stream's integrity (trailing checksums). An array of declared size is decoded only up
     * to that size plus {@link #MAX_TRAILING_BYTES}: a compressed input a thousand to a million
     * times smaller than its decoded form must not make the client decode without end.
     */
    private static ProbedArray streamed(Location location, InputStream decoded, RawFormat raw) throws IOException {
        PushbackInputStream in = new PushbackInputStream(new DecodeErrors(decoded), NpyHeader.MAGIC_LENGTH);
        Header header = header(in, raw);
        if (header.raw) {
            try {
                in.skipNBytes(header.dataOffset);
            } catch (EOFException e) {
                throw new IOException("the file ends within its " + header.dataOffset + " header bytes");
            }
        }
        long declared = declaredBytes(header);
        if (declared < 0) {
            // A raw file of derived length is as long as it decodes: the job reads all of it too.
            return checked(location, false, header.dataOffset, header, in.transferTo(OutputStream.nullOutputStream()));
        }
        // A raw file must hold exactly its shape; a .npy file may have some padding after its array.
        long allowance = header.raw ? 0 : MAX_TRAILING_BYTES;
        long limit = declared > Long.MAX_VALUE - allowance ? Long.MAX_VALUE : declared + allowance;
        long available = 0;
        byte[] buffer = new byte[1 << 16];
        for (int n; available <= limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit + 1 - available))) >= 0; ) {
            available += n;
        }
        if (available > limit && header.raw) {
            throw new IOException("the file holds more than the " + declared + " data bytes of " + header.describe()
                    + ": " + WHOLE_SHAPE);
        }
        if (available > limit) {
            throw new IOException("the data goes on past the " + declared + " bytes the header declares ("
                    + header.type + " " + Arrays.toString(header.shape) + ") by more than " + MAX_TRAILING_BYTES
                    + " bytes: a corrupt file or a decompression bomb; not decoded further");
        }
        return checked(location, false, header.dataOffset, header, available);
    }

    /** The data bytes a header declares, or -1 when the first extent is derived from the length. */
    private static long declaredBytes(Header header) throws IOException {
        if (header.shape[0] == RawFormat.DERIVED) return -1;
        try {
            long bytes = header.type.size();
            for (long extent : header.shape) bytes = Math.multiplyExact(bytes, extent);
            return bytes;
        } catch (ArithmeticException e) {
            throw new IOException("shape " + Arrays.toString(header.shape) + " of " + header.type + " is too large");
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
    private static Header header(PushbackInputStream in, RawFormat raw) throws IOException {
        byte[] prefix = in.readNBytes(NpyHeader.MAGIC_LENGTH);
        in.unread(prefix);
        if (NpyHeader.startsWithMagic(prefix)) return Header.npy(NpyHeader.read(in), raw);
        if (raw == null) {
            throw new IOException("not a .npy file (it does not start with numpy's magic \\x93NUMPY), and no dtype"
                    + " is given to read it as a raw file");
        }
        return Header.of(raw);
    }

    /** Settles a derived first extent and checks the data is all there. */
    private static ProbedArray checked(Location location, boolean mapped, long dataOffset, Header header, long available)
            throws IOException {
        long[] shape = header.shape.clone();
        long rowElements = 1;
        for (int i = 1; i < shape.length; i++) rowElements = Math.multiplyExact(rowElements, shape[i]);
        long rowBytes = Math.multiplyExact(rowElements, header.type.size());
        if (shape[0] == RawFormat.DERIVED) {
            if (rowBytes == 0) throw new IOException("rows of shape " + Arrays.toString(shape) + " hold no bytes");
            if (available % rowBytes != 0) {
                throw new IOException("the file holds " + available + " data bytes, not a whole number of rows of "
                        + rowBytes + " bytes (" + header.type + " " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length))
                        + "): wrong dtype, shape or headerBytes?");
            }
            shape[0] = available / rowBytes;
        } else {
            long needed;
            try {
                needed = Math.multiplyExact(shape[0], rowBytes);
            } catch (ArithmeticException e) {
                throw new IOException("shape " + Arrays.toString(shape) + " of " + header.type + " is too large");
            }
            if (header.raw && needed != available) {
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
                throw new IOException("the header claims " + needed + " data bytes (" + header.type + " "
                        + Arrays.toString(shape) + "), the file holds only " + available + ": it is truncated");
            }
        }
        return new ProbedArray(new ArrayInput(location, mapped, dataOffset, header.type, header.bigEndian), shape);
    }

    private static void requireFile(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException("the file does not exist");
        if (!Files.isRegularFile(file)) throw new IOException("not a regular file");
    }

    private interface Probe<T> {
        T run() throws IOException;
    }

    /** Runs a probe, turning every failure into an error that names the input. */
    private static <T> T guard(Location location, Probe<T> probe) {
        try {
            return probe.run();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(location.path())) throw e;
            throw new IllegalArgumentException(location + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(location + ": " + describe(e), e);
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
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
            return new IOException("corrupt or truncated compressed data: " + describe(e), e);
        }
    }

    /**
     * Counts what a compressed tar's decoder yields outside the members' data: headers, padding,
     * long names, pax headers and the contents of non-file entries. The tar reader holds long
     * names and pax headers in memory whole, so a small compressed file that declares a huge one
     * would exhaust the heap; past {@link #MAX_TAR_OVERHEAD} bytes the archive is refused.
     */
    private static final class TarOverhead extends FilterInputStream {
        boolean inMember;
        private long bytes;

        TarOverhead(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            if (skipped > 0) count(skipped);
            return skipped;
        }

        private void count(long n) throws IOException {
            if (inMember) return;
            bytes += n;
            if (bytes > MAX_TAR_OVERHEAD) {
                throw new IOException("the tar archive's headers, long names, pax headers and non-file entries take more"
                        + " than " + (MAX_TAR_OVERHEAD >> 20) + " MiB: a corrupt archive or a decompression bomb");
            }
        }
    }

    /**
     * What an array's data is: its dtype, byte order, shape and the bytes before it, and whether
     * it was described by the caller (a raw file) or by its own {@code .npy} header.
     */
    private record Header(DataType type, boolean bigEndian, long[] shape, long dataOffset, boolean raw) {
        static Header of(RawFormat raw) {
            return new Header(raw.type(), raw.order() == ByteOrder.BIG_ENDIAN && raw.type().size() > 1, raw.shape(),
                    raw.headerBytes(), true);
        }

        /** A {@code .npy} header, checked against the raw format given for it, if any. */
        static Header npy(NpyHeader npy, RawFormat raw) throws IOException {
            Header header = new Header(npy.type(), npy.bigEndian(), npy.shape(), npy.dataOffset(), false);
            if (raw == null) return header;
            Header given = of(raw);
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
}
