package io.hdf5flink.hdf5;

import java.util.Arrays;

/**
 * One mapping of a virtual dataset ({@link Hdf5File#createVirtualDataset}): the block of
 * {@code extent} at {@code virtualStart} of the virtual dataset shows the block of the same
 * extent at {@code sourceStart} of {@code sourceDataset} in {@code sourceFile} (a name relative to
 * the virtual dataset's file is looked up in that file's directory; "." is the virtual dataset's
 * own file).
 */
public record VirtualMapping(String sourceFile, String sourceDataset, long[] sourceStart, long[] virtualStart, long[] extent) {
    public VirtualMapping {
        if (sourceFile.isEmpty() || sourceDataset.isEmpty()) throw new IllegalArgumentException("a mapping names its source file and dataset");
        if (sourceStart.length != extent.length || virtualStart.length != extent.length) {
            throw new IllegalArgumentException("a mapping's starts and extent differ in rank");
        }
        sourceStart = sourceStart.clone();
        virtualStart = virtualStart.clone();
        extent = extent.clone();
    }

    /**
     * {@code rows} whole rows of {@code sourceDataset} (rows of shape {@code rowShape}), from its
     * row 0, shown at row {@code virtualRow} of the virtual dataset.
     */
    public static VirtualMapping rows(String sourceFile, String sourceDataset, long[] rowShape, long rows, long virtualRow) {
        long[] extent = new long[rowShape.length + 1];
        extent[0] = rows;
        System.arraycopy(rowShape, 0, extent, 1, rowShape.length);
        long[] virtualStart = new long[extent.length];
        virtualStart[0] = virtualRow;
        return new VirtualMapping(sourceFile, sourceDataset, new long[extent.length], virtualStart, extent);
    }

    @Override
    public String toString() {
        return sourceFile + ":" + sourceDataset + Arrays.toString(sourceStart) + " -> " + Arrays.toString(virtualStart)
                + " extent " + Arrays.toString(extent);
    }
}
