package io.hdf5flink.table;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

/**
 * Turns a table's rows into appended {@link ArrayBlock}s, one per dataset and file, for the
 * {@code Hdf5Sink} downstream: a block per row would cost a record, a routing step and a buffer
 * lookup per row; blocks of about {@value #BLOCK_BYTES} bytes cost them once per thousands.
 *
 * <p>A table of several datasets (layout {@code columns}) runs it at parallelism 1, so that
 * every dataset receives the rows in one order and row {@code i} of each is the same row; the
 * writers downstream still filter and write in parallel.
 *
 * <p>Its part in exactly-once: rows wait here only until the next checkpoint barrier. Every
 * buffered row is sent on before the barrier ({@link #prepareSnapshotPreBarrier}) and at the end
 * of input, so the operator has no state, and each row is in the sink's writer state or its
 * committables of the checkpoint that follows it. Memory is bounded: a block per dataset and
 * file being filled, and all of them are sent on when their arrays take more than
 * {@value #MAX_BUFFERED_BYTES} bytes (many files routed at once).
 *
 * <p>Metrics, in group {@code hdf5}: {@code tableRowsIn} (rows taken) and {@code tableBytesOut}
 * (raw bytes of the blocks sent on).
 */
@Internal
final class RowsToBlocks extends AbstractStreamOperator<ArrayBlock> implements OneInputStreamOperator<RowData, ArrayBlock> {
    private static final long serialVersionUID = 1L;
    static final int BLOCK_BYTES = 1 << 20;
    static final long MAX_BUFFERED_BYTES = 64L << 20;

    private final List<List<ColumnBinding>> datasets;
    private final int fileField;
    private transient Map<String, Block[]> blocks;
    private transient Counter rowsIn;
    private transient Counter bytesOut;
    private transient long buffered;
    private transient long rowNumber;

    RowsToBlocks(TableLayout layout) {
        this.datasets = List.copyOf(layout.byDataset().values());
        this.fileField = layout.fileField();
    }

    @Override
    public void open() throws Exception {
        super.open();
        blocks = new LinkedHashMap<>();
        MetricGroup hdf5 = getMetricGroup().addGroup("hdf5");
        rowsIn = hdf5.counter("tableRowsIn");
        bytesOut = hdf5.counter("tableBytesOut");
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        RowData row = element.getValue();
        if (row.getRowKind() != RowKind.INSERT) {
            throw new IllegalArgumentException("row " + rowNumber + " is " + row.getRowKind()
                    + "; an HDF5 table only appends rows (INSERT), it cannot update or delete them");
        }
        String file = null;
        if (fileField >= 0) {
            if (row.isNullAt(fileField)) throw new IllegalArgumentException("row " + rowNumber + ": the file column is NULL");
            file = row.getString(fileField).toString();
        }
        Block[] perDataset = blocks.get(file);
        if (perDataset == null) { // not computeIfAbsent: its lambda would be a new object per row
            perDataset = new Block[datasets.size()];
            blocks.put(file, perDataset);
        }
        for (int i = 0; i < perDataset.length; i++) {
            if (perDataset[i] == null) perDataset[i] = new Block(file, datasets.get(i), row, rowNumber);
            Block b = perDataset[i];
            buffered += b.add(row, rowNumber);
            if (b.full()) {
                buffered -= b.arrayBytes();
                emit(b);
            }
        }
        rowNumber++;
        rowsIn.inc();
        if (buffered > MAX_BUFFERED_BYTES) flush();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        for (Block[] perDataset : blocks.values()) {
            for (Block b : perDataset) if (b != null && b.rows > 0) emit(b);
        }
        blocks.clear();
        buffered = 0;
    }

    private void emit(Block b) {
        bytesOut.inc(b.bytes());
        output.collect(new StreamRecord<>(b.take()));
    }

    /** The rows of one dataset of one file being gathered into a block. */
    private static final class Block {
        private final String file;
        private final ColumnBinding[] columns;
        private final DataType type;
        private final long width;
        private final int rowBytes;
        private final int capacity;
        /** The block's bytes, little-endian, written with shifts: ByteBuffer's checked puts cost a call each. */
        private byte[] data;
        private int position;
        private int rows;

        Block(String file, List<ColumnBinding> columns, RowData first, long rowNumber) {
            this.file = file;
            this.columns = columns.toArray(ColumnBinding[]::new);
            ColumnBinding c = this.columns[0];
            this.type = ColumnTypes.written(c.element());
            this.width = c.array() ? (c.length() > 0 ? c.length() : lengthOf(c, first, rowNumber)) : c.column() >= 0 ? columns.size() : 0;
            this.rowBytes = (int) (type.size() * Math.max(1, width));
            this.capacity = Math.max(1, BLOCK_BYTES / rowBytes);
        }

