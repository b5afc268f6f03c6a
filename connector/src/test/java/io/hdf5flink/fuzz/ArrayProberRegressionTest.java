package io.hdf5flink.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.source.probe.ArrayProber;
import io.hdf5flink.source.probe.ProbedArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prober's fuzz findings, each with the input that showed it, built here: the probe must
 * refuse these quickly, with the file named, and without allocating in proportion to what the
 * input claims.
 */
class ArrayProberRegressionTest {
    private static final Duration QUICKLY = Duration.ofSeconds(20);
    private static final long ALLOCATION_LIMIT = 192L << 20;
    private static final String DICT = "{'descr': '<i2', 'fortran_order': False, 'shape': (4,), }";

    @TempDir
    Path directory;

    /**
     * A 1 MiB {@code .npy.zst} whose header declares 8 data bytes decoded to 32 GiB of zeros, all
     * of which the probe decoded (in under 2 s, as the zstd blocks are RLE; a 32 MiB file took a
     * minute). It now stops 1 MiB past the declared array.
     */
    @Test
    void decodesCompressedArraysOnlyAsFarAsTheirHeaderDeclares() throws IOException {
        byte[] header = concat(Bombs.npyHeader(DICT), new byte[8]);
        Path zst = write("bomb.npy.zst", Bombs.zstd(header, 32L << 30));
        assertTrue(Files.size(zst) < (1100 << 10), Files.size(zst) + " bytes");
        assertRefused(zst, "by more than 1048576 bytes: a corrupt file or a decompression bomb");

        // The same with gzip (a ratio of ~1000: 64 KiB for 64 MiB), and data just within the allowance.
        assertRefused(write("bomb.npy.gz", gzip(concat(header, new byte[64 << 20]))), "decompression bomb");
        Path padded = write("padded.npy.gz", gzip(concat(header, new byte[1 << 20])));
        assertEquals(List.of(4L), List.of(probe(padded).get(0).rows()));
    }

    /**
     * A 33 KiB {@code .tar.zst} whose first entry is a GNU long name of 256 MiB: commons-compress
     * reads a long name into memory whole, so the probe allocated 0.5 GiB, and with a 1 GiB name an
     * OutOfMemoryError. Likewise for a pax header record.
     */
    @Test
    void refusesCompressedTarsWithHugeLongNamesOrPaxHeaders() throws IOException {
        byte[] member = concat(Bombs.npyHeader(DICT), new byte[8]);
        byte[] file = concat(Bombs.tarHeader("x.npy", '0', member.length), member, new byte[512 - member.length]);

        long longName = 256L << 20;
        Path tar = write("longname.tar.zst",
                concat(Bombs.zstd(Bombs.tarHeader("././@LongLink", 'L', longName), longName)));
        assertRefused(tar, "long names, pax headers and non-file entries take more than 32 MiB");

        byte[] record = "268435456 comment=".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] pax = Bombs.zstd(concat(Bombs.tarHeader("pax", 'x', longName), record), longName);
        assertRefused(write("pax.tar.zst", pax), "take more than 32 MiB");

