package io.hdf5flink.table;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.file.Path;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables the connector cannot serve are refused when the statement is planned, before any job
 * runs, with a message naming the option or column at fault: unknown options, column types,
 * layouts that do not fit the columns, bad option values, and (reading) datasets whose dtype or
 * shape the columns cannot hold. The file read is written by h5py.
 */
class Hdf5TableDdlInteropTest {
    @TempDir static Path dir;

    @BeforeAll
    static void writeFile() {
        ReferenceLibrary.runPython(String.join("\n", "import sys, h5py, numpy as np",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f['u16'] = np.arange(10, dtype=np.uint16)",
                "    f['u64'] = np.arange(10, dtype=np.uint64)",
                "    f['m'] = np.zeros((10, 64), dtype=np.int16)"), dir.resolve("in.h5").toString());
    }

    private static String plan(String columns, String options, String statement) {
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        t.executeSql("CREATE TABLE t (" + columns + ") WITH ('connector' = 'hdf5', 'path' = '" + dir + "', 'file' = 'in.h5'"
                + (options.isEmpty() ? "" : ", " + options) + ")");
        t.executeSql("CREATE TABLE src WITH ('connector' = 'datagen') LIKE t (EXCLUDING OPTIONS)");
        Exception e = assertThrows(Exception.class, () -> t.explainSql(statement));
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) all.append(c.getMessage()).append('\n');
        return all.toString();
    }

    @ParameterizedTest(name = "writing {0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown option      | x INT                       | 'compresion' = 'gzip'             | compresion
            map column          | m MAP<STRING, INT>          |                                   | column 'm' is MAP<STRING, INT>; the hdf5 connector takes BOOLEAN
            nested array        | a ARRAY<ARRAY<INT>>         |                                   | column 'a' is ARRAY<ARRAY<INT>>
            string data column  | s STRING                    |                                   | column 's' is STRING
            matrix of two types | a INT, b DOUBLE             | 'layout' = 'matrix'               | 'layout' = 'matrix' takes columns of one type; column 'b' is DOUBLE
            matrix of an array  | a INT, b ARRAY<INT>         | 'layout' = 'matrix'               | column 'b' is an ARRAY
            array of two        | a INT, b INT                | 'layout' = 'array'                | 'layout' = 'array' stores one data column as the dataset itself; the table has 2 (a, b)
            shape of a scalar   | a INT                       | 'columns.a.shape' = '4'           | option 'columns.a.shape': column 'a' is not an ARRAY
            shape of no column  | a ARRAY<INT>                | 'columns.zz.shape' = '4'          | option 'columns.zz.shape': the table has no column 'zz'
            shape not a number  | a ARRAY<INT>                | 'columns.a.shape' = 'x'           | option 'columns.a.shape' is 'x'
            per-column unknown  | a ARRAY<INT>                | 'columns.a.dtype' = 'uint16'      | Unsupported option 'columns.a.dtype'
            unknown codec       | a INT                       | 'compression' = 'snappy'          | option 'compression' is 'snappy': unknown codec 'snappy'
            bad chunks          | a INT                       | 'chunks' = '0'                    | option 'chunks' is '0'; every chunk extent is at least 1
            fill out of range   | a TINYINT                   | 'fill-value' = '300'              | option 'fill-value' is '300'; /data/a is int8, which cannot hold it
            row index not BIGINT| i INT, a INT                | 'row-index.column' = 'i'          | 'row-index.column' column 'i' is INT; a row index is BIGINT
            file not a STRING   | f INT, a INT                | 'file.column' = 'f'               | 'file.column' column 'f' is INT; a file name is a STRING
            bad column name     | `a/b` INT                   |                                   | column 'a/b' contains '/' or NUL
            no writers          | a INT                       | 'sink.parallelism' = '0'          | option 'sink.parallelism' is 0; it must be at least 1
            direct I/O not bool | a INT                       | 'sink.direct-io' = 'maybe'        | sink.direct-io
            bad layout          | a INT                       | 'layout' = 'rows'                 | layout
            """)
    void badTablesAreRefusedWhenWriting(String what, String columns, String options, String message) {
        String error = plan(columns, options == null ? "" : options, "INSERT INTO t SELECT * FROM src");
        assertTrue(error.contains(message), what + ": " + error);
    }

    @ParameterizedTest(name = "reading {0}")
    @CsvSource(delimiter = '|', textBlock = """
            narrower column     | v SMALLINT         | 'dataset' = '/u16', 'layout' = 'array'  | column 'v' is SMALLINT, which cannot hold every uint16 value of
            no exact type       | v BIGINT           | 'dataset' = '/u64', 'layout' = 'array'  | cannot hold every uint64 value of
            missing dataset     | v INT              | 'dataset' = '/nope', 'layout' = 'array' | :/nope cannot be read
            matrix width        | a INT, b INT       | 'dataset' = '/m', 'layout' = 'matrix'   | cannot hold the 2 columns of layout 'matrix': it needs shape (rows, 2)
            declared length     | a ARRAY<SMALLINT>  | 'dataset' = '/m', 'layout' = 'array', 'columns.a.shape' = '8' | has rows of 64 elements, but option 'columns.a.shape' is 8
            scalar of 2-D       | a SMALLINT         | 'dataset' = '/m', 'layout' = 'array'    | cannot be read as scalar column 'a': it needs rank 1; declare the column as an ARRAY
            routed files        | f STRING, a INT    | 'dataset' = '/u16', 'file.column' = 'f' | a scan reads one file
            """)
    void badTablesAreRefusedWhenReading(String what, String columns, String options, String message) {
        String error = plan(columns, options, "SELECT * FROM t");
        assertTrue(error.contains(message), what + ": " + error);
    }
}
