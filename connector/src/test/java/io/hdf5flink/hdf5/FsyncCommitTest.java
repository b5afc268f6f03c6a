package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ExpectedFile;
import io.hdf5flink.hdf5.testing.FilterInfo;
import io.hdf5flink.hdf5.testing.HdfAssertions;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commits with {@code fsyncOnCommit}: the same file, the same visibility rules, as without it. */
class FsyncCommitTest {
    @TempDir Path dir;

    private static final Hdf5File.Options FSYNC = Hdf5File.Options.defaults().withFsyncOnCommit(true);

    private static int[] ramp(int from, int count) {
        int[] v = new int[count];
        for (int i = 0; i < count; i++) v[i] = from + 3 * i;
        return v;
    }

    private static int[] readAll(Hdf5Dataset d) {
        long[] shape = d.shape();
        ByteBuffer b = d.read(new long[shape.length], shape);
        int[] out = new int[b.remaining() / 4];
        b.asIntBuffer().get(out);
        return out;
    }

    @Test
    void fsyncedCommitsSurviveReopenAndReadInH5py() {
        ReferenceLibrary.requireAvailable();
        Path p = dir.resolve("fsync.h5");
        try (Hdf5File f = Hdf5File.create(p, FSYNC)) {
            assertTrue(f.options().fsyncOnCommit());
            Hdf5Dataset d = f.createDataset("/rec/data", DatasetSpec.builder(DataType.INT32, 0, 2)
                    .maxShape(DatasetSpec.UNLIMITED, 2).chunks(8, 2).shuffle().deflate(3).commitTokenCapacity(16).build());
            d.appendValues(ramp(0, 20));
            d.setCommitToken("one".getBytes(StandardCharsets.UTF_8));
            f.commit();
            d.appendValues(ramp(60, 30));
            d.setCommitToken("two".getBytes(StandardCharsets.UTF_8));
            f.commit();
            f.commit(); // nothing changed: a no-op, fsync or not
            d.appendValues(ramp(150, 6));
            d.setCommitToken("never".getBytes(StandardCharsets.UTF_8));
            f.abandon();
        }
        try (Hdf5File f = Hdf5File.openForAppend(p, FSYNC)) {
            Hdf5Dataset d = f.dataset("/rec/data");
            assertArrayEquals(new long[] {25, 2}, d.shape());
            assertEquals("two", new String(d.commitToken(), StandardCharsets.UTF_8));
            int[] want = new int[50];
            System.arraycopy(ramp(0, 20), 0, want, 0, 20);
            System.arraycopy(ramp(60, 30), 0, want, 20, 30);
            assertArrayEquals(want, readAll(d));
            d.appendValues(ramp(150, 4)); // committed by close()
        }
        int[] all = new int[54];
        System.arraycopy(ramp(0, 20), 0, all, 0, 20);
        System.arraycopy(ramp(60, 30), 0, all, 20, 30);
        System.arraycopy(ramp(150, 4), 0, all, 50, 4);
        ByteBuffer bytes = ByteBuffer.allocate(4 * all.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int v : all) bytes.putInt(v);
        HdfAssertions.assertReadableByAll(p, ExpectedFile.create().superblockVersion(0)
                .dataset("/rec/data", d -> d.dtype("<i4").shape(27, 2).maxshape(ExpectedFile.UNLIMITED, 2).chunks(8, 2)
                        .filters(FilterInfo.shuffle(4), FilterInfo.deflate(3)).data(bytes.array()))
                .build());
    }
}
