package io.hdf5flink.table;

import io.hdf5flink.hdf5.DataType;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Which SQL column types map to which HDF5 element types. Writing, each numeric SQL type has one
 * element type of the same width and kind ({@code SMALLINT} is int16). Reading, a column holds a
 * dataset when it represents every value exactly: {@code INT} reads int8 to int32 and uint8,
 * uint16; {@code BIGINT} also uint32 and int64; {@code FLOAT} float16 and float32; {@code DOUBLE}
 * every float and every integer of up to 32 bits. uint64 and the complex types have no exact SQL
 * type and are refused.
 */
@Internal
final class ColumnTypes {
    static final String SCALARS = "BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE";

    private ColumnTypes() {}

    /** The element type values of the scalar SQL type {@code root} are written as; null for other types. */
    static DataType written(LogicalTypeRoot root) {
        return switch (root) {
            case BOOLEAN -> DataType.BOOL;
            case TINYINT -> DataType.INT8;
            case SMALLINT -> DataType.INT16;
            case INTEGER -> DataType.INT32;
            case BIGINT -> DataType.INT64;
            case FLOAT -> DataType.FLOAT32;
            case DOUBLE -> DataType.FLOAT64;
            default -> null;
        };
    }

    /** The element types a column of the scalar SQL type {@code root} reads exactly. */
    static Set<DataType> readable(LogicalTypeRoot root) {
        return switch (root) {
            case BOOLEAN -> EnumSet.of(DataType.BOOL);
            case TINYINT -> EnumSet.of(DataType.INT8);
            case SMALLINT -> EnumSet.of(DataType.INT8, DataType.UINT8, DataType.INT16);
            case INTEGER -> EnumSet.of(DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32);
            case BIGINT -> EnumSet.of(DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16, DataType.INT32,
                    DataType.UINT32, DataType.INT64);
            case FLOAT -> EnumSet.of(DataType.FLOAT16, DataType.FLOAT32);
            case DOUBLE -> EnumSet.of(DataType.FLOAT16, DataType.FLOAT32, DataType.FLOAT64, DataType.INT8, DataType.UINT8,
                    DataType.INT16, DataType.UINT16, DataType.INT32, DataType.UINT32);
            default -> EnumSet.noneOf(DataType.class);
        };
    }

    /** The narrowest SQL type that reads {@code stored} exactly, for error messages; null when none does. */
    static String sqlTypeReading(DataType stored) {
        for (LogicalTypeRoot root : new LogicalTypeRoot[] {LogicalTypeRoot.BOOLEAN, LogicalTypeRoot.TINYINT,
                LogicalTypeRoot.SMALLINT, LogicalTypeRoot.INTEGER, LogicalTypeRoot.BIGINT, LogicalTypeRoot.FLOAT,
                LogicalTypeRoot.DOUBLE}) {
            if (readable(root).contains(stored)) return root == LogicalTypeRoot.INTEGER ? "INT" : root.name();
        }
        return null;
    }

    /** The element type of a column: the column's own for a scalar, its elements' for an array. */
    static LogicalType elementOf(LogicalType column) {
        return column instanceof ArrayType a ? a.getElementType() : column;
    }

    static boolean isArray(LogicalType column) {
        return column.getTypeRoot() == LogicalTypeRoot.ARRAY;
    }
}
