package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid HDF5 files, and files that are not, that the engine must refuse to append to: on
 * {@link Hdf5File#openForAppend} when the whole file is out of reach, on opening the dataset or
 * group when only that object is. Each refusal is an {@link Hdf5Exception} whose message names
 * the file and the feature, and leaves the file byte for byte as it was (and unlocked: the same
 * refusal comes again, not "another writer").
 */
class UnsupportedFileInteropTest {
    @TempDir static Path dir;

    /** Every file of this test, made by h5py in one run of the reference library. */
    @BeforeAll
    static void makeFiles() throws IOException {
        ReferenceLibrary.requireAvailable();
        ReferenceLibrary.runPython("""
                import os, sys, h5py, hdf5plugin, numpy as np
                d = sys.argv[1]
                p = lambda name: os.path.join(d, name)
                def chunked(f, name, **kw):
                    kw.setdefault("dtype", "<i4")
                    return f.create_dataset(name, shape=(10,), maxshape=(None,), chunks=(4,), **kw)
                def plain(name, **kw):
                    f = h5py.File(p(name), "w", **kw)
                    chunked(f, "ok")[...] = np.arange(10)
                    return f

                # libver='latest' with partial edge chunks stored unfiltered (H5Pset_chunk_opts, which h5py does not wrap).
                import ctypes, glob
                libhdf5 = ctypes.CDLL(sorted(glob.glob("/usr/lib/x86_64-linux-gnu/libhdf5_serial.so*"))[0])
                with h5py.File(p("partial_unfiltered.h5"), "w", libver="latest") as f:
                    chunked(f, "ok")[...] = np.arange(10)
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_chunk((4,))
                    dcpl.set_deflate(4)
                    assert libhdf5.H5Pset_chunk_opts(ctypes.c_int64(dcpl.id), ctypes.c_uint(2)) >= 0
                    h5py.h5d.create(f.id, b"data", h5py.h5t.STD_I32LE, h5py.h5s.create_simple((10,), (h5py.h5s.UNLIMITED,)), dcpl=dcpl)
                    f["data"][...] = np.arange(10)
                with plain("contiguous.h5") as f:
                    f.create_dataset("data", data=np.arange(10))
                with plain("compact.h5") as f:
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_layout(h5py.h5d.COMPACT)
                    h5py.h5d.create(f.id, b"data", h5py.h5t.STD_I32LE, h5py.h5s.create_simple((4,)), dcpl=dcpl)
                with plain("external_storage.h5") as f:
                    f.create_dataset("data", shape=(10,), dtype="<i4", external=[(p("raw.bin"), 0, 40)])
                with plain("big_endian.h5") as f:
                    chunked(f, "data", dtype=">i4")[...] = np.arange(10)
                with plain("committed_type.h5") as f:
                    f["t"] = np.dtype("<i4")
                    chunked(f, "data", dtype=f["t"])[...] = np.arange(10)
                with plain("strings.h5") as f:
                    chunked(f, "data", dtype="S8")
                with plain("compound.h5") as f:
                    chunked(f, "data", dtype=[("a", "<i4"), ("b", "<f8")])
                with plain("enum.h5") as f:
                    chunked(f, "data", dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="i1"))
                with plain("big_endian_complex.h5") as f:
                    chunked(f, "data", dtype=">c8")[...] = np.arange(10) * (1 + 2j)
                with plain("custom_float.h5") as f:
                    # 4 bytes, 32 bits of precision, but not IEEE binary32: 11-bit exponent, 20-bit mantissa.
                    t = h5py.h5t.IEEE_F32LE.copy()
                    t.set_fields(31, 20, 11, 0, 20)
                    t.set_ebias(1023)
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_chunk((4,))
                    h5py.h5d.create(f.id, b"data", t, h5py.h5s.create_simple((10,), (h5py.h5s.UNLIMITED,)), dcpl=dcpl)
                    f["data"][...] = np.arange(10) * 1.5
                with plain("blosc2.h5") as f:
                    # Blosc2's registered id, whose plugin is not installed: libhdf5 records the optional filter, skips it.
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_chunk((4,))
                    dcpl.set_filter(32026, h5py.h5z.FLAG_OPTIONAL, ())
                    h5py.h5d.create(f.id, b"data", h5py.h5t.STD_I32LE, h5py.h5s.create_simple((10,), (h5py.h5s.UNLIMITED,)), dcpl=dcpl)
                    f["data"][...] = np.arange(10)
                with plain("scaleoffset.h5") as f:
                    chunked(f, "data", scaleoffset=0)[...] = np.arange(10)
                with plain("szip.h5") as f:
                    chunked(f, "data", compression="szip", compression_opts=("nn", 4))[...] = np.arange(10)
                with plain("nbit.h5") as f:
                    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                    dcpl.set_chunk((4,))
                    dcpl.set_filter(h5py.h5z.FILTER_NBIT)
                    h5py.h5d.create(f.id, b"data", h5py.h5t.STD_I32LE,
                                    h5py.h5s.create_simple((10,), (h5py.h5s.UNLIMITED,)), dcpl=dcpl)
                with plain("userblock.h5", userblock_size=512) as f:
                    pass
                fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
                fcpl.set_sizes(4, 4)
                h5py.h5f.create(p("offsets4.h5").encode(), fcpl=fcpl).close()
                with plain("truncated.h5") as f:
                    chunked(f, "more")[...] = np.arange(10)
                size = os.path.getsize(p("truncated.h5"))
                os.truncate(p("truncated.h5"), size // 2)
                with plain("stub.h5") as f:
                    pass
                os.truncate(p("stub.h5"), 50)
                """, dir.toString());
        Files.writeString(dir.resolve("notes.h5"), "just some text, not HDF5 at all\n".repeat(20));
        Files.write(dir.resolve("empty.h5"), new byte[0]);
    }

    // ---- the whole file is refused -------------------------------------------------------------

    /**
     * Issue 18: libver='latest' datasets are re-indexed with a version 1 B-tree when changed, but
     * not one whose partial edge chunks libhdf5 stores unfiltered, which that index cannot say.
     */
    @Test
    void partialEdgeChunksStoredUnfiltered() {
        refusedObject("partial_unfiltered.h5", f -> f.dataset("/data"), "/data", "partial edge chunks are stored unfiltered");
    }

    @Test
    void fourByteOffsets() {
        refusedOnOpen("offsets4.h5", "offsets of 4 bytes");
    }

    @Test
    void notHdf5AtAll() {
        assertAll(
                () -> refusedOnOpen("notes.h5", "is not an HDF5 file"),
                () -> refusedOnOpen("empty.h5", "is not an HDF5 file"));
    }

    @Test
    void truncatedFiles() {
        assertAll(
                () -> refusedOnOpen("truncated.h5", "is truncated"),
                () -> refusedOnOpen("stub.h5", "is truncated"));
    }

    /** libhdf5 finds the superblock at 512 (and every power of two after it); the engine must name the user block, not call the file non-HDF5. */
    @Test
    void userBlock() {
        refusedOnOpen("userblock.h5", "user block");
    }

    // ---- the file opens, one object is refused -------------------------------------------------

    @Test
    void contiguousDataset() {
        refusedObject("contiguous.h5", f -> f.dataset("/data"), "/data", "contiguous");
    }

    @Test
    void compactDataset() {
        refusedObject("compact.h5", f -> f.dataset("/data"), "/data", "compact");
    }

    @Test
    void externalStorage() {
        refusedObject("external_storage.h5", f -> f.dataset("/data"), "/data", "external");
    }

    @Test
    void bigEndianDataset() {
        refusedObject("big_endian.h5", f -> f.dataset("/data"), "/data", "big-endian");
    }

    @Test
    void datasetOfACommittedDatatype() {
        assertAll(
                () -> refusedObject("committed_type.h5", f -> f.dataset("/data"), "/data", "committed", "datatype"),
                () -> refusedObject("committed_type.h5", f -> f.dataset("/t"), "/t", "committed datatype"));
    }

    @Test
    void nonNumericDatatypes() {
        assertAll(
                () -> refusedObject("strings.h5", f -> f.dataset("/data"), "/data", "string"),
                () -> refusedObject("compound.h5", f -> f.dataset("/data"), "/data", "compound"),
                // An enumeration other than h5py's bool (FALSE = 0, TRUE = 1).
                () -> refusedObject("enum.h5", f -> f.dataset("/data"), "/data", "enumerated"),
                () -> refusedObject("big_endian_complex.h5", f -> f.dataset("/data"), "/data", "big-endian"));
    }

    /** Same size and precision as float32, other bit fields: the engine's IEEE bytes would read as other numbers. */
    @Test
    void floatOfFourBytesThatIsNotIeeeBinary32() {
        refusedObject("custom_float.h5", f -> f.dataset("/data"), "/data", "floating-point");
    }

    @Test
    void filtersTheEngineCannotApply() {
        assertAll(
                () -> refusedObject("blosc2.h5", f -> f.dataset("/data"), "/data", "filter 32026", "not supported"),
                () -> refusedObject("scaleoffset.h5", f -> f.dataset("/data"), "/data", "filter 6", "not supported"),
                () -> refusedObject("szip.h5", f -> f.dataset("/data"), "/data", "filter 4", "not supported"),
                () -> refusedObject("nbit.h5", f -> f.dataset("/data"), "/data", "filter 5", "not supported"));
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** openForAppend must refuse the file; the message names the file and has every fragment. */
    private static void refusedOnOpen(String name, String... fragments) {
        Path file = dir.resolve(name);
        String before = sha256(file);
        for (int attempt = 0; attempt < 2; attempt++) {
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(file).abandon(),
                    name + " must be refused (attempt " + (attempt + 1) + ")");
            assertMessage(e, file, fragments);
        }
        assertEquals(before, sha256(file), name + " must be left unchanged");
    }

    /**
     * The file opens, and its untouched other dataset reads right; {@code open} must be refused
     * with a message naming the file, the object and every fragment. The file is closed (which
     * commits nothing) and must then be unchanged.
     */
    private static void refusedObject(String name, Consumer<Hdf5File> open, String object, String... fragments) {
        Path file = dir.resolve(name);
        String before = sha256(file);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Dataset ok = f.dataset("/ok");
            ByteBuffer b = ok.read(new long[] {0}, new long[] {10});
            int[] values = new int[10];
            b.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(values);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, values, name + ": /ok");
            for (int attempt = 0; attempt < 2; attempt++) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> open.accept(f),
                        name + ": " + object + " must be refused (attempt " + (attempt + 1) + ")");
                assertAll(name + ": " + object,
                        () -> assertMessage(e, file, append(fragments, object)),
                        () -> assertTrue(e instanceof Hdf5Exception,
                                "the refusal must be an Hdf5Exception, as the API documents, got " + e));
            }
        }
        assertEquals(before, sha256(file), name + " must be left unchanged");
    }

    private static String[] append(String[] fragments, String more) {
        String[] all = java.util.Arrays.copyOf(fragments, fragments.length + 1);
        all[fragments.length] = more;
        return all;
    }

    private static void assertMessage(Exception e, Path file, String... fragments) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        assertTrue(message.contains(file.toString()), "the message must name the file " + file + ": " + message);
        for (String f : fragments) {
            assertTrue(message.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT)),
                    "the message must mention '" + f + "': " + message);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
