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
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Reads a band of rows of a table and emits them as {@link RowData}: band {@code b} is rows
 * {@code [b * bandRows, (b + 1) * bandRows)} of the scan's row range. Bands come from Flink's
 * checkpointed number-sequence source, so a restored scan reads again exactly the bands after
 * its checkpoint (the function holds no state: a band is read whole within one record). Only the datasets of the projected columns are read, and of a {@code matrix}
 * dataset only the window of columns they span, so only the chunks that window overlaps are
 * decoded (metric {@code hdf5.chunksDecoded}). Each dataset stays open across bands; bands arrive
 * in order, so a chunk two bands share is decoded once. Rows are {@link BandRow}s, views onto the
 * band's bytes.
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
    private transient BandRow.Field[] rowFields;
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
        for (int f : fields) {
            for (ColumnBinding c : plan.layout().data()) {
                if (c.field() == f) byDataset.computeIfAbsent(c.dataset(), d -> new DatasetWindow(plan.dataset(d))).add(c);
            }
        }
        windows = new ArrayList<>(byDataset.values());
        for (DatasetWindow w : windows) w.open(plan);
        List<String> datasets = new ArrayList<>(byDataset.keySet());
        rowFields = new BandRow.Field[fields.length];
        for (int out = 0; out < fields.length; out++) {
            rowFields[out] = new BandRow.Field(true, -1, 0, 0, null, null, false, 0);
            for (ColumnBinding c : plan.layout().data()) {
                if (c.field() != fields[out]) continue;
                int w = datasets.indexOf(c.dataset());
                rowFields[out] = windows.get(w).field(w, c);
            }
        }
    }

    @Override
    public void flatMap(Long band, Collector<RowData> rowsOut) throws IOException {
        long first = Math.max(range.first(), band * bandRows);
        long end = Math.min(range.end(), (band + 1) * bandRows);
        if (end <= first) return;
        int rows = Math.toIntExact(end - first);
        ByteBuffer[] bytes = new ByteBuffer[windows.size()];
        for (int w = 0; w < bytes.length; w++) {
            DatasetWindow window = windows.get(w);
            long before = window.reader.chunksDecoded();
            bytes[w] = window.read(first, rows);
            chunksDecoded.inc(window.reader.chunksDecoded() - before);
        }
        BandRow.Band read = new BandRow.Band(first, rowFields, bytes);
        for (int r = 0; r < rows; r++) rowsOut.collect(new BandRow(read, r));
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
        private final List<ColumnBinding> columns = new ArrayList<>();
        private Hdf5DatasetReader reader;
        private long firstColumn;
        private long width;

        DatasetWindow(StoredDataset stored) {
            this.stored = stored;
        }

        void add(ColumnBinding column) {
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

        /** Where column {@code c} lies in this window's rows, as window {@code index} of a band. */
        BandRow.Field field(int index, ColumnBinding c) {
            int size = stored.type().size();
            int offset = c.column() >= 0 ? (int) ((c.column() - firstColumn) * size) : 0;
            return new BandRow.Field(false, index, (int) (width * size), offset, stored.type(), c.element(), c.array(), (int) width);
        }

        /** Rows {@code [first, first + rows)} of the window, little-endian. */
        ByteBuffer read(long first, int rows) throws IOException {
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
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        void close() throws IOException {
            if (reader != null) reader.close();
        }
    }
}
