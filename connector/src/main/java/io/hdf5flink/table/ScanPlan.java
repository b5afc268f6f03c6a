package io.hdf5flink.table;

import io.hdf5flink.hdf5.Hdf5DatasetReader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;

/**
 * What a scan of a table reads, checked against the file when the table is planned: every
 * dataset its columns map to exists, has the rank and width the columns need and an element type
 * each column holds exactly. Its rows are the rows every dataset has (in layout {@code columns}
 * one dataset may be committed ahead of another; only rows all of them hold are read).
 */
@Internal
final class ScanPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final TableLayout layout;
    private final Map<String, StoredDataset> datasets;
    private final long rows;

    private ScanPlan(String file, TableLayout layout, Map<String, StoredDataset> datasets, long rows) {
        this.file = file;
        this.layout = layout;
        this.datasets = datasets;
        this.rows = rows;
    }

    static ScanPlan of(Path file, TableLayout layout) {
        if (layout.fileField() >= 0) {
            throw new ValidationException("option '" + Hdf5TableOptions.FILE_COLUMN.key() + "' routes rows written to files;"
                    + " a scan reads one file, 'file': declare the table without it to read");
        }
        if (!Files.isRegularFile(file)) throw new ValidationException(file + " (options 'path' and 'file') is not a file");
        Map<String, StoredDataset> datasets = new LinkedHashMap<>();
        long rows = Long.MAX_VALUE;
        for (Map.Entry<String, List<ColumnBinding>> e : layout.byDataset().entrySet()) {
            StoredDataset stored = open(file, e.getKey());
            check(file, stored, e.getValue());
            datasets.put(e.getKey(), stored);
            rows = Math.min(rows, stored.shape()[0]);
        }
        return new ScanPlan(file.toString(), layout, datasets, rows);
    }

    private static StoredDataset open(Path file, String dataset) {
        try (Hdf5DatasetReader reader = Hdf5DatasetReader.open(file, dataset)) {
            long[] chunks = reader.chunkShape();
            return new StoredDataset(dataset, reader.type(), reader.bigEndian(), reader.shape(), chunks == null ? 0 : chunks[0]);
        } catch (IOException | IllegalArgumentException e) {
            throw new ValidationException(file + ":" + dataset + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static void check(Path file, StoredDataset stored, List<ColumnBinding> columns) {
        String where = file + ":" + stored.path() + " (" + stored.type().numpyName() + ", shape " + Arrays.toString(stored.shape()) + ")";
        ColumnBinding first = columns.get(0);
        int rank = stored.shape().length;
        if (first.column() >= 0) {
            if (rank != 2 || stored.shape()[1] != columns.size()) {
                throw new ValidationException(where + " cannot hold the " + columns.size() + " columns of layout 'matrix': it needs"
                        + " shape (rows, " + columns.size() + ")");
            }
        } else if (first.array()) {
            if (rank != 2) throw new ValidationException(where + " cannot be read as ARRAY " + first.describe() + ": it needs rank 2");
            if (first.length() > 0 && first.length() != stored.shape()[1]) {
                throw new ValidationException(where + " has rows of " + stored.shape()[1] + " elements, but option '"
                        + Hdf5TableOptions.COLUMNS_PREFIX + first.name() + Hdf5TableOptions.SHAPE_SUFFIX + "' is " + first.length());
            }
        } else if (rank != 1) {
            throw new ValidationException(where + " cannot be read as scalar " + first.describe() + ": it needs rank 1"
                    + (rank == 2 ? "; declare the column as an ARRAY, or use 'layout' = 'matrix'" : ""));
        }
        for (ColumnBinding c : columns) {
            if (!ColumnTypes.readable(c.element()).contains(stored.type())) {
                String wider = ColumnTypes.sqlTypeReading(stored.type());
                throw new ValidationException(c.describe() + " is " + (c.array() ? "ARRAY<" + c.element() + ">" : c.element())
                        + ", which cannot hold every " + stored.type().numpyName() + " value of " + where
                        + (wider != null ? ": declare it " + (c.array() ? "ARRAY<" + wider + ">" : wider) : ": no SQL type can"));
            }
        }
    }

    Path file() { return Path.of(file); }

    TableLayout layout() { return layout; }

    StoredDataset dataset(String path) { return datasets.get(path); }

    /** The rows every dataset holds. */
    long rows() { return rows; }

    /** Rows per band: whole chunks of the first dataset read, about {@code targetBytes} of all of them. */
    long bandRows(List<String> read, long targetBytes) {
        long rowBytes = 0;
        long chunkRows = 0;
        for (String path : read) {
            StoredDataset d = datasets.get(path);
            rowBytes += d.rowElements() * d.type().size();
            if (chunkRows == 0) chunkRows = d.chunkRows();
        }
        long rows = Math.max(1, targetBytes / Math.max(1, rowBytes));
        if (chunkRows > 0) rows = Math.max(chunkRows, rows - rows % chunkRows);
        return rows;
    }
}
