package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of external links written by the engine (the EIGER-style master of rolled recordings):
 * h5py and jhdf follow every link to its data, h5dump lists them, in the root group and in nested
 * groups stored with link messages, with UTF-8 names.
 */
class ExternalLinkFileInteropTest {
    @TempDir Path dir;

    private void dataFile(String name, int first) throws Exception {
        try (Hdf5File f = Hdf5File.create(dir.resolve(name))) {
            Hdf5Dataset d = f.createDataset("/entry/data/data", DatasetSpec.builder(DataType.INT32, 0, 2)
                    .maxShape(DatasetSpec.UNLIMITED, 2).chunks(4, 2).build());
            d.appendValues(new int[] {first, first + 1, first + 2, first + 3});
        }
    }

    @Test
    void h5pyJhdfAndH5dumpFollowTheLinks() throws Exception {
        dataFile("scan_000001.h5", 0);
        dataFile("scan_000002.h5", 10);
        Map<String, ExternalLinkFile.Target> links = new LinkedHashMap<>();
        links.put("/entry/data/data_000001", new ExternalLinkFile.Target("scan_000001.h5", "/entry/data/data"));
        links.put("/entry/data/data_000002", new ExternalLinkFile.Target("scan_000002.h5", "/entry/data/data"));
        links.put("/entry/données_µV", new ExternalLinkFile.Target("scan_000002.h5", "/entry/data/data"));
        links.put("/top", new ExternalLinkFile.Target("scan_000001.h5", "/entry/data/data"));
        Path master = dir.resolve("scan.h5");
        ExternalLinkFile.create(master, links, false);
        String out = ReferenceLibrary.runPython("""
                import h5py, sys
                with h5py.File(sys.argv[1], 'r') as f:
                    assert list(f['entry/data'].keys()) == ['data_000001', 'data_000002'], list(f['entry/data'].keys())
                    link = f['entry/data'].get('data_000002', getlink=True)
                    assert link.filename == 'scan_000002.h5' and link.path == '/entry/data/data', (link.filename, link.path)
                    print(f['entry/data/data_000001'][:].ravel().tolist(), f['entry/data/data_000002'][:].ravel().tolist(),
                          f['entry/données_µV'][:].sum(), f['top'][:].sum())
                """, master.toString()).strip();
        assertEquals("[0, 1, 2, 3] [10, 11, 12, 13] 46 6", out);
        try (HdfFile f = new HdfFile(master)) {
            int[][] second = (int[][]) f.getDatasetByPath("/entry/data/data_000002").getData();
            assertEquals(12, second[1][0]);
            assertEquals(4, ((int[][]) f.getDatasetByPath("/top").getData()).length * 2);
        }
        String dump = ReferenceLibrary.h5dump(master, "-H");
        assertTrue(dump.contains("EXTERNAL_LINK \"data_000001\"") && dump.contains("TARGETFILE \"scan_000001.h5\""), dump);
    }

    @Test
    void conflictingLinkPathsAreRefused() {
        Map<String, ExternalLinkFile.Target> links = new LinkedHashMap<>();
        links.put("/a", new ExternalLinkFile.Target("x.h5", "/d"));
        links.put("/a/b", new ExternalLinkFile.Target("x.h5", "/d"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExternalLinkFile.create(dir.resolve("m.h5"), links, false));
        assertTrue(e.getMessage().contains("/a/b lies below the link a"), e.getMessage());
    }
}
