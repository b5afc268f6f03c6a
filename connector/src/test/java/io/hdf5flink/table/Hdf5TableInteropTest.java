package io.hdf5flink.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;
import org.apache.flink.table.api.TableResult;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code 'connector' = 'hdf5'} tables on a MiniCluster: every column type in every layout written
 * by SQL {@code INSERT} and judged by h5py (dtype, shape, chunks, filters, attributes, values),
 * then read back by {@code SELECT}; projection and row-range push-down (the chunks decoded are
 * counted); rows routed to files; batch mode.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class Hdf5TableInteropTest {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir Path dir;

    @BeforeAll
    static void judgeAvailable() {
        ReferenceLibrary.requireAvailable();
    }

    static TableEnvironment streaming(int parallelism) {
        // A failing INSERT fails its test instead of restarting for ever.
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(200);
        return StreamTableEnvironment.create(env);
    }

    static TableEnvironment batch() {
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        t.getConfig().set("parallelism.default", "2");
        t.getConfig().set("restart-strategy.type", "none");
        return t;
    }

    static List<Row> collect(TableEnvironment t, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = t.executeSql(query).collect()) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }

    /** The rows of {@code query}, and how many chunks its scan decoded (metric hdf5.chunksDecoded). */
    static Scan scan(TableEnvironment t, String query) throws Exception {
        TableResult result = t.executeSql(query);
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = result.collect()) {
            it.forEachRemaining(rows::add);
        }
        JobID job = result.getJobClient().orElseThrow().getJobID();
        long chunks = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> e : REPORTER.getMetricsByGroup().entrySet()) {
            if (!job.toString().equals(e.getKey().getAllVariables().get(ScopeFormat.SCOPE_JOB_ID))) continue;
            Metric m = e.getValue().get("chunksDecoded");
            if (m != null) chunks += ((Counter) m).getCount();
        }
        return new Scan(rows, chunks);
    }

    record Scan(List<Row> rows, long chunksDecoded) {}

    /** Runs h5py code with the file as {@code sys.argv[1]}; its output. */
    static String h5py(String file, String... lines) {
        return ReferenceLibrary.runPython(String.join("\n", lines), file).trim();
    }

    private String ddl(String name, String columns, String... options) {
        String with = "'connector' = 'hdf5', 'path' = '" + dir + "'" + (options.length > 0 ? ", " : "") + String.join(", ", options);
        return "CREATE TABLE " + name + " (" + columns + ") WITH (" + with + ")";
    }

    @Test
    void columnsLayoutWritesEveryTypeAndReadsItBack() throws Exception {
        TableEnvironment t = streaming(2);
        String columns = "b BOOLEAN NOT NULL, i8 TINYINT NOT NULL, i16 SMALLINT NOT NULL, i32 INT NOT NULL, i64 BIGINT NOT NULL,"
                + " f32 FLOAT NOT NULL, f64 DOUBLE NOT NULL, a16 ARRAY<SMALLINT NOT NULL> NOT NULL, ad ARRAY<DOUBLE NOT NULL> NOT NULL";
        t.executeSql(ddl("rec", columns, "'file' = 'types.h5'", "'dataset' = '/acq'", "'columns.a16.shape' = '3'",
                "'compression' = 'lzf'", "'chunks' = '16'", "'attribute.unit' = 'uV'", "'attribute.rate' = '30000'",
                "'attribute.gain' = '0.25'"));
        String values = IntStream.range(0, 100).mapToObj(i -> "(" + (i % 3 == 0) + ", CAST(" + (i - 50) + " AS TINYINT), CAST("
                + (i * 300 - 15000) + " AS SMALLINT), " + (i * 1000003) + ", " + (i * 10_000_000_019L) + "L, CAST(" + i
                + ".5 AS FLOAT), " + i + ".25E0, ARRAY[CAST(" + i + " AS SMALLINT), CAST(-" + i + " AS SMALLINT), CAST(7 AS SMALLINT)],"
                + " ARRAY[" + i + ".5E0, " + (i * 2) + ".0E0])").collect(Collectors.joining(", "));
        t.executeSql("INSERT INTO rec VALUES " + values.replace("L,", ",")).await();
        String h5 = dir.resolve("types.h5").toString();
        assertEquals(String.join("\n",
                "/acq/a16 int16 (100, 3) (16, 3) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/ad float64 (100, 2) (16, 2) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/b bool (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/f32 float32 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/f64 float64 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/i16 int16 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/i32 int32 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/i64 int64 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25",
                "/acq/i8 int8 (100,) (16,) ['shuffle', 'lzf'] b'uV' 30000 0.25"), h5py(h5, "import sys, h5py",
                "f = h5py.File(sys.argv[1], 'r')",
                "for n in sorted(f['/acq']):",
                "    d = f['/acq/' + n]; a = d.attrs",
                "    print(d.name, d.dtype, d.shape, d.chunks, [p for p in d._filters if p.isdigit()] or list(d._filters),"
                        + " a['unit'], a['rate'], a['gain'])"));
        // SQL gives VALUES rows in no fixed order; row k is known by its int8 (k - 50), and every
        // dataset must hold row k at the same index.
        assertEquals("ok", h5py(h5, "import sys, h5py, numpy as np",
                "f = h5py.File(sys.argv[1], 'r'); i = f['/acq/i8'][:].astype(np.int64) + 50",
                "assert sorted(i) == list(range(100)), i",
                "assert (f['/acq/b'][:] == (i % 3 == 0)).all(), (f['/acq/b'][:], i)",
                "assert (f['/acq/i16'][:] == i * 300 - 15000).all()",
                "assert (f['/acq/i32'][:] == i * 1000003).all() and (f['/acq/i64'][:] == i * 10000000019).all()",
                "assert (f['/acq/f32'][:] == i + 0.5).all() and (f['/acq/f64'][:] == i + 0.25).all()",
                "assert (f['/acq/a16'][:] == np.stack([i, -i, 7 + 0 * i], axis=1)).all()",
                "assert (f['/acq/ad'][:] == np.stack([i + 0.5, 2.0 * i], axis=1)).all()",
                "assert f['/acq/a16'].attrs['rate'].dtype == np.int64 and f['/acq/a16'].attrs['gain'].dtype == np.float64",
                "print('ok')"));
        List<Row> back = collect(t, "SELECT i16, ad, a16, b, i64, i8, i32, f32, f64 FROM rec WHERE i8 = -48");
        assertEquals(1, back.size());
        Row r = back.get(0);
        assertEquals((short) (2 * 300 - 15000), r.getField(0));
        assertEquals(List.of(2.5, 4.0), List.of((Double[]) r.getField(1)));
        assertEquals(List.of((short) 2, (short) -2, (short) 7), List.of((Short[]) r.getField(2)));
        assertEquals(false, r.getField(3));
        assertEquals(20_000_000_038L, r.getField(4));
        assertEquals(List.of((byte) -48, 2_000_006, 2.5f, 2.25), List.of(r.getField(5), r.getField(6), r.getField(7), r.getField(8)));
    }

    /** h5py writes {@code /m}: int16 (10000, 64) in (1000, 16) chunks, m[r, c] = (r * 64 + c) % 30011. */
    private Path matrixFile() {
        Path h5 = dir.resolve("matrix.h5");
        h5py(h5.toString(), "import sys, h5py, numpy as np",
                "m = (np.arange(10000 * 64).reshape(10000, 64) % 30011).astype(np.int16)",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    f.create_dataset('m', data=m, chunks=(1000, 16), compression='gzip', shuffle=True)",
                "    f.create_dataset('u', data=np.arange(10000, dtype=np.uint16) * 6)",
                "    f.create_dataset('h', data=np.array([0.5, -2.25, 65504, 2.0**-24, -0.0, np.inf], dtype=np.float16), chunks=(4,))");
        return h5;
    }

    private static String matrixColumns() {
        return "idx BIGINT, " + IntStream.range(0, 64).mapToObj(c -> "c" + c + " SMALLINT").collect(Collectors.joining(", "));
    }

    @Test
    void aScanReadsOnlyTheChunksOfTheColumnsAndRowsAsked() throws Exception {
        matrixFile();
        TableEnvironment t = streaming(2);
        t.executeSql(ddl("m", matrixColumns(), "'file' = 'matrix.h5'", "'dataset' = '/m'", "'layout' = 'matrix'",
                "'row-index.column' = 'idx'"));
        Scan all = scan(t, "SELECT * FROM m");
        assertEquals(10000, all.rows().size());
        assertEquals(40, all.chunksDecoded(), "10 chunk rows x 4 chunk columns, each decoded once");
        for (Row r : all.rows()) {
            long idx = (Long) r.getField(0);
            for (int c : new int[] {0, 17, 63}) assertEquals((short) ((idx * 64 + c) % 30011), r.getField(1 + c), "row " + idx);
        }
        Scan some = scan(t, "SELECT idx, c3 FROM m WHERE idx >= 2500 AND idx < 4500");
        assertEquals(2000, some.rows().size());
        assertEquals(3, some.chunksDecoded(), "rows 2000-4999 of column chunk 0 only");
        for (Row r : some.rows()) {
            long idx = (Long) r.getField(0);
            assertTrue(idx >= 2500 && idx < 4500, "row " + idx);
            assertEquals((short) ((idx * 64 + 3) % 30011), r.getField(1));
        }
        Scan between = scan(t, "SELECT c40, c33 FROM m WHERE idx BETWEEN 9990 AND 20000 AND c33 > 0");
        assertEquals(10, between.rows().size());
        assertEquals(1, between.chunksDecoded(), "columns 33 and 40 lie in column chunk 2");
        Scan none = scan(t, "SELECT c1 FROM m WHERE idx < 0");
        assertEquals(List.of(), none.rows());
        assertEquals(0, none.chunksDecoded());
    }

    @Test
    void columnsAreReadAsTheNarrowestExactTypeOrWider() throws Exception {
        matrixFile();
        TableEnvironment t = streaming(1);
        t.executeSql(ddl("u", "v INT, n BIGINT", "'file' = 'matrix.h5'", "'dataset' = '/u'", "'layout' = 'array'",
                "'row-index.column' = 'n'"));
        List<Row> rows = collect(t, "SELECT n, v FROM u WHERE n >= 9998");
        assertEquals(List.of(Row.of(9998L, 59988), Row.of(9999L, 59994)), rows, "uint16 read as INT");
        t.executeSql(ddl("w", "samples ARRAY<DOUBLE>", "'file' = 'matrix.h5'", "'dataset' = '/m'", "'layout' = 'array'"));
        Double[] last = (Double[]) collect(t, "SELECT samples FROM w").stream()
                .filter(r -> ((Double[]) r.getField(0))[0] == (9999L * 64) % 30011).findFirst().orElseThrow().getField(0);
        assertEquals(64, last.length);
        assertEquals((double) ((9999L * 64 + 63) % 30011), last[63]);
        t.executeSql(ddl("h", "x FLOAT, i BIGINT", "'file' = 'matrix.h5'", "'dataset' = '/h'", "'layout' = 'array'",
                "'row-index.column' = 'i'"));
        assertEquals(List.of(0.5f, -2.25f, 65504f, 0x1p-24f, -0.0f, Float.POSITIVE_INFINITY),
                collect(t, "SELECT i, x FROM h").stream().sorted(java.util.Comparator.comparing(row -> (Long) row.getField(0)))
                        .map(row -> row.getField(1)).toList(), "float16 read as FLOAT");
    }

    @Test
    void matrixLayoutWritesOneTwoDimensionalDataset() throws Exception {
        TableEnvironment t = streaming(2);
        t.executeSql("CREATE TABLE gen (i BIGINT NOT NULL) WITH ('connector' = 'datagen', 'fields.i.kind' = 'sequence',"
                + " 'fields.i.start' = '0', 'fields.i.end' = '49999')");
        t.executeSql(ddl("written", IntStream.range(0, 8).mapToObj(c -> "c" + c + " INT NOT NULL").collect(Collectors.joining(", ")),
                "'file' = 'm.h5'", "'dataset' = '/data'", "'layout' = 'matrix'", "'chunks' = '4096'", "'fill-value' = '-1'",
                "'compression' = 'gzip:1'"));
        t.executeSql("INSERT INTO written SELECT " + IntStream.range(0, 8).mapToObj(c -> "CAST(i * 8 + " + c + " AS INT)")
                .collect(Collectors.joining(", ")) + " FROM gen").await();
        assertEquals("(50000, 8) int32 (4096, 8) -1 ok", h5py(dir.resolve("m.h5").toString(), "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['/data']; m = d[:]",
                "assert sorted(m[:, 0] // 8) == list(range(50000))",
                "assert (m == (m[:, :1] + np.arange(8))).all()",
                "print(d.shape, d.dtype, d.chunks, d.fillvalue, 'ok')"));
    }

    @Test
    void rowsAreRoutedToTheFileTheirColumnNamesAndAnArrayTakesItsLengthFromTheFirstRow() throws Exception {
        TableEnvironment t = streaming(2);
        t.executeSql(ddl("routed", "subject STRING, trace ARRAY<FLOAT NOT NULL> NOT NULL", "'file.column' = 'subject'",
                "'layout' = 'array'", "'dataset' = '/trace'", "'attribute.unit' = 'mV'", "'chunks' = '2'"));
        t.executeSql("INSERT INTO routed VALUES ('a/s1.h5', ARRAY[CAST(1 AS FLOAT), 2, 3]), ('s2.h5', ARRAY[CAST(4 AS FLOAT), 5, 6]),"
                + " ('a/s1.h5', ARRAY[CAST(7 AS FLOAT), 8, 9])").await();
        assertEquals("[[1.0, 2.0, 3.0], [7.0, 8.0, 9.0]] (2, 3) b'mV'", h5py(dir.resolve("a/s1.h5").toString(),
                "import sys, h5py", "d = h5py.File(sys.argv[1], 'r')['/trace']",
                "print(sorted(d[:].tolist()), d.chunks, d.attrs['unit'])"));
        assertEquals("[[4.0, 5.0, 6.0]] float32", h5py(dir.resolve("s2.h5").toString(), "import sys, h5py",
                "d = h5py.File(sys.argv[1], 'r')['/trace']", "print(d[:].tolist(), d.dtype)"));

        Exception escape = assertThrows(Exception.class, () -> t.executeSql(
                "INSERT INTO routed VALUES ('../outside.h5', ARRAY[CAST(1 AS FLOAT)])").await());
        assertTrue(causes(escape).contains("'../outside.h5' escapes the sink's base directory"), causes(escape));
        Exception ragged = assertThrows(Exception.class, () -> t.executeSql(
                "INSERT INTO routed SELECT 'r.h5', CASE WHEN i < 3 THEN ARRAY[CAST(i AS FLOAT), 0] ELSE ARRAY[CAST(i AS FLOAT)] END"
                        + " FROM (VALUES (0), (1), (2), (3)) AS v(i)").await());
        // Refused where the rows become blocks when the short row reaches the subtask that saw a long
        // one first; when it is the first row of the other subtask, the writer refuses its block.
        assertTrue(causes(ragged).contains("column 'trace' of row") && causes(ragged).contains("has 1 elements; its dataset /trace"
                + " takes 2 per row (the length of the first row)")
                || causes(ragged).contains("r.h5:/trace has rows of shape [") && causes(ragged).contains("], an appended block has ["),
                causes(ragged));
        t.executeSql(ddl("declared", "a ARRAY<INT NOT NULL> NOT NULL", "'file' = 'declared.h5'", "'columns.a.shape' = '4'"));
        Exception shorter = assertThrows(Exception.class, () -> t.executeSql("INSERT INTO declared VALUES (ARRAY[1, 2, 3, 4]),"
                + " (ARRAY[1, 2, 3])").await());
        assertTrue(causes(shorter).contains("has 3 elements; its dataset /data/a takes 4 per row (option 'columns.a.shape')"),
                causes(shorter));
    }

    static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) all.append(c.getMessage()).append('\n');
        return all.toString();
    }

    @Test
    void batchModeInsertsAndScans() throws Exception {
        TableEnvironment t = batch();
        t.executeSql(ddl("b", "x DOUBLE NOT NULL, y DOUBLE NOT NULL", "'file' = 'batch.h5'", "'dataset' = '/xy'",
                "'layout' = 'matrix'"));
        t.executeSql("CREATE TABLE gen (i BIGINT NOT NULL) WITH ('connector' = 'datagen', 'fields.i.kind' = 'sequence',"
                + " 'fields.i.start' = '1', 'fields.i.end' = '30000',"
                + " 'number-of-rows' = '30000')");
        t.executeSql("INSERT INTO b SELECT CAST(i AS DOUBLE), CAST(i AS DOUBLE) * 2 FROM gen").await();
        assertEquals("(30000, 2) 450015000.0 True", h5py(dir.resolve("batch.h5").toString(), "import sys, h5py",
                "m = h5py.File(sys.argv[1], 'r')['/xy'][:]", "print(m.shape, m[:, 0].sum(), bool((m[:, 1] == 2 * m[:, 0]).all()))"));
        assertEquals(List.of(Row.of(30000L, 450015000.0, 900030000.0)), collect(t, "SELECT COUNT(*), SUM(x), SUM(y) FROM b"));
    }

    /** Fails its subtask once, after a checkpoint completed and past a quarter of its rows; slow enough to span checkpoints. */
    static final class FailOnceMidway extends RichMapFunction<Long, Long> implements CheckpointListener {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final long rows;
        private boolean checkpointed;
        private long seen;

        FailOnceMidway(long rows) {
            this.rows = rows;
        }

        @Override
        public Long map(Long value) throws Exception {
            if (++seen % 500 == 0) Thread.sleep(1);
            if (checkpointed && seen > rows / 8 && FAILURES.compareAndSet(0, 1)) throw new RuntimeException("injected failure");
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    @Test
    void aFailureMidInsertLosesAndDoublesNoRow() throws Exception {
        FailOnceMidway.FAILURES.set(0);
        long n = 200_000;
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "10 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        DataStream<Row> rows = env.fromSequence(0, n - 1).map(new FailOnceMidway(n / 2))
                .map(i -> Row.of(i, (short) (i % 1000), new int[] {i.intValue(), -i.intValue()}),
                        Types.ROW_NAMED(new String[] {"id", "s", "a"}, Types.LONG, Types.SHORT, Types.PRIMITIVE_ARRAY(Types.INT)));
        t.createTemporaryView("gen", rows);
        t.executeSql(ddl("rec", "id BIGINT NOT NULL, s SMALLINT NOT NULL, a ARRAY<INT NOT NULL> NOT NULL", "'file' = 'failover.h5'",
                "'chunks' = '4096'", "'compression' = 'gzip:1'"));
        t.executeSql("INSERT INTO rec SELECT * FROM gen").await();
        assertEquals(1, FailOnceMidway.FAILURES.get(), "the failure was injected");
        assertEquals("200000 rows, each once, columns aligned", h5py(dir.resolve("failover.h5").toString(),
                "import sys, h5py, numpy as np", "f = h5py.File(sys.argv[1], 'r'); i = f['/data/id'][:]",
                "assert (np.sort(i) == np.arange(" + n + ")).all(), 'lost or doubled'",
                "assert (f['/data/s'][:] == i % 1000).all()",
                "assert (f['/data/a'][:] == np.stack([i, -i], axis=1)).all()",
                "print(len(i), 'rows, each once, columns aligned')"));
    }
}
