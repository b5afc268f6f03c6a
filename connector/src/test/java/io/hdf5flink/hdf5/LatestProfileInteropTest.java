package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aFileAKilledWriterLeftFlaggedIsReopened() throws IOException {
        Path file = dir.resolve("killed.h5");
        Path copy = dir.resolve("left.h5");
        try (Hdf5File f = Hdf5File.create(file, Profile.LATEST)) {
            f.createDataset("/data", spec()).append(ints(0, 10));
            f.commit();
            // What a SIGKILL leaves: the bytes as they are while the writer holds the file.
            Files.copy(file, copy);
        }
        assertEquals(Superblock3.WRITE | Superblock3.SWMR, Files.readAllBytes(copy)[11]);
        try (Hdf5File f = Hdf5File.openForAppend(copy)) {
            f.dataset("/data").append(ints(10, 5));
        }
        ReferenceLibrary.checkAndKeepWriting(copy, "assert (f['data'][:] == np.arange(15)).all()");
    }

    @Test
    void appendsToH5pyLatestFilesAndRefusesTheirNewerChunkIndexesByName() throws IOException {
        Path file = copy("latest.h5");
        byte[] before = Files.readAllBytes(file);
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> f.dataset("/grow"));
            assertTrue(e.getMessage().contains("/grow") && e.getMessage().contains("layout"), e.getMessage());
        }
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)), "a refused open leaves every byte");
        try (Hdf5File f = Hdf5File.openForAppend(file)) {
            f.createDataset("/grp/new", spec()).append(ints(100, 7));
            f.requireGroup("/grp/sub");
            f.createDataset("/grp/sub/deep", spec()).append(ints(5, 2));
        }
        ReferenceLibrary.checkAndKeepWriting(file, """
                assert (f["grow"][:] == np.arange(10)).all()
                assert (f["fixed"][:] == np.arange(6).reshape(2, 3)).all()
                assert (f["grp/new"][:] == np.arange(100, 107)).all()
                assert (f["grp/sub/deep"][:] == np.arange(5, 7)).all()
                assert f["grp"].attrs["note"] in (b"made by h5py", "made by h5py")
                assert f["grp"].get("soft", getlink=True).path == "/grow"
                """);
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
     * written, and never an error.
     */
    @Test
    void anH5pySwmrReaderWatchesTheFileGrow() throws Exception {
        Path file = dir.resolve("watched.h5");
        Path go = dir.resolve("go");
        Path done = dir.resolve("done");
        int commits = 60;
        int rowsPerCommit = 1000;
        try (Hdf5File f = Hdf5File.create(file, Profile.LATEST)) {
            Hdf5Dataset data = f.createDataset("/data", DatasetSpec.builder(DataType.INT32, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(256).deflate(1).build());
            data.append(ints(0, rowsPerCommit));
            f.commit();
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

    private static DatasetSpec spec() {
        return DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(4).build();
    }

    private static ByteBuffer ints(int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) b.putInt(from + i);
        return b.flip();
    }

    private static ByteBuffer shorts(int fromRow, int rows) {
        ByteBuffer b = ByteBuffer.allocate(2 * 4 * rows).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4 * rows; i++) b.putShort((short) (fromRow * 4 + i));
        return b.flip();
    }
}
