package io.hdf5flink.table;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.record.ArrayBlock;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

/**
 * {@link RowsToBlocks} in Flink's operator harness: rows become blocks of whole rows in
 * little-endian order; every buffered row goes on before a checkpoint barrier; its arrays stay
 * under their bound when rows are routed to many files; NULLs and updates are refused by name.
 */
class RowsToBlocksTest {
    /** A table of 64 SMALLINT columns in layout 'matrix' and a file column. */
    private static OneInputStreamOperatorTestHarness<RowData, ArrayBlock> harness() throws Exception {
        LogicalType[] types = new LogicalType[65];
        String[] names = new String[65];
        for (int c = 0; c < 64; c++) {
            types[c] = new SmallIntType();
            names[c] = "c" + c;
        }
        types[64] = new VarCharType(VarCharType.MAX_LENGTH);
        names[64] = "f";
        Configuration options = new Configuration();
        options.set(Hdf5TableOptions.LAYOUT, Hdf5TableOptions.Layout.MATRIX);
        options.set(Hdf5TableOptions.FILE_COLUMN, "f");
        TableLayout layout = TableLayout.of(RowType.of(types, names), options, Map.of());
        OneInputStreamOperatorTestHarness<RowData, ArrayBlock> h = new OneInputStreamOperatorTestHarness<>(new RowsToBlocks(layout));
        h.open();
        return h;
    }

    private static GenericRowData row(int value, String file) {
        GenericRowData r = new GenericRowData(65);
        for (int c = 0; c < 64; c++) r.setField(c, (short) (value * 64 + c));
        r.setField(64, StringData.fromString(file));
        return r;
    }

    private static List<ArrayBlock> blocks(OneInputStreamOperatorTestHarness<RowData, ArrayBlock> h) {
        return h.extractOutputValues();
    }

    @Test
    void everyBufferedRowGoesOnBeforeTheBarrier() throws Exception {
        try (var h = harness()) {
            for (int i = 0; i < 10; i++) h.processElement(new StreamRecord<>(row(i, "a.h5")));
            h.processElement(new StreamRecord<>(row(10, "b.h5")));
            assertEquals(List.of(), blocks(h), "rows wait for a full block or a barrier");
            h.prepareSnapshotPreBarrier(1);
            List<ArrayBlock> out = blocks(h);
            assertEquals(2, out.size());
            ArrayBlock a = out.get(0);
            assertEquals("a.h5", a.file());
            assertEquals("/data", a.dataset());
            assertArrayEquals(new long[] {10, 64}, a.shape());
            assertEquals((byte) (3 * 64 + 5), a.data()[(3 * 64 + 5) * 2], "little-endian, C order");
            assertEquals(0, a.data()[(3 * 64 + 5) * 2 + 1]);
            assertArrayEquals(new long[] {1, 64}, out.get(1).shape());
        }
    }

    @Test
    void fullBlocksGoOnAtOnceAndRowsRoutedToManyFilesStayUnderTheBound() throws Exception {
        try (var h = harness()) {
            int perBlock = RowsToBlocks.BLOCK_BYTES / 128;
            for (int i = 0; i < perBlock; i++) h.processElement(new StreamRecord<>(row(i, "one.h5")));
            assertEquals(1, blocks(h).size(), "a full block goes on without waiting");
            assertArrayEquals(new long[] {perBlock, 64}, blocks(h).get(0).shape());
            int files = (int) (RowsToBlocks.MAX_BUFFERED_BYTES / RowsToBlocks.BLOCK_BYTES) + 1;
            for (int i = 0; i < files; i++) h.processElement(new StreamRecord<>(row(i, "f" + i + ".h5")));
            assertEquals(1 + files, blocks(h).size(), "the block array of the " + files + "th file exceeds "
                    + RowsToBlocks.MAX_BUFFERED_BYTES + " bytes: every block goes on");
        }
    }

    @Test
    void nullsAndUpdatesAreRefusedNamingTheColumnAndRow() throws Exception {
        try (var h = harness()) {
            h.processElement(new StreamRecord<>(row(0, "a.h5")));
            GenericRowData nulled = row(1, "a.h5");
            nulled.setField(7, null);
            Exception e = assertThrows(IllegalArgumentException.class, () -> h.processElement(new StreamRecord<>(nulled)));
            assertTrue(e.getMessage().startsWith("column 'c7' of row 1 (counted from the start of this subtask's input) is NULL"),
                    e.getMessage());
            GenericRowData update = row(2, "a.h5");
            update.setRowKind(RowKind.UPDATE_AFTER);
            e = assertThrows(IllegalArgumentException.class, () -> h.processElement(new StreamRecord<>(update)));
            assertTrue(e.getMessage().contains("is UPDATE_AFTER; an HDF5 table only appends rows"), e.getMessage());
        }
    }
}
