package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * float16, bool, complex64 and complex128 as h5py has them: the engine writes them in h5py's
 * datatype encodings (libhdf5 reads the same type as for a dataset h5py made) and h5py reads them
 * back as those dtypes, value for value, with NaN and infinities, fill values and attributes;
 * the engine opens datasets h5py made of each, reads them, and appends to them from either byte
 * order. (The dtype x codec matrix of {@code H5pyAppendInteropTest} and {@code EngineInteropTest}
 * covers these types with the standard pattern; this test covers their special values.)
 */
class DataTypesInteropTest {
    private static final long U = DatasetSpec.UNLIMITED;
    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    @TempDir Path dir;

    @BeforeAll
    static void referenceLibraryIsThere() {
        ReferenceLibrary.requireAvailable();
    }

    /** Twelve doubles for three rows of four: zeros of both signs, infinities, NaN, a subnormal float16, rounding. */
    private static final double[] SPECIAL = {0.0, -0.0, 1.5, -2.5, INF, -INF, NAN, 65504, 3e-7, 1.1, -1e5, 0.1};

    @Test
    void engineWritesEachTypeSoH5pyReadsItAsThatDtype() throws IOException {
        Path file = dir.resolve("engine.h5");
        try (Hdf5File f = Hdf5File.create(file)) {
            Hdf5Dataset halves = f.createDataset("/f2", spec(DataType.FLOAT16).fillValue(NAN)
                    .attribute("scale", AttributeValue.scalar(DataType.FLOAT16, 0.1))
                    .attribute("specials", AttributeValue.array(DataType.FLOAT16, boxed(SPECIAL))).build());
            short[] bits = new short[SPECIAL.length];
            for (int i = 0; i < bits.length; i++) bits[i] = io.hdf5flink.hdf5.testing.HalfFloats.fromDouble(SPECIAL[i]);
            halves.appendValues(bits);
            halves.append(bigEndian(DataType.FLOAT16, new double[] {7, -0.5, 1024, 2049}));

            Hdf5Dataset flags = f.createDataset("/b1", spec(DataType.BOOL).fillValue(1)
                    .attribute("on", AttributeValue.scalar(DataType.BOOL, 1))
                    .attribute("mask", AttributeValue.array(DataType.BOOL, 1, 0, 0, 1)).build());
            flags.appendValues(new boolean[] {true, false, false, true, false, true, true, true});
            flags.appendValues(new byte[] {0, 0, 1, 0});
            flags.appendValues(new boolean[] {true, true, true, true});

            Hdf5Dataset single = f.createDataset("/c8", spec(DataType.COMPLEX64).fillValue(-1.5)
                    .attribute("gain", AttributeValue.scalar(DataType.COMPLEX64, 2.5))
                    .attribute("taps", AttributeValue.array(DataType.COMPLEX64, 1, NAN, INF)).build());
            float[] parts = new float[2 * SPECIAL.length];
            for (int i = 0; i < SPECIAL.length; i++) {
                parts[2 * i] = (float) SPECIAL[i];
                parts[2 * i + 1] = (float) SPECIAL[SPECIAL.length - 1 - i];
            }
            single.appendValues(parts);
            single.append(bigEndian(DataType.COMPLEX64, new double[] {1, 2, 3, 4, -5, -6, NAN, INF}));

            Hdf5Dataset dbl = f.createDataset("/c16", spec(DataType.COMPLEX128)
                    .attribute("gain", AttributeValue.scalar(DataType.COMPLEX128, -0.0)).build());
            double[] wide = new double[2 * SPECIAL.length];
            for (int i = 0; i < SPECIAL.length; i++) {
                wide[2 * i] = SPECIAL[i];
                wide[2 * i + 1] = SPECIAL[(i + 1) % SPECIAL.length];
            }
            dbl.appendValues(wide);
            dbl.append(bigEndian(DataType.COMPLEX128, new double[] {1e300, -1e-300, NAN, -INF, 0.5, 0.25, 8, 9}));

            // A row of fill: unwritten elements read as the fill value.
            for (Hdf5Dataset d : List.of(halves, flags, single, dbl)) d.resize(d.shape()[0] + 1, 4);
        }
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "S = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 65504, 3e-7, 1.1, -1e5, 0.1]",
                "def same(a, b, what):",
                "    a, b = np.asarray(a), np.asarray(b)",
                "    assert a.dtype == b.dtype, (what, a.dtype, b.dtype)",
                "    assert a.tobytes() == b.tobytes(), (what, a, b)",
                "f = h5py.File(sys.argv[1], 'r')",
                "made = h5py.File(sys.argv[2], 'w')",
                "for name, dtype in [('f2', np.float16), ('b1', np.bool_), ('c8', np.complex64), ('c16', np.complex128)]:",
                "    d = f[name]",
                "    assert d.dtype == dtype and d.shape == (5, 4) and d.maxshape == (None, 4), (name, d.dtype, d.shape)",
                "    assert d.shuffle and d.compression == 'gzip', name",
                "    own = made.create_dataset(name, (0, 4), dtype=dtype, maxshape=(None, 4), chunks=(4, 4))",
                "    assert d.id.get_type().encode() == own.id.get_type().encode(), (name, 'the datatype h5py writes')",
                "f2 = np.array(S + [7, -0.5, 1024, 2049, np.nan, np.nan, np.nan, np.nan]).astype(np.float16).reshape(5, 4)",
                "same(f['f2'][()], f2, 'f2')",
                "same(f['f2'].fillvalue, np.float16(np.nan), 'f2 fill')",
                "same(f['f2'].attrs['scale'], np.float16(0.1), 'f2 scalar attribute')",
                "same(f['f2'].attrs['specials'], np.array(S).astype(np.float16), 'f2 array attribute')",
                "b1 = np.array([1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1], dtype=bool).reshape(4, 4)",
                "same(f['b1'][:4], b1, 'b1')",
                "same(f['b1'][4], np.ones(4, dtype=bool), 'b1 fill row')",
                "same(f['b1'].fillvalue, np.True_, 'b1 fill')",
                "same(f['b1'].attrs['on'], np.True_, 'b1 scalar attribute')",
                "same(f['b1'].attrs['mask'], np.array([1, 0, 0, 1], dtype=bool), 'b1 array attribute')",
                "c8 = np.empty(16, dtype=np.complex64)",
                "c8.real[:12] = S; c8.imag[:12] = S[::-1]",
                "c8[12:] = np.array([1 + 2j, 3 + 4j, -5 - 6j, complex(np.nan, np.inf)], dtype=np.complex64)",
                "same(f['c8'][:4].ravel(), c8, 'c8')",
                "same(f['c8'][4], np.full(4, -1.5 + 0j, dtype=np.complex64), 'c8 fill row')",
                "same(f['c8'].attrs['gain'], np.complex64(2.5), 'c8 scalar attribute')",
                "same(f['c8'].attrs['taps'], np.array([1, np.nan, np.inf], dtype=np.complex64), 'c8 array attribute')",
                "c16 = np.empty(16, dtype=np.complex128)",
                "c16.real[:12] = S; c16.imag[:12] = S[1:] + S[:1]",
                "c16.real[12:] = [1e300, np.nan, 0.5, 8]; c16.imag[12:] = [-1e-300, -np.inf, 0.25, 9]",
                "same(f['c16'][:4].ravel(), c16, 'c16')",
                "same(f['c16'][4], np.zeros(4, dtype=np.complex128), 'c16 fill row')",
                "same(f['c16'].attrs['gain'], np.complex128(-0.0), 'c16 scalar attribute')"),
                file.toString(), dir.resolve("h5py-made.h5").toString());
        // jhdf too: dtypes, shapes, filters and every value.
        HdfAssertions.assertReadableByAll(file, ExpectedFile.create().superblockVersion(0)
                .dataset("/f2", d -> d.dtype("<f2").shape(5, 4).maxshape(ExpectedFile.UNLIMITED, 4).chunks(4, 4)
                        .filters(FilterInfo.shuffle(2), FilterInfo.deflate(4)).fill(NAN))
                .dataset("/b1", d -> d.dtype("|b1").shape(5, 4).filters(FilterInfo.shuffle(1), FilterInfo.deflate(4)).fill(1))
                .dataset("/c8", d -> d.dtype("<c8").shape(5, 4).filters(FilterInfo.shuffle(8), FilterInfo.deflate(4))
                        .fill(List.of(-1.5, 0.0)))
                .dataset("/c16", d -> d.dtype("<c16").shape(5, 4).filters(FilterInfo.shuffle(16), FilterInfo.deflate(4))
                        .fill(List.of(0.0, 0.0)))
                .build());
    }

    @Test
    void float16RoundsAsNumpyDoes() throws IOException {
        // Every kind of double: ties between neighbours, subnormals, the edges of overflow, random ones.
        SplittableRandom random = new SplittableRandom(2);
        double[] values = new double[4000];
        for (int i = 0; i < values.length; i++) {
            double v = Math.scalb(random.nextDouble(-1, 1), random.nextInt(-28, 18));
            if (i % 4 == 0) {
                short h = (short) random.nextInt(0x7C00);
                v = (io.hdf5flink.hdf5.testing.HalfFloats.toDouble(h) + io.hdf5flink.hdf5.testing.HalfFloats.toDouble((short) (h + 1))) / 2;
            }
            values[i] = v;
        }
        values[0] = 65520;
        values[1] = Math.nextDown(65520.0);
        values[2] = 0x1p-25;
        values[3] = Math.nextUp(0x1p-25);
        Path file = dir.resolve("rounding.h5");
        try (Hdf5File f = Hdf5File.create(file)) {
            f.root().setAttribute("rounded", AttributeValue.array(DataType.FLOAT16, boxed(values)));
            f.createDataset("/filled", DatasetSpec.builder(DataType.FLOAT16, 4).chunks(4).fillValue(1 / 3.0).build());
        }
        Path doubles = dir.resolve("values.f8");
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        Files.write(doubles, b.array());
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "f = h5py.File(sys.argv[1], 'r')",
                "expected = np.fromfile(sys.argv[2], '<f8').astype(np.float16)",
                "got = f.attrs['rounded']",
                "assert got.dtype == np.float16",
                "bad = np.nonzero(got.view('<u2') != expected.view('<u2'))[0]",
                "assert bad.size == 0, [(float(np.fromfile(sys.argv[2], '<f8')[i]), hex(got.view('<u2')[i]),",
                "                        hex(expected.view('<u2')[i])) for i in bad[:10]]",
                "assert f['filled'][()].tobytes() == np.full(4, 1 / 3, dtype=np.float16).tobytes()"),
                file.toString(), doubles.toString());
    }

    @Test
    void engineReadsAndAppendsToH5pysDatasetsOfEachType() {
        Path file = dir.resolve("h5py.h5");
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "S = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 65504]",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f.create_dataset('f2', data=np.array(S, dtype=np.float16).reshape(4, 2), maxshape=(None, 2),",
                "                     chunks=(3, 2), fillvalue=np.float16(-1), compression='gzip', shuffle=True)",
                "    f.create_dataset('b1', data=np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=bool).reshape(4, 2), maxshape=(None, 2),",
                "                     chunks=(3, 2), fillvalue=True, compression='lzf', shuffle=True)",
                "    c = np.empty(8, dtype=np.complex64); c.real = S; c.imag = S[::-1]",
                "    f.create_dataset('c8', data=c.reshape(4, 2), maxshape=(None, 2), chunks=(3, 2), fillvalue=2 - 1j)",
                "    f.create_dataset('c16', data=c.astype(np.complex128).reshape(4, 2), maxshape=(None, 2), chunks=(3, 2),",
                "                     fletcher32=True)",
                "    for name in f: f[name].attrs['kind'] = f[name].dtype.str"),
                file.toString());
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            assertEquals(DataType.FLOAT16, f.dataset("/f2").dataType());
            assertEquals(DataType.BOOL, f.dataset("/b1").dataType());
            assertEquals(DataType.COMPLEX64, f.dataset("/c8").dataType());
            assertEquals(DataType.COMPLEX128, f.dataset("/c16").dataType());
            assertArrayEquals(new byte[] {0, (byte) 0xBC}, f.dataset("/f2").fillValue(), "float16 -1");
            assertArrayEquals(new byte[] {1}, f.dataset("/b1").fillValue());
            assertArrayEquals(le(DataType.COMPLEX64, 2, -1), f.dataset("/c8").fillValue());
            assertArrayEquals(new byte[] {1, 0, 1, 1, 0, 0, 1, 0}, bytes(f.dataset("/b1").read(new long[] {0, 0}, new long[] {4, 2})));
            assertArrayEquals(le(DataType.COMPLEX64, 0, 65504, -0.0, NAN),
                    bytes(f.dataset("/c8").read(new long[] {0, 0}, new long[] {1, 2})));
            f.dataset("/f2").append(bigEndian(DataType.FLOAT16, new double[] {0.5, -0.25, NAN, 3}));
            f.dataset("/b1").appendValues(new boolean[] {false, true, true, false});
            f.dataset("/c8").append(bigEndian(DataType.COMPLEX64, new double[] {1, 2, 3, 4}));
            f.dataset("/c16").appendValues(new double[] {1e-300, 1e300, -INF, NAN});
            f.dataset("/c16").resize(6, 2); // a row of fill beyond the appended one
            f.dataset("/c16").setAttribute("ratio", AttributeValue.scalar(DataType.COMPLEX128, 0.75));
            f.commit();
        }
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "S = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 65504]",
                "def same(a, b, what):",
                "    a, b = np.asarray(a), np.asarray(b)",
                "    assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), (what, a, b)",
                "f = h5py.File(sys.argv[1], 'r')",
                "same(f['f2'][()], np.array(S + [0.5, -0.25, np.nan, 3], dtype=np.float16).reshape(6, 2), 'f2')",
                "same(f['b1'][()], np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0], dtype=bool).reshape(6, 2), 'b1')",
                "c = np.empty(8, dtype=np.complex64); c.real = S; c.imag = S[::-1]",
                "same(f['c8'][()].ravel(), np.concatenate([c, np.array([1 + 2j, 3 + 4j], dtype=np.complex64)]), 'c8')",
                "more = np.array([complex(1e-300, 1e300), complex(-np.inf, np.nan), 0, 0])",
                "same(f['c16'][()].ravel(), np.concatenate([c.astype(np.complex128), more]), 'c16')",
                "same(f['c16'].attrs['ratio'], np.complex128(0.75), 'c16 attribute')",
                "for name in f: assert f[name].attrs['kind'] == f[name].dtype.str, name",
                "assert f['c8'].fillvalue == 2 - 1j and f['b1'].fillvalue == True and f['f2'].fillvalue == -1"),
                file.toString());
    }

    private static DatasetSpec.Builder spec(DataType type) {
        return DatasetSpec.builder(type, 0, 4).maxShape(U, 4).chunks(4, 4).shuffle().deflate(4);
    }

    private static Number[] boxed(double... values) {
        Number[] n = new Number[values.length];
        for (int i = 0; i < values.length; i++) n[i] = values[i];
        return n;
    }

    /** Values of {@code type} (a float or complex type: numbers, real and imaginary parts in turn) in a big-endian buffer. */
    private static ByteBuffer bigEndian(DataType type, double[] numbers) {
        ByteBuffer b = ByteBuffer.wrap(le(type, numbers)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer big = ByteBuffer.allocate(b.capacity()).order(ByteOrder.BIG_ENDIAN);
        int part = type.componentSize();
        for (int at = 0; at < b.capacity(); at += part) {
            switch (part) {
                case 2 -> big.putShort(b.getShort(at));
                case 4 -> big.putFloat(b.getFloat(at));
                default -> big.putDouble(b.getDouble(at));
            }
        }
        return big.flip();
    }

    /** Numbers (parts of complex elements in turn) as the little-endian bytes of a float or complex type. */
    private static byte[] le(DataType type, double... numbers) {
        int part = type.componentSize();
        ByteBuffer b = ByteBuffer.allocate(numbers.length * part).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : numbers) {
            switch (part) {
                case 2 -> b.putShort(io.hdf5flink.hdf5.testing.HalfFloats.fromDouble(v));
                case 4 -> b.putFloat((float) v);
                default -> b.putDouble(v);
            }
        }
        return b.array();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
