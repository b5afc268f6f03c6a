package io.hdf5flink.hdf5;

import static io.hdf5flink.hdf5.IntRows.ints;
import static io.hdf5flink.hdf5.IntRows.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18: files in HDF5's newer format. The engine writes {@link Profile#LATEST} files
 * (superblock 3 with its file-consistency flags, version 2 object headers, groups stored with link
 * messages) and appends to files h5py wrote with {@code libver='latest'} and {@code 'v108'}.
 * libhdf5 (h5py, h5dump, h5stat) and jhdf judge every file; h5py must be able to keep writing to
 * it; an h5py reader in SWMR mode opens a file while the engine writes it.
 */
class LatestProfileInteropTest {
    @TempDir static Path made;
    @TempDir Path dir;

    @BeforeAll
    static void makeFiles() {
        ReferenceLibrary.requireAvailable();
        ReferenceLibrary.runPython("""
                import os, sys, h5py, numpy as np
                d = sys.argv[1]
                for libver, name in (("latest", "latest.h5"), ("v108", "v108.h5")):
                    with h5py.File(os.path.join(d, name), "w", libver=libver) as f:
                        f.create_dataset("grow", data=np.arange(10, dtype="<i4"), maxshape=(None,), chunks=(4,))
                        f.create_dataset("fixed", data=np.arange(6, dtype="<f8").reshape(2, 3))
                        g = f.create_group("grp")
                        g.attrs["note"] = "made by h5py"
                        g["soft"] = h5py.SoftLink("/grow")
                # Written by an h5py writer in SWMR mode; then the same killed while it wrote (its flags stay set).
                import subprocess
                import textwrap
                swmr = textwrap.dedent('''
                    import sys, os, h5py, numpy as np
                    f = h5py.File(sys.argv[1], "w", libver="latest")
                    d = f.create_dataset("frames", shape=(0, 4, 4), maxshape=(None, 4, 4), chunks=(1, 4, 4), dtype="<u2",
                                         compression="gzip")
                    f.swmr_mode = True
                    for i in range(10):
                        d.resize((i + 1, 4, 4)); d[i] = i; d.flush()
                    if sys.argv[2] == "kill":
                        os._exit(0)
                    f.close()
                    ''')
                for name, how in (("swmr.h5", "close"), ("swmr_killed.h5", "kill")):
                    subprocess.run([sys.executable, "-c", swmr, os.path.join(d, name), how], check=True)
                # Every chunk index of layout version 4 that h5py makes (libver='latest').
                with h5py.File(os.path.join(d, "indexes.h5"), "w", libver="latest") as f:
                    w = f.create_dataset("wide", data=np.arange(800, dtype="<i2").reshape(100, 8), maxshape=(None, 8),
                                         chunks=(16, 8), compression="gzip", shuffle=True)      # extensible array
                    w.attrs["unit"] = "uV"
                    f.create_dataset("two", data=np.arange(60, dtype="<f8").reshape(10, 6), maxshape=(None, None),
                                     chunks=(4, 4))                                           # version 2 B-tree
                    # Extensible arrays numbering chunks over a grid of several columns of chunks,
                    # the unlimited axis first and (swizzled there) second.
                    f.create_dataset("cols", data=np.arange(80, dtype="<i4").reshape(10, 8), maxshape=(None, 12), chunks=(4, 4))
                    f.create_dataset("late", data=np.arange(60, dtype="<i4").reshape(6, 10), maxshape=(6, None), chunks=(3, 4))
                    f.create_dataset("fa", data=np.arange(36, dtype="<i4").reshape(12, 3), chunks=(4, 3))  # fixed array
                    f.create_dataset("single", data=np.arange(16, dtype="<i4").reshape(4, 4), chunks=(4, 4),
                                     compression="gzip")                                      # single chunk, filtered
                    # More chunks than one extensible-array data block page, with holes: runs of
                    # 900 written chunks, 100 never written.
                    # Version 2 B-trees with more chunks than a node holds, filtered, and one not created yet.
                    g = f.create_dataset("grid", data=np.arange(200 * 200, dtype="<i4").reshape(200, 200), maxshape=(None, None),
                                         chunks=(4, 4), compression="gzip", compression_opts=1)
                    f.create_dataset("two_empty", shape=(0, 0), maxshape=(None, None), chunks=(4, 4), dtype="<i4")
                    # Extensible-array datasets no chunk was written to: the array does not exist yet.
                    f.create_dataset("empty", shape=(0, 8), maxshape=(None, 8), chunks=(16, 8), dtype="<i2")
                    f.create_dataset("empty_gz", shape=(0, 8), maxshape=(None, 8), chunks=(16, 8), dtype="<i2", compression="gzip")
                    m = f.create_dataset("many", shape=(140000,), maxshape=(None,), chunks=(1,), dtype="<i1", fillvalue=-1)
                    for k in range(0, 140000, 1000):
                        m[k:k + 900] = (np.arange(k, k + 900) % 100).astype("<i1")
                """, made.toString());
    }

