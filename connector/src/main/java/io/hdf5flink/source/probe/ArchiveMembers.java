package io.hdf5flink.source.probe;

import io.hdf5flink.source.format.RawFormat;
import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.InputOpener;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.source.input.NaturalOrder;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;

/**
 * Expands archives into the arrays their members hold, in {@link NaturalOrder} of member names:
 * zip and {@code .npz} (stored members mapped in place, compressed ones decoded), and tar, plain
 * (members mapped in place) or compressed (decoded once, its overhead bounded). Member names must
 * be unique, as readers find members by name.
 */
final class ArchiveMembers {
    /**
     * How many bytes of a compressed tar may be other than its members' data (headers take 512
     * bytes, and up to two more records for long names and pax headers, per member; padding up to
     * 511): room for tens of thousands of members.
     */
    static final long MAX_TAR_OVERHEAD = 32 << 20;

    /**
     * The zip compression methods read: stored, deflated, deflate64 and bzip2, the four numpy and
     * zip tools use. commons-compress also reads xz members, with no bound on the dictionary the
     * stream header makes it allocate, and zstd members.
     */
    private static final Set<Integer> ZIP_METHODS = Set.of(ZipMethod.STORED.getCode(),
            ZipMethod.DEFLATED.getCode(), ZipMethod.ENHANCED_DEFLATED.getCode(), ZipMethod.BZIP2.getCode());

    private ArchiveMembers() {}

    static List<ProbedArray> zip(Path file, RawFormat raw) throws IOException {
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
                arrays.add(ArrayProber.guard(location, () -> {
                    if (!zip.canReadEntryData(entry) || !ZIP_METHODS.contains(entry.getMethod())) {
                        throw new IOException("the member is encrypted or uses an unsupported zip compression method "
                                + entry.getMethod());
                    }
                    // np.savez stores members uncompressed: those are mapped in place.
                    if (entry.getMethod() == ZipArchiveEntry.STORED && mc == StreamCompression.NONE) {
                        return ArrayData.mapped(location, entry.getDataOffset(), entry.getSize(), raw);
                    }
                    try (InputStream member = zip.getInputStream(entry); InputStream in = mc.decode(member)) {
                        ProbedArray array = ArrayData.streamed(location, in, raw);
                        if (mc != StreamCompression.NONE) drainMember(member, entry);
                        return array;
                    }
                }));
            }
        }
        return members(arrays);
    }

    /**
     * Reads the rest of a compressed zip member whose inner stream (a {@code .gz} in the zip) has
     * ended: the readers read a member ahead of its inner decoder (buffered), so every byte of it
     * must decode, or a member the probe accepted fails the job (found by fuzzing: corrupt
     * deflate data after the end of the gzip stream inside). Bounded by the size the archive
     * declares for the member (when it declares none, by what its compressed bytes can expand to).
     */
    private static void drainMember(InputStream member, ZipArchiveEntry entry) throws IOException {
        long declared = entry.getSize();
        long limit = declared >= 0 ? declared : Long.MAX_VALUE - 1;
        byte[] buffer = new byte[1 << 16];
        long read = 0;
        try {
            for (int n; read <= limit && (n = member.read(buffer)) >= 0; ) read += n;
        } catch (IOException e) {
            throw new IOException("the member's compressed data is corrupt after its array: " + e.getMessage(), e);
        }
        if (read > limit) {
            throw new IOException("the member decodes to more than the " + limit + " bytes its archive entry declares");
        }
    }

    static List<ProbedArray> tar(Path file, StreamCompression compression, RawFormat raw) throws IOException {
        List<ProbedArray> arrays = new ArrayList<>();
        if (compression == StreamCompression.NONE) {
            // An uncompressed tar stores members contiguously, so they are mapped in place.
            try (TarFile tar = new TarFile(file)) {
                for (TarArchiveEntry entry : tar.getEntries()) {
                    if (!entry.isFile()) continue;
                    StreamCompression mc = StreamCompression.ofName(entry.getName());
                    Location location = Location.member(file.toString(), compression, Archive.TAR, entry.getName(), mc);
                    arrays.add(ArrayProber.guard(location, () -> {
                        if (mc == StreamCompression.NONE && !entry.isSparse()) {
                            return ArrayData.mapped(location, entry.getDataOffset(), entry.getSize(), raw);
                        }
                        try (InputStream in = mc.decode(tar.getInputStream(entry))) {
                            return ArrayData.streamed(location, in, raw);
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
                        arrays.add(ArrayProber.guard(location, () -> ArrayData.streamed(location, mc.decode(tar), raw)));
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
}
