package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.format.HyperslabSelection;
import io.hdf5flink.hdf5.format.Lookup3;
import io.hdf5flink.hdf5.format.VirtualDatasetHeapBlock;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Virtual datasets written by the engine (the master file of rolled recordings), judged by
 * libhdf5: h5py reads them value for value from another working directory, h5dump lists the
 * mappings, and the mapping list is byte for byte what libhdf5 itself writes for the same
 * mappings.
 */
class VirtualDatasetInteropTest {
    @TempDir Path dir;

    @Test
    void lookup3MatchesTheReferenceVectors() {
        // From lookup3.c's driver5(): hashlittle("", 0, 0) and hashlittle("Four score and seven years ago", 30, 0).
        assertEquals(0xdeadbeef, Lookup3.checksum(new byte[0], 0, 0));
        byte[] text = "Four score and seven years ago".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x17770551, Lookup3.checksum(text, 0, text.length));
    }

    @Test
    void mappingListIsWhatLibhdf5Writes() {
        String hex = ReferenceLibrary.runPython("""
                import h5py, numpy as np, sys, os
                os.chdir(sys.argv[1])
                for k in (1, 2):
                    with h5py.File(f"run_{k:06d}.h5", "w") as f:
                        f.create_dataset("/entry/data", shape=(10, 4), dtype="<i2", maxshape=(None, 4), chunks=(5, 4))
                lay = h5py.VirtualLayout(shape=(20, 4), maxshape=(None, 4), dtype="<i2")
                for k in (1, 2):
                    lay[(k - 1) * 10:k * 10, :] = h5py.VirtualSource(f"run_{k:06d}.h5", "/entry/data", shape=(10, 4))[0:10, :]
                with h5py.File("ref.h5", "w") as f:
                    f.create_virtual_dataset("/entry/data", lay, fillvalue=0)
                raw = open("ref.h5", "rb").read()
                at = raw.index(b"GCOL")
                size = int.from_bytes(raw[at + 24:at + 32], "little")
                print(raw[at + 32:at + 32 + size].hex())
                """, dir.toString()).strip();
        List<VirtualDatasetHeapBlock.Entry> entries = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            entries.add(new VirtualDatasetHeapBlock.Entry(String.format("run_%06d.h5", k + 1), "/entry/data",
                    new HyperslabSelection(new long[] {0, 0}, new long[] {10, 4}), new HyperslabSelection(new long[] {10 * k, 0}, new long[] {10, 4})));
        }
        assertEquals(hex, HexFormat.of().formatHex(VirtualDatasetHeapBlock.encode(entries)));
    }

    @Test
    void h5pyReadsTheVirtualDatasetThroughItsMappings() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("rec"));
        List<VirtualMapping> mappings = new ArrayList<>();
        long row = 0;
        long[] rows = {6, 6, 3};
        for (int k = 0; k < rows.length; k++) {
            String name = String.format("run_%06d.h5", k + 1);
            try (Hdf5File f = Hdf5File.create(sub.resolve(name))) {
                Hdf5Dataset d = f.createDataset("/entry/data", DatasetSpec.builder(DataType.INT32, 0, 3)
                        .maxShape(DatasetSpec.UNLIMITED, 3).chunks(2, 3).deflate(1).build());
                int[] values = new int[(int) rows[k] * 3];
                for (int i = 0; i < values.length; i++) values[i] = (int) (row * 3 + i);
                d.appendValues(values);
            }
            mappings.add(VirtualMapping.rows(name, "/entry/data", new long[] {3}, rows[k], row));
            row += rows[k];
        }
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, row, 3).maxShape(DatasetSpec.UNLIMITED, 3).chunks(2, 3)
                .attribute("units", AttributeValue.of("uV")).build();
        try (Hdf5File master = Hdf5File.create(sub.resolve("run.h5"))) {
            master.createVirtualDataset("/entry/data", spec, mappings);
        }
        // Run from another directory: relative source names resolve against the master's directory.
        String out = ReferenceLibrary.runPython("""
                import h5py, numpy as np, sys
                with h5py.File(sys.argv[1], "r") as f:
                    d = f["/entry/data"]
                    assert d.is_virtual
                    assert d.shape == (15, 3), d.shape
                    assert d.maxshape == (None, 3), d.maxshape
                    assert d.attrs["units"] in ("uV", b"uV"), d.attrs["units"]
                    assert (d[:] == np.arange(45, dtype="<i4").reshape(15, 3)).all(), d[:]
                    print(len(d.virtual_sources()))
                """, sub.resolve("run.h5").toString()).strip();
        assertEquals("3", out);
        String dump = ReferenceLibrary.h5dump(sub.resolve("run.h5"), "-p", "-H");
        assertTrue(dump.contains("FILE \"run_000003.h5\""), dump);
        // What the README says of jhdf 0.13: it cannot read a virtual dataset (read the data files, or a links master).
        try (io.jhdf.HdfFile jhdf = new io.jhdf.HdfFile(sub.resolve("run.h5"))) {
            assertThrows(Exception.class, () -> jhdf.getDatasetByPath("/entry/data").getData());
        }
    }

    @Test
    void rowsPast2To32AreMappedWithVersion2Selections() throws Exception {
        HyperslabSelection far = new HyperslabSelection(new long[] {1L << 33, 0}, new long[] {4, 2});
        assertEquals(2, far.encode()[4], "version 2 past 32-bit coordinates");
        try (Hdf5File f = Hdf5File.create(dir.resolve("src.h5"))) {
            f.createDataset("/d", DatasetSpec.builder(DataType.INT16, 0, 2).maxShape(DatasetSpec.UNLIMITED, 2).chunks(4, 2).build())
                    .appendValues(new short[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        long rows = (1L << 33) + 4;
        VirtualMapping mapping = new VirtualMapping("src.h5", "/d", new long[] {0, 0}, new long[] {1L << 33, 0}, new long[] {4, 2});
        try (Hdf5File master = Hdf5File.create(dir.resolve("m.h5"))) {
            master.createVirtualDataset("/v", DatasetSpec.builder(DataType.INT16, rows, 2).chunks(1, 2).build(), List.of(mapping));
        }
        assertEquals("36 0", ReferenceLibrary.runPython("""
                import h5py, sys
                d = h5py.File(sys.argv[1])["/v"]
                print(int(d[2**33:2**33 + 4].sum()), int(d[0:4].sum()))
                """, dir.resolve("m.h5").toString()).strip());
    }

    @Test
    void aVirtualDatasetWithoutMappingsReadsAsItsFillValue() throws Exception {
        // A master whose data files hold no committed row yet: libhdf5 fails to read an empty mapping list.
        try (Hdf5File master = Hdf5File.create(dir.resolve("m.h5"))) {
            master.createVirtualDataset("/v", DatasetSpec.builder(DataType.INT16, 0, 2).maxShape(DatasetSpec.UNLIMITED, 2)
                    .chunks(4, 2).build(), List.of());
        }
        assertEquals("(0, 2) 0", ReferenceLibrary.runPython("""
                import h5py, sys
                d = h5py.File(sys.argv[1])["/v"]
                print(d.shape, len(d.virtual_sources()))
                """, dir.resolve("m.h5").toString()).strip());
    }

    @Test
    void aVirtualDatasetIsRefusedForAppendNamingIt() throws Exception {
        try (Hdf5File master = Hdf5File.create(dir.resolve("m.h5"))) {
            master.createVirtualDataset("/v", DatasetSpec.builder(DataType.INT16, 4, 2).chunks(4, 2).build(),
                    List.of(VirtualMapping.rows("x.h5", "/d", new long[] {2}, 4, 0)));
        }
        try (Hdf5File f = Hdf5File.openForAppend(dir.resolve("m.h5"))) {
            Hdf5Exception e = assertThrows(Hdf5Exception.class, () -> f.dataset("/v"));
            assertTrue(e.getMessage().contains("/v is a virtual dataset"), e.getMessage());
        }
    }
}
