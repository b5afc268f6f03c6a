package io.hdf5flink.table;

import java.io.Serializable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * One data column of a table and where its values live: a dataset, and in a 2-D dataset of the
 * {@code matrix} layout the column index along axis 1.
 *
 * @param name the column's name, for error messages
 * @param field the column's position in the table's physical row
 * @param element the SQL type of the column's values (of its elements, for an array column)
 * @param array whether the column is an {@code ARRAY}: one row of a 2-D dataset per value
 * @param dataset the dataset's absolute path
 * @param column the index along axis 1 in a {@code matrix} dataset; -1 when the column is the
 *     dataset's whole row
 * @param length an array column's declared length ({@code 'columns.<name>.shape'}); 0 when taken
 *     from the first row, and for scalars
 */
@Internal
record ColumnBinding(String name, int field, LogicalTypeRoot element, boolean array, String dataset, int column,
        long length) implements Serializable {
    String describe() {
        return "column '" + name + "'";
    }
}
