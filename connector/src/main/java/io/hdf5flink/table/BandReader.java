package io.hdf5flink.table;

import io.hdf5flink.hdf5.Hdf5DatasetReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Reads a band of rows of a table and emits them as {@link RowData}: band {@code b} is rows
 * {@code [b * bandRows, (b + 1) * bandRows)} of the scan's row range. Bands come from Flink's
 * checkpointed number-sequence source, so a restored scan reads every band it had not finished
 * and none twice. Only the datasets of the projected columns are read, and of a {@code matrix}
 * dataset only the window of columns they span, so only the chunks that window overlaps are
 * decoded (metric {@code hdf5.chunksDecoded}). Each dataset stays open across bands; bands arrive
 * in order, so a chunk two bands share is decoded once.
 */
@Internal
final class BandReader extends RichFlatMapFunction<Long, RowData> {
    private static final long serialVersionUID = 1L;

    private final ScanPlan plan;
    /** Per output position, the physical field it shows. */
    private final int[] fields;
    private final RowRange range;
    private final long bandRows;
    private transient List<DatasetWindow> windows;
    private transient Counter chunksDecoded;

    BandReader(ScanPlan plan, int[] fields, RowRange range, long bandRows) {
        this.plan = plan;
        this.fields = fields.clone();
        this.range = range;
        this.bandRows = bandRows;
    }

    /** The datasets the projected fields read, in order. */
    static List<String> datasetsRead(ScanPlan plan, int[] fields) {
        List<String> read = new ArrayList<>();
        for (int f : fields) {
            for (ColumnBinding c : plan.layout().data()) {
                if (c.field() == f && !read.contains(c.dataset())) read.add(c.dataset());
            }
        }
        return read;
    }

    @Override
    public void open(OpenContext context) throws IOException {
        chunksDecoded = getRuntimeContext().getMetricGroup().addGroup("hdf5").counter("chunksDecoded");
        Map<String, DatasetWindow> byDataset = new LinkedHashMap<>();
        for (int out = 0; out < fields.length; out++) {
            for (ColumnBinding c : plan.layout().data()) {
                if (c.field() != fields[out]) continue;
                int position = out;
                byDataset.computeIfAbsent(c.dataset(), d -> new DatasetWindow(plan.dataset(d))).add(position, c);
            }
        }
        windows = new ArrayList<>(byDataset.values());
        for (DatasetWindow w : windows) w.open(plan);
    }

    @Override
    public void flatMap(Long band, Collector<RowData> rowsOut) throws IOException {
        long first = Math.max(range.first(), band * bandRows);
        long end = Math.min(range.end(), (band + 1) * bandRows);
        if (end <= first) return;
        int rows = Math.toIntExact(end - first);
        for (DatasetWindow w : windows) {
            long before = w.reader.chunksDecoded();
            w.read(first, rows);
            chunksDecoded.inc(w.reader.chunksDecoded() - before);
        }
        int rowIndex = plan.layout().rowIndexField();
        for (int r = 0; r < rows; r++) {
            GenericRowData row = new GenericRowData(fields.length);
            for (int out = 0; out < fields.length; out++) if (fields[out] == rowIndex) row.setField(out, first + r);
            for (DatasetWindow w : windows) w.emit(r, row);
            rowsOut.collect(row);
        }
    }

    @Override
    public void close() throws IOException {
        if (windows == null) return;
        IOException failure = null;
        for (DatasetWindow w : windows) {
            try {
                w.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) throw failure;
    }

    /** One dataset read for the projected columns: the columns it spans, read a band at a time. */
    private static final class DatasetWindow {
        private final StoredDataset stored;
        private final List<Integer> positions = new ArrayList<>();
        private final List<ColumnBinding> columns = new ArrayList<>();
        private Hdf5DatasetReader reader;
        private long firstColumn;
        private long width;
        private ByteBuffer band;

        DatasetWindow(StoredDataset stored) {
            this.stored = stored;
        }

        void add(int position, ColumnBinding column) {
            positions.add(position);
            columns.add(column);
        }

        void open(ScanPlan plan) throws IOException {
            reader = Hdf5DatasetReader.open(plan.file(), stored.path());
            if (reader.type() != stored.type() || reader.bigEndian() != stored.bigEndian()
                    || !Arrays.equals(Arrays.copyOfRange(reader.shape(), 1, reader.shape().length),
                            Arrays.copyOfRange(stored.shape(), 1, stored.shape().length))
                    || reader.shape()[0] < plan.rows()) {
                String now = reader.type() + " of shape " + Arrays.toString(reader.shape());
                reader.close();
                throw new IOException(plan.file() + ":" + stored.path() + " is now " + now + ", not what it was when the"
                        + " query was planned (" + stored.type() + " of shape " + Arrays.toString(stored.shape()) + ")");
            }
            if (columns.get(0).column() >= 0) {
                long lo = Long.MAX_VALUE;
                long hi = 0;
                for (ColumnBinding c : columns) {
                    lo = Math.min(lo, c.column());
                    hi = Math.max(hi, c.column() + 1L);
                }
                firstColumn = lo;
                width = hi - lo;
            } else {
                width = stored.rowElements();
            }
        }

        void read(long first, int rows) throws IOException {
            int rank = stored.shape().length;
            long[] offset = new long[rank];
            long[] extent = stored.shape().clone();
            offset[0] = first;
            extent[0] = rows;
            if (columns.get(0).column() >= 0) {
                offset[1] = firstColumn;
                extent[1] = width;
            }
            byte[] bytes = new byte[Math.toIntExact(rows * width * stored.type().size())];
            reader.read(offset, extent, bytes);
            if (stored.bigEndian()) stored.type().swapByteOrder(bytes);
            band = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        void emit(int r, GenericRowData row) {
            int size = stored.type().size();
            int rowStart = Math.toIntExact(r * width * size);
            for (int i = 0; i < columns.size(); i++) {
                ColumnBinding c = columns.get(i);
                Object value = c.array()
                        ? StoredValues.array(band, rowStart, (int) width, stored.type(), c.element())
                        : StoredValues.scalar(band, rowStart + (int) (Math.max(0, c.column() - firstColumn) * size), stored.type(), c.element());
                row.setField(positions.get(i), value);
            }
        }

        void close() throws IOException {
            if (reader != null) reader.close();
        }
    }
}
