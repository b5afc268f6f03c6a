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

    /** The first {@code maxBlocks} blocks of {@code split}, or all when it has fewer. */
    public static List<ArrayBlock> read(ArraySplit split, long blockRows, int maxBlocks) throws IOException {
        List<ArrayBlock> blocks = new ArrayList<>();
        try (ArraySplitReader reader = new ArraySplitReader(blockRows, false)) {
            reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
            while (blocks.size() < maxBlocks) {
                RecordsWithSplitIds<PositionedBlock> records = reader.fetch();
                boolean finished = !records.finishedSplits().isEmpty();
                while (records.nextSplit() != null) {
                    for (PositionedBlock b = records.nextRecordFromSplit(); b != null; b = records.nextRecordFromSplit()) {
                        blocks.add(b.block());
                    }
                }
                if (finished) break;
            }
        }
        return blocks;
    }
}