        // A well-formed archive with both kinds of header is still read.
        byte[] plain = concat(Bombs.tarHeader("././@LongLink", 'L', 6), "y.npy\0".getBytes(), new byte[506], file);
        assertEquals(1, probe(write("ok.tar.zst", Bombs.zstd(plain, 0))).size());
    }

    /**
     * A 144-byte {@code .npy.xz} whose block header asks for a 1 GiB LZMA2 dictionary, which the
     * decoder allocated at once (an OutOfMemoryError with a 256 MiB heap).
     */
    @Test
    void refusesXzStreamsThatNeedHugeDictionaries() throws IOException {
        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZCompressorOutputStream out = new XZCompressorOutputStream(xz, 0)) {
            out.write(concat(Bombs.npyHeader(DICT), new byte[8]));
        }
        assertEquals(4, probe(write("ok.npy.xz", xz.toByteArray())).get(0).rows());
        Path bomb = write("dict.npy.xz", Bombs.xzWithDictionaryProps(xz.toByteArray(), 36));
        assertRefused(bomb, "the xz stream needs 1024 MiB of memory to decode, more than the 128 MiB allowed");
    }

    /**
     * Found by the fuzzer (input {@code ArrayProberFuzzTestInputs/probe/zip-stored-member-size-beyond-file}):
     * a zip whose central directory gives a stored member a larger uncompressed size than the file
     * has bytes was accepted, to be mapped past the file's end when the job ran.
     */
    @Test
    void refusesArchiveMembersThatClaimBytesBeyondTheFile() throws IOException {
        byte[] npy = concat(Bombs.npyHeader(DICT), new byte[8]);
        byte[] zip = ArrayProberFuzzTest.zip(Map.of("a.npy", npy), false);
        assertEquals(1, probe(write("ok.npz", zip)).size());
        int central = indexOf(zip, new byte[] {'P', 'K', 1, 2});
        ByteBuffer.wrap(zip, central + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30); // uncompressed size
        assertRefused(write("long.npz", zip), "claims 1073741824 bytes at offset");

        byte[] found = Files.readAllBytes(Path.of(resource("ArrayProberFuzzTestInputs/probe/zip-stored-member-size-beyond-file")));
        assertEquals(".npz", ArrayProberFuzzTest.SUFFIXES.get(found[0]));
        // Its member has an empty name, which makes it a raw array (int16, as the fuzz test reads raw files).
        assertRefused(write("found.npz", java.util.Arrays.copyOfRange(found, 1, found.length)), ArrayProberFuzzTest.RAW,
                "beyond the 524-byte file");

        // A tar member whose header claims more than the file holds is refused as well.
        byte[] tar = ArrayProberFuzzTest.tar(Map.of("a.npy", npy));
        Path truncated = write("short.tar", java.util.Arrays.copyOf(tar, 1024 + npy.length - 4));
        assertThrows(IllegalArgumentException.class, () -> ArrayProber.probe(truncated, null));
    }

    /**
     * Found by the fuzzer: a zip member with compression method 93 (zstd) made commons-compress
     * load the native zstd-jni, which is absent: a NoClassDefFoundError escaped the probe. An xz
     * member (method 95), read by commons-compress without a memory limit, allocated the 1 GiB
     * dictionary its stream asked for.
     */
    @Test
    void refusesZipMembersCompressedWithZstdOrXz() throws IOException {
        byte[] npy = concat(Bombs.npyHeader(DICT), new byte[8]);
        assertRefused(write("zstd.npz", withMethod(ArrayProberFuzzTest.zip(Map.of("a.npy", npy), false), 93)),
                "(archive member a.npy): the member is encrypted or uses an unsupported zip compression method 93");

        ByteArrayOutputStream xz = new ByteArrayOutputStream();
        try (XZCompressorOutputStream out = new XZCompressorOutputStream(xz, 0)) {
            out.write(npy);
        }
        byte[] bomb = Bombs.xzWithDictionaryProps(xz.toByteArray(), 36);
        assertRefused(write("xz.npz", withMethod(ArrayProberFuzzTest.zip(Map.of("a.npy", bomb), false), 95)),
                "unsupported zip compression method 95");
    }

    /** A one-member zip with the member's compression method changed in both headers. */
    private static byte[] withMethod(byte[] zip, int method) {
        byte[] out = zip.clone();
        ByteBuffer.wrap(out, indexOf(out, new byte[] {'P', 'K', 3, 4}) + 8, 2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) method);
        ByteBuffer.wrap(out, indexOf(out, new byte[] {'P', 'K', 1, 2}) + 10, 2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) method);
        return out;
    }

    private static java.net.URI resource(String name) {
        try {
            return ArrayProberRegressionTest.class.getResource(name).toURI();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(directory.resolve(name), bytes);
    }

    private static List<ProbedArray> probe(Path file) {
        return ArrayProber.probe(file, null);
    }

    private static void assertRefused(Path file, String expected) {
        assertRefused(file, null, expected);
    }

    private static void assertRefused(Path file, io.hdf5flink.source.format.RawFormat raw, String expected) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String message = assertTimeoutPreemptively(QUICKLY, () -> {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrayProber.probe(file, raw));
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(allocated < ALLOCATION_LIMIT, "refusing " + file + " allocated " + (allocated >> 20) + " MiB");
            return e.getMessage();
        });
        assertTrue(message.startsWith(file.toAbsolutePath().toString()), message);
        assertTrue(message.contains(expected), message);
    }

    static byte[] concat(byte[]... parts) {
        return Bombs.concat(parts);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