    @Test
    void latestFilesHaveSuperblock3VersionTwoHeadersAndAreReadByLibhdf5AndJhdf() throws IOException {
        Path file = dir.resolve("rec.h5");
        try (Hdf5File f = Hdf5File.create(file, Profile.LATEST)) {
            Hdf5Dataset data = f.createDataset("/acquisition/data", DatasetSpec.builder(DataType.INT16, 0, 4)
                    .maxShape(DatasetSpec.UNLIMITED, 4).chunks(8, 4).shuffle().deflate(4).build());
            data.setAttribute("unit", AttributeValue.of("uV"));
            for (int commit = 0; commit < 5; commit++) {
                data.append(shorts(commit * 40, 40));
                f.commit();
            }
            // More links than a compact group holds: the group turns dense, as libhdf5 would turn it.
            for (int i = 0; i < 12; i++) f.createDataset("/many/d" + i, spec()).append(ints(i, 3));
        }
        assertEquals(0, Files.readAllBytes(file)[11], "file-consistency flags cleared at close");
        try (HdfFile jhdf = new HdfFile(file)) {
            short[][] values = (short[][]) jhdf.getDatasetByPath("/acquisition/data").getData();
            assertEquals(200, values.length);
            for (int r = 0; r < 200; r++) for (int c = 0; c < 4; c++) assertEquals((short) (r * 4 + c), values[r][c]);
            assertEquals(12, jhdf.getByPath("/many") instanceof io.jhdf.api.Group g ? g.getChildren().size() : -1);
        }
        ReferenceLibrary.checkAndKeepWriting(file, """
                assert f.id.get_create_plist().get_version()[0] == 3, f.id.get_create_plist().get_version()
                d = f["acquisition/data"]
                assert d.shape == (200, 4) and d.dtype == np.int16 and d.compression == "gzip" and d.shuffle
                assert (d[:] == np.arange(800, dtype=np.int16).reshape(200, 4)).all()
                assert d.attrs["unit"] in (b"uV", "uV"), d.attrs["unit"]
                for path in ("/", "acquisition", "acquisition/data", "many", "many/d3"):
                    assert h5py.h5o.get_info(f[path].id).hdr.version == 2, path
                assert sorted(f["many"]) == sorted("d%d" % i for i in range(12)), list(f["many"])
                for i in range(12):
                    assert (f["many/d%d" % i][:] == np.arange(i, i + 3)).all()
                """);
    }

