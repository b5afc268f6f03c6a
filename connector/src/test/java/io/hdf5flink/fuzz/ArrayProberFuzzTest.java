package io.hdf5flink.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.format.RawFormat;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.probe.ArrayProber;
import io.hdf5flink.source.probe.ProbedArray;
import io.hdf5flink.source.input.InputOpener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the client-side prober of the array sources ({@link ArrayProber#probe}), which reads
 * untrusted input files when a source is built: {@code .npy} headers, whole-file compression
 * (gzip, bzip2, xz, zstd), zip/npz and tar archives (plain or compressed) and raw files.
 *
 * <p>The first input byte picks the file name's suffix (and with it the decoders), the rest is
 * the file. Contract: the probe returns arrays or throws an {@link IllegalArgumentException}
 * whose message starts with the file's path; never a hang, another exception, or an allocation
 * beyond a fixed budget (decoder state, such as an xz dictionary, plus a few times the input).
 * An accepted input must hold the data it claims: mapped arrays lie inside the file, and
 * streamed ones (when small) can be read by the readers' own {@link InputOpener}.
 */
class ArrayProberFuzzTest {
    static final String TARGET = "array-prober";
    /**
     * Room for decoder state (an xz dictionary of up to {@link StreamCompression#XZ_MEMORY_LIMIT_KIB},
     * bzip2's 3.6 MiB tables) and buffers; nothing may grow with what the input claims.
     */
    static final long ALLOCATION_BASE = ((long) StreamCompression.XZ_MEMORY_LIMIT_KIB << 10) + (32L << 20);
    private static final long VERIFY_LIMIT = 4L << 20;

    /** File name suffixes, chosen by the first input byte. */
    static final List<String> SUFFIXES = List.of(".npy", ".npy.gz", ".npy.bz2", ".npy.xz", ".npy.zst", ".npz", ".zip",
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst", ".bin", ".bin.gz");
    static final RawFormat RAW = RawFormat.vector(DataType.INT16, ByteOrder.LITTLE_ENDIAN);

    @TempDir
    static Path directory;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void probe(byte[] input) {
        if (input.length == 0) return;
        String suffix = SUFFIXES.get((input[0] & 0xFF) % SUFFIXES.size());
        FuzzRun.run(TARGET, ALLOCATION_BASE + 16L * input.length, suffix + " " + FuzzRun.describe(input),
                () -> probe(suffix, input));
    }

    private static void probe(String suffix, byte[] input) throws IOException {
        Path file = directory.resolve("input" + suffix);
        try (Stream<Path> old = Files.list(directory)) {
            for (Path p : old.toList()) Files.delete(p);
        }
        Files.write(file, java.util.Arrays.copyOfRange(input, 1, input.length));
        List<ProbedArray> arrays;
        try {
            arrays = ArrayProber.probe(file, RAW);
        } catch (IllegalArgumentException e) {
            FuzzRun.requireMessage(e);
            if (!e.getMessage().startsWith(file.toAbsolutePath().toString())) {
                throw new AssertionError("the refusal does not name the file first: " + e.getMessage(), e);
            }
            FuzzRun.outcome(TARGET, "refused");
            return;
        }
        if (arrays.isEmpty()) throw new AssertionError("accepted with no arrays");
        for (ProbedArray a : arrays) check(file, a);
        FuzzRun.outcome(TARGET, "accepted");
    }

    /** What an accepted array promises: its bytes are there, and readers can read them. */
    private static void check(Path file, ProbedArray a) throws IOException {
        long[] shape = a.shape();
        long elements = 1;
        for (long extent : shape) {
            if (extent < 0) throw new AssertionError(a + ": negative extent");
            elements = Math.multiplyExact(elements, extent);
        }
        long bytes = Math.multiplyExact(elements, a.input().type().size());
        long offset = a.input().dataOffset();
        if (offset < 0) throw new AssertionError(a + ": negative data offset");
        if (a.input().mapped()) {
            if (offset + bytes > Files.size(file)) {
                throw new AssertionError(a + ": mapped data [" + offset + ", " + (offset + bytes) + ") beyond the "
                        + Files.size(file) + "-byte file");
            }
        } else if (bytes <= VERIFY_LIMIT) {
            try (InputStream in = InputOpener.open(a.input().location())) {
                in.skipNBytes(offset);
                byte[] data = in.readNBytes((int) bytes);
                if (data.length != bytes) {
                    throw new AssertionError(a + ": the probe accepted " + bytes + " bytes, the reader finds "
                            + data.length);
                }
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(a + ": accepted by the probe, but the reader fails: " + e, e);
            }
        }
    }

    @AfterAll
    static void report() {
        FuzzRun.report(TARGET);
    }

    // ---- seeds: one small valid input per suffix ----

    /** Seeds: every suffix with a small valid file (archives with two members). */
    static Stream<Arguments> seeds() {
        byte[] a = NpyHeaderFuzzTest.npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (4, 3), }", 24);
        byte[] b = NpyHeaderFuzzTest.npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (5,), }", 40);
        byte[] raw = new byte[10];
        for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i * 7);
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("ch2.npy", a);
        members.put("ch10.npy", b);
        Map<String, byte[]> mixed = new LinkedHashMap<>();
        mixed.put("x.npy.gz", gzip(a));
        mixed.put("y.bin", raw);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(seed(".npy", a));
        seeds.add(seed(".npy.gz", gzip(a)));
        seeds.add(seed(".npy.bz2", bzip2(b)));
        seeds.add(seed(".npy.xz", xz(a)));
        seeds.add(seed(".npy.zst", zstd(b)));
        seeds.add(seed(".npz", zip(members, false)));
        seeds.add(seed(".zip", zip(mixed, true)));
        seeds.add(seed(".zip", zip(members, true)));
        seeds.add(seed(".tar", tar(members)));
        seeds.add(seed(".tar", tar(mixed)));
        seeds.add(seed(".tar.gz", gzip(tar(members))));
        seeds.add(seed(".tgz", gzip(tar(mixed))));
        seeds.add(seed(".tar.bz2", bzip2(tar(members))));
        seeds.add(seed(".tar.xz", xz(tar(members))));
        seeds.add(seed(".tar.zst", zstd(tar(mixed))));
        seeds.add(seed(".bin", raw));
        seeds.add(seed(".bin.gz", gzip(raw)));
        return seeds.stream().map(s -> Arguments.of((Object) s));
    }

    static byte[] seed(String suffix, byte[] file) {
        byte[] s = new byte[file.length + 1];
        s[0] = (byte) SUFFIXES.indexOf(suffix);
        System.arraycopy(file, 0, s, 1, file.length);
        return s;
    }

    interface Encoder {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    static byte[] encode(byte[] data, Encoder encoder) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = encoder.wrap(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        return encode(data, GZIPOutputStream::new);
    }

    static byte[] bzip2(byte[] data) {
        return encode(data, out -> new BZip2CompressorOutputStream(out, 1));
    }

    static byte[] xz(byte[] data) {
        return encode(data, out -> new XZCompressorOutputStream(out, 0));
    }

    static byte[] zstd(byte[] data) {
        return encode(data, io.airlift.compress.zstd.ZstdOutputStream::new);
    }

    static byte[] zip(Map<String, byte[]> members, boolean deflate) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                ZipEntry e = new ZipEntry(m.getKey());
                if (!deflate) {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(m.getValue().length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(m.getValue());
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(m.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] tar(Map<String, byte[]> members) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry dir = new TarArchiveEntry("d/");
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey());
                e.setSize(m.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
