package io.hdf5flink.cli;

import static io.hdf5flink.cli.CliInteropTest.cli;
import static io.hdf5flink.cli.CliInteropTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.cli.CliInteropTest.Run;
import io.hdf5flink.itest.H5py;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 through {@code convert}: {@code .npy} and raw inputs of float16, bool, complex64 and
 * complex128 (either byte order) become datasets h5py reads as those dtypes, bit for bit; appends
 * to h5py's datasets of them; empty inputs become empty resizable datasets; and shuffle asked
 * for a 1-byte type stays in the pipeline, as h5py keeps it.
 */
class ConvertTypesInteropTest {
    @TempDir Path dir;

    /** numpy's special values of each dtype, as the inputs hold them and h5py must read them back. */
    private static final String ARRAYS = """
            S = [0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 65504, 3e-7, 1.1, -1e5, 0.1]
            def arrays(rows):
                k = np.arange(rows * 3, dtype=np.float64)
                special = np.resize(np.array(S), rows * 3)
                c = np.empty(rows * 3, dtype=np.complex128); c.real = special; c.imag = k * 0.7 - 2
                return {'f2': special.astype('<f2').reshape(rows, 3),
                        'b1': ((k * 7919) % 3 == 0).reshape(rows, 3),
                        'c8': c.astype('<c8').reshape(rows, 3),
                        'c16': c.reshape(rows, 3)}
            def same(a, b, what):
                a, b = np.asarray(a), np.asarray(b)
                assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), (what, a.dtype, b.dtype, a, b)
            """;

    @Test
    void npyAndRawInputsOfEachTypeConvertBitForBit() {
        H5py.check(ARRAYS + """
                a = arrays(1000)
                np.save(sys.argv[1] + '/f2.npy', a['f2'])
                np.save(sys.argv[1] + '/f2be.npy', a['f2'].astype('>f2'))
                np.save(sys.argv[1] + '/b1.npy', a['b1'])
                np.save(sys.argv[1] + '/c8be.npy', a['c8'].astype('>c8'))
                a['c16'].astype('>c16').tofile(sys.argv[1] + '/c16.raw')
                """, dir);
        Run f2 = ok("convert", "--input", s("f2.npy"), "--output", s("f2.h5"), "--chunks", "300,3", "--fill", "nan",
                "--no-progress");
        assertTrue(f2.err().contains("(<f2, shape (1000, 3))"), f2.err());
        ok("convert", "--input", s("f2be.npy"), "--output", s("f2be.h5"), "--chunks", "300,3", "--no-progress");
        Run b1 = ok("convert", "--input", s("b1.npy"), "--output", s("b1.h5"), "--chunks", "256,3", "--fill", "true",
                "--no-progress");
        assertTrue(b1.err().contains("(|b1, shape (1000, 3))") && b1.out().contains("codec shuffle, gzip 4"), b1.out() + b1.err());
        ok("convert", "--input", s("c8be.npy"), "--output", s("c8.h5"), "--chunks", "300,3", "--fill", "-1.5",
                "--codec", "lz4", "--no-progress");
        Run c16 = ok("convert", "--input", s("c16.raw"), "--dtype", ">c16", "--shape", "-1,3", "--output", s("c16.h5"),
                "--chunks", "300,3", "--fletcher32", "--no-progress");
        assertTrue(c16.err().contains("(<c16, shape (1000, 3))"), c16.err());
        H5py.check(ARRAYS + """
                import hdf5plugin
                a = arrays(1000)
                d = sys.argv[1]
                for name, key, fill in [('f2', 'f2', np.float16(np.nan)), ('f2be', 'f2', np.float16(0)),
                                        ('b1', 'b1', np.True_), ('c8', 'c8', np.complex64(-1.5)), ('c16', 'c16', np.complex128(0))]:
                    f = h5py.File(f'{d}/{name}.h5', 'a')['data']
                    assert f.maxshape == (None, 3) and f.shuffle, (name, f.maxshape, f.shuffle)
                    same(f[()], a[key], name)
                    same(f.fillvalue, fill, name + ' fill value')
                    # the partial last chunk is completed with the fill value, past the shape
                    f.resize(1200, axis=0)
                    tail = f[1000:1024]
                    same(tail, np.full(tail.shape, fill, dtype=tail.dtype), name + ' beyond the rows')
                """, dir);
    }

    @Test
    void appendsToH5pysDatasetsOfEachType() {
        H5py.check(ARRAYS + """
                a = arrays(500)
                with h5py.File(sys.argv[1] + '/h5py.h5', 'w') as f:
                    for key, v in a.items():
                        f.create_dataset(key, data=v[:200], maxshape=(None, 3), chunks=(64, 3), compression='gzip', shuffle=True)
                        np.save(f'{sys.argv[1]}/more_{key}.npy', v[200:])
                """, dir);
        for (String key : new String[] {"f2", "b1", "c8", "c16"}) {
            Run r = ok("convert", "--input", s("more_" + key + ".npy"), "--output", s("h5py.h5"), "--dataset", "/" + key,
                    "--append", "--no-progress");
            assertTrue(r.err().contains("appending after row 200"), r.err());
        }
        H5py.check(ARRAYS + """
                a = arrays(500)
                f = h5py.File(sys.argv[1] + '/h5py.h5', 'r')
                for key, v in a.items():
                    same(f[key][()], v, key)
                """, dir);
        Run refused = cli("convert", "--input", s("more_c8.npy"), "--output", s("h5py.h5"), "--dataset", "/c16", "--append");
        assertEquals(Main.USAGE, refused.exit(), refused.err());
        assertTrue(refused.err().contains("cannot append <c8 to " + dir.resolve("h5py.h5") + ":/c16, which holds <c16"),
                refused.err());
    }

