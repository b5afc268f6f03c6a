package io.hdf5flink.source.enumerate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.source.split.ArraySplit;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitPlannerTest {
    private static final ArrayInput MAPPED =
            new ArrayInput(Location.file("/a.npy", StreamCompression.NONE), true, 128, DataType.INT16, false);
    private static final ArrayInput GZ =
            new ArrayInput(Location.file("/a.npy.gz", StreamCompression.GZIP), false, 128, DataType.INT16, false);

    @Test
    void blocksAreWholeChunkBandsThatFit() {
        assertEquals(16384 * 4, SplitPlanner.blockRows(16384, 8 << 20, 128));
        assertEquals(16384, SplitPlanner.blockRows(16384, (2 << 20) + 5, 128));
        assertThrows(IllegalArgumentException.class, () -> SplitPlanner.blockRows(16384, (2 << 20) - 1, 128));
        assertEquals(7, SplitPlanner.blockRows(1, 7, 1));
        assertEquals(40, SplitPlanner.splitRows(10, 4000, 100));
        assertEquals(10, SplitPlanner.splitRows(10, 5, 100), "at least one block");
    }

    @Test
    void splitsFollowTheOutputGridAndCompressedInputsStayWhole() {
        List<ArraySplit> splits = new SplitPlanner("/d", 10)
                .add(MAPPED, 25, new long[] {0, 0}, new long[] {3})
                .add(MAPPED, 12, new long[] {25, 0}, new long[] {3})
                .add(GZ, 33, new long[] {37, 0}, new long[] {3})
                .add(MAPPED, 0, new long[] {70, 0}, new long[] {3})
                .splits();
        long[][] ranges = {{0, 10}, {10, 20}, {20, 25}, {0, 5}, {5, 12}, {0, 33}};
        assertEquals(ranges.length, splits.size());
        for (int i = 0; i < ranges.length; i++) {
            assertEquals(Integer.toString(i), splits.get(i).splitId());
            assertEquals(ranges[i][0], splits.get(i).nextRow());
            assertEquals(ranges[i][1], splits.get(i).endRow());
        }
    }
}
