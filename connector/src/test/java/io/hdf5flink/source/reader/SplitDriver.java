package io.hdf5flink.source.reader;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.split.ArraySplit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;

/** Reads splits with the source's own split reader, without Flink around it. */
public final class SplitDriver {
    private SplitDriver() {}

    /** Every block of {@code split}. */
    public static List<ArrayBlock> read(ArraySplit split, long blockRows) throws IOException {
        return read(split, blockRows, Integer.MAX_VALUE);
    }

    /**
     * Every block of {@code splits}, read one after the other by one split reader, as a source
     * reader reads the splits it is given: a seekable input stays open from one split to the next
     * (opening an HDF5 dataset parses its whole chunk index).
     */
    public static List<ArrayBlock> readAll(List<ArraySplit> splits, long blockRows) throws IOException {
        return read(splits, blockRows, Integer.MAX_VALUE);
    }

    /** The first {@code maxBlocks} blocks of {@code split}, or all when it has fewer. */
    public static List<ArrayBlock> read(ArraySplit split, long blockRows, int maxBlocks) throws IOException {
        return read(List.of(split), blockRows, maxBlocks);
    }

    private static List<ArrayBlock> read(List<ArraySplit> splits, long blockRows, int maxBlocks) throws IOException {
        List<ArrayBlock> blocks = new ArrayList<>();
        try (ArraySplitReader reader = new ArraySplitReader(blockRows, false)) {
            reader.handleSplitsChanges(new SplitsAddition<>(splits));
            int finished = 0;
            while (blocks.size() < maxBlocks && finished < splits.size()) {
                RecordsWithSplitIds<PositionedBlock> records = reader.fetch();
                finished += records.finishedSplits().size();
                while (records.nextSplit() != null) {
                    for (PositionedBlock b = records.nextRecordFromSplit(); b != null; b = records.nextRecordFromSplit()) {
                        blocks.add(b.block());
                    }
                }
            }
        }
        return blocks;
    }
}