    @Test
    void emptyInputsBecomeEmptyResizableDatasets() {
        H5py.check("""
                np.save(sys.argv[1] + '/empty.npy', np.zeros((0, 8), dtype='<f4'))
                np.save(sys.argv[1] + '/empty1d.npy', np.zeros((0,), dtype='<c8'))
                """, dir);
        Run auto = ok("convert", "--input", s("empty.npy"), "--output", s("auto.h5"), "--no-progress");
        assertTrue(auto.out().startsWith("converted 0 rows") && auto.out().contains("/data (0, 8)"), auto.out());
        ok("convert", "--input", s("empty.npy"), "--output", s("chunked.h5"), "--chunks", "64,8", "--no-progress");
        ok("convert", "--input", s("empty1d.npy"), "--output", s("vector.h5"), "--no-progress");
        for (String out : new String[] {"auto.h5", "chunked.h5", "vector.h5"}) {
            assertFalse(Files.exists(dir.resolve(out + ".checkpoints")), out + ": no checkpoints left behind");
        }
        assertFalse(Files.exists(dir.resolve(".hdf5-staging")), "nor a staging directory");
        H5py.check("""
                d = sys.argv[1]
                a = h5py.File(d + '/auto.h5', 'r')['data']
                assert a.shape == (0, 8) and a.maxshape == (None, 8) and a.dtype == np.float32 and a.chunks[1] == 8, a
                with h5py.File(d + '/chunked.h5', 'r') as f:
                    c = f['data']
                    assert c.shape == (0, 8) and c.maxshape == (None, 8) and c.chunks == (64, 8), (c.shape, c.chunks)
                v = h5py.File(d + '/vector.h5', 'r')['data']
                assert v.shape == (0,) and v.maxshape == (None,) and v.dtype == np.complex64, (v.shape, v.dtype)
                with h5py.File(d + '/chunked.h5', 'a') as f:   # and h5py can append to it
                    f['data'].resize(3, axis=0); f['data'][:] = 1.5
                """, dir);
    }

    @Test
    void shuffleAskedForOneByteTypesStays() {
        H5py.check("""
                np.save(sys.argv[1] + '/i1.npy', (np.arange(4000) % 251 - 125).astype('i1').reshape(1000, 4))
                np.save(sys.argv[1] + '/u1.npy', (np.arange(4000) % 256).astype('u1').reshape(1000, 4))
                """, dir);
        ok("convert", "--input", s("i1.npy"), "--output", s("i1.h5"), "--shuffle", "--codec", "none", "--chunks", "256,4",
                "--no-progress");
        ok("convert", "--input", s("u1.npy"), "--output", s("u1.h5"), "--chunks", "256,4", "--no-progress");
        // An append that asks for the same filters matches the pipeline the dataset kept.
        ok("convert", "--input", s("i1.npy"), "--output", s("i1.h5"), "--append", "--append-again", "--shuffle",
                "--codec", "none", "--no-progress");
        H5py.check("""
                d = sys.argv[1]
                i1 = h5py.File(d + '/i1.h5', 'r')['data']
                assert i1.shuffle and i1.compression is None, i1._filters
                assert np.array_equal(i1[()], np.concatenate([np.load(d + '/i1.npy')] * 2))
                u1 = h5py.File(d + '/u1.h5', 'r')['data']
                assert u1.shuffle and u1.compression == 'gzip', u1._filters
                assert np.array_equal(u1[()], np.load(d + '/u1.npy'))
                """, dir);
    }

    @Test
    void fillValuesTheTypesCannotHoldAreRefused() {
        H5py.check("""
                np.save(sys.argv[1] + '/b1.npy', np.zeros((4, 2), dtype=bool))
                np.save(sys.argv[1] + '/c8.npy', np.zeros((4, 2), dtype='<c8'))
                """, dir);
        Run bool = cli("convert", "--input", s("b1.npy"), "--output", s("b.h5"), "--fill", "2");
        assertEquals(Main.USAGE, bool.exit());
        assertTrue(bool.err().contains("--fill 2: 2 is not a bool: 0 (false) or 1 (true)"), bool.err());
        Run complex = cli("convert", "--input", s("c8.npy"), "--output", s("c.h5"), "--fill", "1+2j");
        assertEquals(Main.USAGE, complex.exit());
        assertTrue(complex.err().contains("--fill '1+2j' is not a complex64 value"), complex.err());
        for (String out : new String[] {"b.h5", "c.h5"}) {
            assertFalse(Files.exists(dir.resolve(out)) || Files.exists(dir.resolve(out + ".checkpoints")), out + ": nothing written");
        }
    }

    private String s(String name) {
        return dir.resolve(name).toString();
    }
}