    @Test
    void whileAWriterHasTheFileItIsFlaggedSoOnlySwmrReadersOpenIt() throws IOException {
        Path file = dir.resolve("live.h5");
        try (Hdf5File f = Hdf5File.create(file, Profile.LATEST)) {
            f.createDataset("/data", spec()).append(ints(0, 10));
            f.commit();
            assertEquals(Superblock3.WRITE | Superblock3.SWMR, Files.readAllBytes(file)[11], "flagged while open");
            String seen = ReferenceLibrary.runPython("""
                    import sys, h5py, numpy as np
                    with h5py.File(sys.argv[1], "r", swmr=True) as f:
                        assert (f["data"][:] == np.arange(10)).all(), f["data"][:]
                    try:
                        h5py.File(sys.argv[1], "r")
                        print("opened")
                    except OSError as e:
                        print("refused:", e)
                    """, file.toString());
            assertTrue(seen.strip().startsWith("refused:"), seen);
        }
        assertEquals(0, Files.readAllBytes(file)[11]);
        ReferenceLibrary.checkAndKeepWriting(file, "assert (f['data'][:] == np.arange(10)).all()");
    }

    /**
     * The bytes a kill leaves while the engine holds a latest-profile file: flagged. Refused by
     * default (a libhdf5 SWMR writer flags a file the same way and holds no lock), naming
     * h5clear, the file unchanged; reopened and appended to by a writer that knows the flags are
     * its own killed predecessor's (the sink's committer, {@code Options.withReopenFlagged}).
     */
    @Test
    void aFileAKilledWriterLeftFlaggedIsReopenedOnlyWhenAskedTo() throws IOException {
        Path file = dir.resolve("killed.h5");
        Path copy = dir.resolve("left.h5");
        try (Hdf5File f = Hdf5File.create(file, Profile.LATEST)) {
            f.createDataset("/data", spec()).append(ints(0, 10));
            f.commit();
            Files.copy(file, copy);
        }
        assertEquals(Superblock3.WRITE | Superblock3.SWMR, Files.readAllBytes(copy)[11]);
        assertTrue(Hdf5File.isFlaggedOpenForWrite(copy));
        byte[] before = Files.readAllBytes(copy);
        Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(copy));
        assertTrue(e.getMessage().contains("is flagged as open for writing") && e.getMessage().contains("h5clear -s " + copy), e.getMessage());
        assertTrue(Arrays.equals(before, Files.readAllBytes(copy)), "a refused open writes nothing");
        try (Hdf5File f = Hdf5File.openForAppend(copy, Hdf5File.Options.defaults().withReopenFlagged(true))) {
            f.dataset("/data").append(ints(10, 5));
        }
        assertTrue(!Hdf5File.isFlaggedOpenForWrite(copy));
        ReferenceLibrary.checkAndKeepWriting(copy, "assert (f['data'][:] == np.arange(15)).all()");
    }

    @Test
    void extendsH5pyLatestFilesWithDatasetsAndGroups() throws IOException {
        Path file = copy("latest.h5");
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            f.createDataset("/grp/new", spec()).append(ints(100, 7));
            f.requireGroup("/grp/sub");
            f.createDataset("/grp/sub/deep", spec()).append(ints(5, 2));
            f.dataset("/grow").append(ints(10, 3));
        }
        ReferenceLibrary.checkAndKeepWriting(file, """
                assert (f["grow"][:] == np.arange(13)).all()
                assert (f["fixed"][:] == np.arange(6).reshape(2, 3)).all()
                assert (f["grp/new"][:] == np.arange(100, 107)).all()
                assert (f["grp/sub/deep"][:] == np.arange(5, 7)).all()
                assert f["grp"].attrs["note"] in (b"made by h5py", "made by h5py")
                assert f["grp"].get("soft", getlink=True).path == "/grow"
                """);
    }

    /**
     * Files of an h5py writer in SWMR mode (areaDetector's and odin-data's mode): one it closed is
     * appended to; one it was killed writing is refused, naming h5clear, until {@code h5clear -s
     * --increment=0} clears its flags and the end of file it left behind (libhdf5's SWMR writer
     * does not raise it as it goes); then appended to. A live SWMR writer holds no lock on its
     * file: its flags alone keep the engine out.
     */
    @Test
    void filesOfAnH5pySwmrWriterAreAppendedToOnceItClosedThem() throws Exception {
        Path closed = copy("swmr.h5");
        Path killed = copy("swmr_killed.h5");
        assertEquals(0, Files.readAllBytes(closed)[11]);
        assertEquals(Superblock3.WRITE | Superblock3.SWMR, Files.readAllBytes(killed)[11]);
        byte[] before = Files.readAllBytes(killed);
        Hdf5Exception refused = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(killed));
        assertTrue(refused.getMessage().contains("h5clear -s " + killed), refused.getMessage());
        assertTrue(Arrays.equals(before, Files.readAllBytes(killed)));
        Process clear = new ProcessBuilder("h5clear", "-s", "--increment=0", killed.toString()).redirectErrorStream(true).start();
        assertEquals(0, clear.waitFor(), new String(clear.getInputStream().readAllBytes()));
        for (Path file : List.of(closed, killed)) {
            try (Hdf5File f = Hdf5File.openForAppend(file)) {
                short[] frames = new short[5 * 16];
                for (int i = 0; i < frames.length; i++) frames[i] = (short) (10 + i / 16);
                f.dataset("/frames").appendValues(frames);
            }
            ReferenceLibrary.checkAndKeepWriting(file, """
                    d = f["frames"]
                    assert d.shape == (15, 4, 4), d.shape
                    assert all((d[i] == i).all() for i in range(15)), d[:, 0, 0]
                    """);
        }

        Path live = dir.resolve("live.h5");
        Process writer = new ProcessBuilder(ReferenceLibrary.PYTHON, "-c", """
                import sys, time, h5py
                f = h5py.File(sys.argv[1], "w", libver="latest")
                d = f.create_dataset("frames", shape=(1, 4), maxshape=(None, 4), chunks=(1, 4), dtype="<u2")
                f.swmr_mode = True
                d.flush()
                print("writing", flush=True)
                time.sleep(60)
                """, live.toString()).start();
        try {
            assertEquals("writing", new java.io.BufferedReader(new java.io.InputStreamReader(writer.getInputStream())).readLine());
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> Hdf5File.openForAppend(live));
            assertTrue(e.getMessage().contains("a libhdf5 writer has it open"), e.getMessage());
        } finally {
            writer.destroyForcibly().waitFor();
        }
    }

    /**
     * Datasets indexed by each of libhdf5 1.10's chunk indexes are changed by the engine. Those
     * with an extensible array (one unlimited axis, first or not; 140,000 chunks with holes, past
     * the paged data blocks; none written yet, filtered or not) or a version 2 B-tree (two
     * unlimited axes; 2,500 filtered chunks grown along both axes; none written yet) keep it,
     * appended to copy-on-write; the others (fixed array, single chunk) are re-indexed: their chunks stay
     * where they are, a version 1 B-tree lists them and the new ones, and one write of the header
     * chunk replaces the layout message. Either way the old whole chunks stay where they were.
     * Before the first commit nothing is written (a read-only open and an open that changes
     * nothing leave every byte). libhdf5 then reads every value and appends to every dataset.
     */
    @Test
    void appendsToDatasetsOfEveryVersion4ChunkIndex() throws IOException {
        Path file = copy("indexes.h5");
        String chunksBefore = chunkAddresses(file, "wide");
        byte[] before = Files.readAllBytes(file);
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            Hdf5Dataset many = f.dataset("/many");
            ByteBuffer b = many.read(new long[] {899}, new long[] {3});
            assertEquals(99, b.get(0));
            assertEquals(-1, b.get(1), "a chunk never written reads as the fill value");
            assertEquals(-1, b.get(2));
        }
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            for (String d : List.of("/wide", "/two", "/cols", "/late", "/fa", "/single", "/many")) f.dataset(d);
        }
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)), "opening without a change writes nothing");

        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            short[] wide = new short[50 * 8];
            for (int i = 0; i < wide.length; i++) wide[i] = (short) (800 + i);
            f.dataset("/wide").appendValues(wide);
            double[] two = new double[2 * 6];
            for (int i = 0; i < two.length; i++) two[i] = 60 + i;
            f.dataset("/two").appendValues(two);
            int[] cols = new int[2 * 8];
            for (int i = 0; i < cols.length; i++) cols[i] = 80 + i;
            f.dataset("/cols").appendValues(cols);
            Hdf5Dataset late = f.dataset("/late");
            late.resize(6, 14);
            int[] more = new int[6 * 4];
            for (int i = 0; i < more.length; i++) more[i] = 1000 + i;
            late.writeValues(new long[] {0, 10}, new long[] {6, 4}, more);
            f.dataset("/fa").writeValues(new long[] {4, 0}, new long[] {4, 3}, new int[] {-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12});
            f.dataset("/single").writeValues(new long[] {1, 1}, new long[] {2, 2}, new int[] {-5, -6, -9, -10});
            Hdf5Dataset many = f.dataset("/many");
            many.appendValues(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
            short[] rows = new short[48 * 8];
            for (int i = 0; i < rows.length; i++) rows[i] = (short) i;
            for (String d : List.of("/empty", "/empty_gz")) f.dataset(d).appendValues(Arrays.copyOf(rows, 40 * 8));
            // The grid grows along both axes: new chunks at the end of the B-tree's order and in the middle of it.
            Hdf5Dataset grid = f.dataset("/grid");
            grid.resize(210, 206);
            int[] right = new int[200 * 6];
            for (int r = 0; r < 200; r++) for (int c = 0; c < 6; c++) right[r * 6 + c] = -(r * 206 + 200 + c);
            grid.writeValues(new long[] {0, 200}, new long[] {200, 6}, right);
            int[] bottom = new int[10 * 206];
            for (int r = 0; r < 10; r++) for (int c = 0; c < 206; c++) bottom[r * 206 + c] = -((200 + r) * 206 + c);
            grid.writeValues(new long[] {200, 0}, new long[] {10, 206}, bottom);
            Hdf5Dataset twoEmpty = f.dataset("/two_empty");
            twoEmpty.resize(5, 6);
            int[] five = new int[30];
            for (int i = 0; i < 30; i++) five[i] = i;
            twoEmpty.writeValues(new long[] {0, 0}, new long[] {5, 6}, five);
            f.commit();
            assertEquals(140_010, many.shape()[0]);
            f.dataset("/empty").appendValues(Arrays.copyOfRange(rows, 40 * 8, 48 * 8)); // a second commit, to the array the first created
        }
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            for (String d : List.of("/wide", "/cols", "/late", "/many", "/empty", "/empty_gz")) {
                assertTrue(f.dataset(d).keepsExtensibleArray(), d + " keeps its extensible array");
            }
            for (String d : List.of("/two", "/grid", "/two_empty")) assertTrue(f.dataset(d).keepsVersion2BTree(), d + " keeps its version 2 B-tree");
            for (String d : List.of("/fa", "/single")) {
                assertFalse(f.dataset(d).keepsExtensibleArray() || f.dataset(d).keepsVersion2BTree() || f.dataset(d).reindexedFrom() != null,
                        d + " is indexed by a version 1 B-tree");
            }
        }
        // The last of the 7 old chunks was partly filled (rows 96-99): it is completed and written anew.
        String whole = chunksBefore.substring(0, chunksBefore.lastIndexOf(','));
        assertTrue(chunkAddresses(file, "wide").startsWith(whole + ","), "the old whole chunks stay where they were");
        ReferenceLibrary.checkAndKeepWriting(file, """
                w = f["wide"]
                assert w.shape == (150, 8) and w.compression == "gzip" and w.shuffle and w.attrs["unit"] in (b"uV", "uV")
                assert (w[:] == np.arange(1200, dtype="<i2").reshape(150, 8)).all()
                t = f["two"]
                assert t.shape == (12, 6) and (t[:] == np.arange(72, dtype="<f8").reshape(12, 6)).all(), t[:]
                assert (f["cols"][:] == np.arange(96, dtype="<i4").reshape(12, 8)).all(), f["cols"][:]
                late = np.zeros((6, 14), dtype="<i4"); late[:, :10] = np.arange(60).reshape(6, 10); late[:, 10:] = 1000 + np.arange(24).reshape(6, 4)
                assert (f["late"][:] == late).all(), f["late"][:]
                fa = np.arange(36, dtype="<i4").reshape(12, 3); fa[4:8] = -np.arange(1, 13).reshape(4, 3)
                assert (f["fa"][:] == fa).all(), f["fa"][:]
                single = np.arange(16, dtype="<i4").reshape(4, 4); single[1:3, 1:3] = [[-5, -6], [-9, -10]]
                assert (f["single"][:] == single).all(), f["single"][:]
                m = f["many"]
                expected = np.full(140010, -1, dtype="<i1")
                for k in range(0, 140000, 1000):
                    expected[k:k + 900] = (np.arange(k, k + 900) % 100).astype("<i1")
                expected[140000:] = 7
                assert (m[:] == expected).all(), np.nonzero(m[:] != expected)[0][:10]
                assert m.id.get_num_chunks() == 126010, m.id.get_num_chunks()
                e = np.arange(384, dtype="<i2").reshape(48, 8)
                assert (f["empty"][:] == e).all() and (f["empty_gz"][:] == e[:40]).all(), f["empty"][:2]
                assert f["empty_gz"].compression == "gzip" and f["empty_gz"].id.get_num_chunks() == 3
                grid = np.zeros((210, 206), dtype=np.int64); grid[:200, :200] = np.arange(40000).reshape(200, 200)
                idx = np.arange(210 * 206).reshape(210, 206)
                grid[:200, 200:] = -idx[:200, 200:]; grid[200:, :] = -idx[200:, :]
                assert (f["grid"][:] == grid).all(), np.argwhere(f["grid"][:] != grid)[:5]
                assert f["grid"].id.get_num_chunks() == 53 * 52, f["grid"].id.get_num_chunks()
                assert (f["two_empty"][:] == np.arange(30).reshape(5, 6)).all(), f["two_empty"][:]
                """);
    }

    /** The byte offsets of a dataset's chunks in chunk order, as libhdf5 lists them. */
    private static String chunkAddresses(Path file, String dataset) {
        return ReferenceLibrary.runPython("""
                import sys, h5py
                with h5py.File(sys.argv[1], "r") as f:
                    d = f[sys.argv[2]]
                    print(",".join(str(d.id.get_chunk_info(i).byte_offset) for i in range(d.id.get_num_chunks())))
                """, file.toString(), dataset).strip();
    }

    @Test
    void appendsToTheDatasetsOfH5pyV108Files() throws IOException {
        Path file = copy("v108.h5");
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            f.dataset("/grow").append(ints(10, 9));
            f.createDataset("/grp/new", spec()).append(ints(0, 3));
        }
        ReferenceLibrary.checkAndKeepWriting(file, """
                assert f.id.get_create_plist().get_version()[0] == 2
                assert (f["grow"][:] == np.arange(19)).all(), f["grow"][:]
                assert (f["grp/new"][:] == np.arange(3)).all()
                """);
    }

    /**
     * An h5py reader in SWMR mode, in a child process, refreshes the dataset in a loop while the
     * engine appends and commits: it must see a growing prefix of the rows, always the rows
     * written, and never an error. The file is the engine's ({@link Profile#LATEST}, a version 1
     * B-tree index) or h5py's ({@code libver='latest'}, an extensible array the engine keeps).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"engine", "h5py"})
    void anH5pySwmrReaderWatchesTheFileGrow(String madeBy) throws Exception {
        Path file = dir.resolve("watched.h5");
        Path go = dir.resolve("go");
        Path done = dir.resolve("done");
        int commits = 60;
        int rowsPerCommit = 1000;
        if (madeBy.equals("h5py")) {
            ReferenceLibrary.runPython("""
                    import sys, h5py, numpy as np
                    with h5py.File(sys.argv[1], "w", libver="latest") as f:
                        f.create_dataset("data", data=np.arange(1000, dtype="<i4"), maxshape=(None,), chunks=(256,), compression="gzip",
                                         compression_opts=1)
                    """, file.toString());
        }
        try (Hdf5File f = madeBy.equals("h5py") ? Hdf5File.openForAppend(file) : Hdf5File.create(file, Profile.LATEST)) {
            Hdf5Dataset data;
            if (madeBy.equals("h5py")) {
                data = f.dataset("/data");
                assertTrue(data.keepsExtensibleArray());
            } else {
                data = f.createDataset("/data", DatasetSpec.builder(DataType.INT32, 0)
                        .maxShape(DatasetSpec.UNLIMITED).chunks(256).deflate(1).build());
                data.append(ints(0, rowsPerCommit));
                f.commit();
            }
            Process reader = new ProcessBuilder(ReferenceLibrary.PYTHON, "-c", """
                    import os, sys, time, h5py, numpy as np
                    path, go, done = sys.argv[1:4]
                    sizes = []
                    with h5py.File(path, "r", swmr=True) as f:
                        d = f["data"]
                        open(go, "w").close()
                        while True:
                            finished = os.path.exists(done)
                            d.refresh()
                            n = d.shape[0]
                            assert n % 1000 == 0 and (not sizes or n >= sizes[-1]), (n, sizes[-1:])
                            assert (d[:n] == np.arange(n)).all(), n
                            if not sizes or n != sizes[-1]:
                                sizes.append(n)
                            if finished:
                                break
                            time.sleep(0.005)
                    print(len(sizes), sizes[-1])
                    """, file.toString(), go.toString(), done.toString()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(go)) {
                assertTrue(reader.isAlive() && System.nanoTime() < deadline, "the SWMR reader did not start: "
                        + (reader.isAlive() ? "" : new String(reader.getInputStream().readAllBytes())));
                Thread.sleep(10);
            }
            for (int c = 1; c < commits; c++) {
                data.append(ints(c * rowsPerCommit, rowsPerCommit));
                f.commit();
                Thread.sleep(15);
            }
            Files.createFile(done);
            String out = new String(reader.getInputStream().readAllBytes()).strip();
            assertEquals(0, reader.waitFor(), out);
            String[] parts = out.split("\\s+");
            assertEquals(commits * rowsPerCommit, Integer.parseInt(parts[parts.length - 1]), out);
            assertTrue(Integer.parseInt(parts[parts.length - 2]) >= 5, "the reader saw the dataset grow only " + out);
        }
        ReferenceLibrary.checkAndKeepWriting(file, "assert (f['data'][:] == np.arange(60000)).all()");
    }

    /** The flags of superblock 3 as libhdf5 names them (H5F_SUPER_WRITE_ACCESS, H5F_SUPER_SWMR_WRITE_ACCESS). */
    private static final class Superblock3 {
        static final byte WRITE = 0x01;
        static final byte SWMR = 0x04;
    }

    private Path copy(String name) throws IOException {
        return Files.copy(made.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }


    private static ByteBuffer shorts(int fromRow, int rows) {
        ByteBuffer b = ByteBuffer.allocate(2 * 4 * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4 * rows; i++) b.putShort((short) (fromRow * 4 + i));
        return b.flip();
    }
}