        private static long lengthOf(ColumnBinding c, RowData row, long rowNumber) {
            if (row.isNullAt(c.field())) throw nullValue(c, rowNumber);
            return row.getArray(c.field()).size();
        }

        /** Adds the row's values; returns the bytes of the array this allocated for the block, if it did. */
        int add(RowData row, long rowNumber) {
            int allocated = 0;
            if (data == null) {
                data = new byte[capacity * rowBytes];
                allocated = data.length;
            }
            for (ColumnBinding c : columns) {
                if (row.isNullAt(c.field())) throw nullValue(c, rowNumber);
                if (c.array()) putArray(c, row.getArray(c.field()), rowNumber);
                else putScalar(c, row);
            }
            rows++;
            return allocated;
        }

        private void putScalar(ColumnBinding c, RowData row) {
            int f = c.field();
            switch (c.element()) {
                case BOOLEAN -> put8(row.getBoolean(f) ? 1 : 0);
                case TINYINT -> put8(row.getByte(f));
                case SMALLINT -> put16(row.getShort(f));
                case INTEGER -> put32(row.getInt(f));
                case BIGINT -> put64(row.getLong(f));
                case FLOAT -> put32(Float.floatToRawIntBits(row.getFloat(f)));
                case DOUBLE -> put64(Double.doubleToRawLongBits(row.getDouble(f)));
                default -> throw new IllegalStateException(c.describe() + " is " + c.element());
            }
        }

        private void put8(int v) {
            data[position++] = (byte) v;
        }

        private void put16(int v) {
            data[position] = (byte) v;
            data[position + 1] = (byte) (v >> 8);
            position += 2;
        }

        private void put32(int v) {
            data[position] = (byte) v;
            data[position + 1] = (byte) (v >> 8);
            data[position + 2] = (byte) (v >> 16);
            data[position + 3] = (byte) (v >> 24);
            position += 4;
        }

        private void put64(long v) {
            put32((int) v);
            put32((int) (v >>> 32));
        }

        private void putArray(ColumnBinding c, ArrayData a, long rowNumber) {
            int n = a.size();
            if (n != width) {
                throw new IllegalArgumentException(c.describe() + " of row " + rowNumber + " (counted from the start of this"
                        + " subtask's input) has " + n + " elements; its dataset " + c.dataset() + " takes " + width + " per row ("
                        + (c.length() > 0 ? "option '" + Hdf5TableOptions.COLUMNS_PREFIX + c.name() + Hdf5TableOptions.SHAPE_SUFFIX + "'"
                                : "the length of the first row") + ")");
            }
            for (int i = 0; i < n; i++) {
                if (a.isNullAt(i)) {
                    throw new IllegalArgumentException(c.describe() + " of row " + rowNumber + " has a NULL element at index " + i
                            + "; HDF5 datasets have no NULL");
                }
                switch (c.element()) {
                    case BOOLEAN -> put8(a.getBoolean(i) ? 1 : 0);
                    case TINYINT -> put8(a.getByte(i));
                    case SMALLINT -> put16(a.getShort(i));
                    case INTEGER -> put32(a.getInt(i));
                    case BIGINT -> put64(a.getLong(i));
                    case FLOAT -> put32(Float.floatToRawIntBits(a.getFloat(i)));
                    case DOUBLE -> put64(Double.doubleToRawLongBits(a.getDouble(i)));
                    default -> throw new IllegalStateException(c.describe() + " is " + c.element());
                }
            }
        }

        private static IllegalArgumentException nullValue(ColumnBinding c, long rowNumber) {
            return new IllegalArgumentException(c.describe() + " of row " + rowNumber + " (counted from the start of this"
                    + " subtask's input) is NULL; HDF5 datasets have no NULL: declare the column NOT NULL, or COALESCE it");
        }

        boolean full() { return rows == capacity; }

        long bytes() { return (long) rows * rowBytes; }

        /** The bytes of the block's array: what it holds of the operator's memory. */
        long arrayBytes() { return (long) capacity * rowBytes; }

        ArrayBlock take() {
            byte[] bytes = position == data.length ? data : Arrays.copyOf(data, position);
            long[] shape = width > 0 ? new long[] {rows, width} : new long[] {rows};
            ArrayBlock block = ArrayBlock.append(columns[0].dataset(), type, shape, bytes);
            data = null;
            position = 0;
            rows = 0;
            return file == null ? block : block.inFile(file);
        }
    }
}
