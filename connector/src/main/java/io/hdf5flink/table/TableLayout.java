package io.hdf5flink.table;

import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.table.Hdf5TableOptions.Layout;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * How a table's physical columns map to datasets, resolved once from its schema and options by
 * the factory and shared by the sink and the source: the data columns with their datasets, and
 * the columns that hold no data (the row index, the file name). Every error is a
 * {@link ValidationException} naming the column or option at fault, raised when the table is
 * planned, before any job runs.
 */
@Internal
final class TableLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<ColumnBinding> data;
    private final int fileField;
    private final int rowIndexField;
    private final List<String> names;

    private TableLayout(List<ColumnBinding> data, int fileField, int rowIndexField, List<String> names) {
        this.data = List.copyOf(data);
        this.fileField = fileField;
        this.rowIndexField = rowIndexField;
        this.names = List.copyOf(names);
    }

    /**
     * @param physical the table's physical row type
     * @param options the table's options
     * @param shapes the {@code columns.<name>.shape} options, by column name
     */
    static TableLayout of(RowType physical, ReadableConfig options, Map<String, String> shapes) {
        Layout layout = options.get(Hdf5TableOptions.LAYOUT);
        String dataset = datasetPath(options.get(Hdf5TableOptions.DATASET));
        List<String> names = physical.getFieldNames();
        int rowIndexField = options.getOptional(Hdf5TableOptions.ROW_INDEX_COLUMN)
                .map(c -> field(names, c, Hdf5TableOptions.ROW_INDEX_COLUMN.key())).orElse(-1);
        if (rowIndexField >= 0 && physical.getTypeAt(rowIndexField).getTypeRoot() != LogicalTypeRoot.BIGINT) {
            throw new ValidationException("'" + Hdf5TableOptions.ROW_INDEX_COLUMN.key() + "' column '" + names.get(rowIndexField)
                    + "' is " + physical.getTypeAt(rowIndexField) + "; a row index is BIGINT");
        }
        int fileField = options.getOptional(Hdf5TableOptions.FILE_COLUMN)
                .map(c -> field(names, c, Hdf5TableOptions.FILE_COLUMN.key())).orElse(-1);
        if (fileField >= 0 && !physical.getTypeAt(fileField).is(LogicalTypeFamily.CHARACTER_STRING)) {
            throw new ValidationException("'" + Hdf5TableOptions.FILE_COLUMN.key() + "' column '" + names.get(fileField)
                    + "' is " + physical.getTypeAt(fileField) + "; a file name is a STRING");
        }
        if (fileField >= 0 && fileField == rowIndexField) {
            throw new ValidationException("'" + Hdf5TableOptions.FILE_COLUMN.key() + "' and '"
                    + Hdf5TableOptions.ROW_INDEX_COLUMN.key() + "' name the same column '" + names.get(fileField) + "'");
        }
        for (String column : shapes.keySet()) {
            if (!names.contains(column) || !ColumnTypes.isArray(physical.getTypeAt(names.indexOf(column)))) {
                throw new ValidationException("option '" + Hdf5TableOptions.COLUMNS_PREFIX + column + Hdf5TableOptions.SHAPE_SUFFIX
                        + "': " + (names.contains(column) ? "column '" + column + "' is not an ARRAY" : "the table has no column '" + column + "'"));
            }
        }
        List<ColumnBinding> data = new ArrayList<>();
        for (int f = 0; f < names.size(); f++) {
            if (f == fileField || f == rowIndexField) continue;
            String name = names.get(f);
            LogicalType type = physical.getTypeAt(f);
            LogicalType element = ColumnTypes.elementOf(type);
            boolean array = ColumnTypes.isArray(type);
            if (ColumnTypes.written(element.getTypeRoot()) == null || ColumnTypes.isArray(element)) {
                throw new ValidationException("column '" + name + "' is " + type + "; the hdf5 connector takes "
                        + ColumnTypes.SCALARS + " and ARRAYs of them");
            }
            long length = array ? length(name, shapes.get(name)) : 0;
            int column = layout == Layout.MATRIX ? data.size() : -1;
            String path = layout == Layout.COLUMNS ? child(dataset, name) : dataset;
            data.add(new ColumnBinding(name, f, element.getTypeRoot(), array, path, column, length));
        }
        if (data.isEmpty()) throw new ValidationException("the table has no data column (every column is the row index or the file)");
        checkLayout(layout, data);
        return new TableLayout(data, fileField, rowIndexField, names);
    }

    private static void checkLayout(Layout layout, List<ColumnBinding> data) {
        String option = "'" + Hdf5TableOptions.LAYOUT.key() + "' = '" + layout.name().toLowerCase(Locale.ROOT) + "'";
        if (layout == Layout.ARRAY && data.size() > 1) {
            throw new ValidationException(option + " stores one data column as the dataset itself; the table has " + data.size()
                    + " (" + String.join(", ", data.stream().map(ColumnBinding::name).toList()) + "): use 'columns' or 'matrix'");
        }
        if (layout == Layout.MATRIX) {
            ColumnBinding first = data.get(0);
            for (ColumnBinding c : data) {
                if (c.array()) {
                    throw new ValidationException(option + " takes scalar columns; " + c.describe()
                            + " is an ARRAY: use 'columns', or 'array' for a table of that column alone");
                }
                if (c.element() != first.element()) {
                    throw new ValidationException(option + " takes columns of one type; " + c.describe() + " is " + c.element()
                            + ", " + first.describe() + " " + first.element() + ": use 'columns'");
                }
            }
        }
    }

    private static int field(List<String> names, String column, String option) {
        int f = names.indexOf(column);
        if (f < 0) throw new ValidationException("option '" + option + "': the table has no column '" + column + "'");
        return f;
    }

    private static long length(String column, String shape) {
        if (shape == null) return 0;
        String option = "option '" + Hdf5TableOptions.COLUMNS_PREFIX + column + Hdf5TableOptions.SHAPE_SUFFIX + "'";
        try {
            long n = Long.parseLong(shape.trim());
            if (n > 0 && n <= Integer.MAX_VALUE) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ValidationException(option + " is '" + shape + "'; an array column's length is a positive number");
    }

    private static String datasetPath(String dataset) {
        try {
            return Hdf5Paths.normalize(dataset);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("option '" + Hdf5TableOptions.DATASET.key() + "' is '" + dataset + "': " + e.getMessage());
        }
    }

    private static String child(String group, String name) {
        try {
            Hdf5Paths.checkName(name, "column");
        } catch (IllegalArgumentException e) {
            throw new ValidationException(e.getMessage() + ", so it cannot name a dataset of layout 'columns': rename it,"
                    + " or use 'layout' = 'matrix'");
        }
        return group.equals("/") ? "/" + name : group + "/" + name;
    }

    /** The data columns, in the table's order. */
    List<ColumnBinding> data() { return data; }

    /** The data columns grouped by dataset, in the table's order. */
    Map<String, List<ColumnBinding>> byDataset() {
        Map<String, List<ColumnBinding>> groups = new LinkedHashMap<>();
        for (ColumnBinding c : data) groups.computeIfAbsent(c.dataset(), d -> new ArrayList<>()).add(c);
        return groups;
    }

    /** The position of the file-name column, or -1. */
    int fileField() { return fileField; }

    /** The position of the row-index column, or -1. */
    int rowIndexField() { return rowIndexField; }

    /** The number of physical columns. */
    int arity() { return names.size(); }

    /** The name of physical column {@code field}. */
    String fieldName(int field) { return names.get(field); }
}
