package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten million chunks in one dataset: libhdf5 finds every one, and the index work of a commit
 * depends only on the tree's depth, not on how many chunks are already stored.
 */
class ScaleInteropTest {
    @TempDir Path dir;

    @Test
    void tenMillionChunksWithConstantCostPerCommit() {
        ReferenceLibrary.requireAvailable();
        Path file = dir.resolve("10m.h5");
        long n = 10_000_000;
        long commits = 0;
        long writesAtDepth4 = -1;
        try (Hdf5File f = Hdf5File.create(file)) {
            Hdf5Dataset d = f.createDataset("/big", DatasetSpec.builder(DataType.INT32, 0)
                    .maxShape(DatasetSpec.UNLIMITED).chunks(1).build());
            byte[] value = new byte[4];
            for (long i = 0; i < n; i++) {
                value[0] = (byte) i;
                value[1] = (byte) (i >> 8);
                value[2] = (byte) (i >> 16);
                value[3] = (byte) (i >> 24);
                d.writeChunk(new long[] {i}, new EncodedChunk(value, 4, 0));
                if ((i + 1) % 1_000_000 == 0) {
                    d.resize(i + 1);
                    f.commit();
                    commits++;
                    // A commit of one more chunk: one root-to-leaf path, however large the index.
                    long before = d.indexNodeWrites();
                    d.writeChunk(new long[] {i + 1}, new EncodedChunk(value, 4, 0));
                    f.commit();
                    long cost = d.indexNodeWrites() - before;
                    assertTrue(cost <= d.indexDepth() + 1, "a one-chunk commit wrote " + cost + " nodes at depth " + d.indexDepth());
                    if (d.indexDepth() == 4) {
                        if (writesAtDepth4 < 0) writesAtDepth4 = cost;
                        assertTrue(cost <= writesAtDepth4 + 1, "cost grew from " + writesAtDepth4 + " to " + cost + " at " + (i + 1));
                    }
                }
            }
        }
        assertEquals(10, commits);
        String out = ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['big']",
                "assert d.shape == (10000000,), d.shape",
                "print(d.id.get_num_chunks())",
                "for start in (0, 4_999_990, 9_999_000):",
                "    a = d[start:start + 1000]",
                "    assert (a == np.arange(start, start + len(a))).all(), start"), file.toString()).trim();
        // The index also holds the chunk one past the final shape: stored, not visible.
        assertEquals(Long.toString(n + 1), out);
    }
}
