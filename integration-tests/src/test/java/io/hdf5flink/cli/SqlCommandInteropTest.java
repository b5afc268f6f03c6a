package io.hdf5flink.cli;

import static io.hdf5flink.cli.CliInteropTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.cli.CliInteropTest.Run;
import io.hdf5flink.itest.H5py;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-hdf5 sql} as the README runs it: the two example scripts (datagen into a
 * (rows, 4) dataset, then per-channel aggregates read back), judged by h5py and by the numbers
 * printed; a failing statement (exit 1, one line naming it, rows of earlier statements kept);
 * usage errors (exit 2).
 */
class SqlCommandInteropTest {
    private static final Path SCRIPTS = Path.of("../examples/sql").toAbsolutePath().normalize();

    @TempDir Path dir;

    /** The example script {@code name} with its output directory moved into the test's directory. */
    private Path script(String name) throws IOException {
        String text = Files.readString(SCRIPTS.resolve(name)).replace("'path' = 'sql-demo'", "'path' = '" + dir.resolve("sql-demo") + "'");
        return Files.writeString(dir.resolve(name), text);
    }

    private static Run sql(Path script, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("sql", "--file", script.toString(), "--no-progress"));
        args.addAll(List.of(more));
        return cli(args.toArray(String[]::new));
    }

    @Test
    void theReadmeScriptsRecordAndAggregatePerChannel() throws IOException {
        Run record = sql(script("record.sql"), "--checkpoint-interval", "300ms");
        assertEquals(0, record.exit(), record.err());
        assertTrue(record.err().contains("300,000 rows in"), record.err());
        H5py.check("""
                d = h5py.File(sys.argv[1], 'r')['/acquisition/ElectricalSeries/data']
                assert d.shape == (300000, 4) and d.dtype == np.int16 and d.chunks == (30000, 4), d
                assert d.compression == 'gzip' and d.attrs['rate'] == 30000.0 and d.attrs['unit'] == b'uV'
                t = np.arange(300000)
                # One reader and one writer (SET 'parallelism.default' = '1'): the samples in time order.
                assert (d[:, 2] == t % 200 - 100).all() and (d[:, 3] == t % 7).all(), 'rows lost, doubled or out of order'
                assert (np.abs(d[:, 0].astype(int) - (1000 * np.sin(t / 30.0)).astype(int)) <= 1).all()
                assert np.abs(d[:, 1]).max() <= 500
                """, dir.resolve("sql-demo/recording.h5"));

        Run stats = sql(script("channel-stats.sql"));
        assertEquals(0, stats.exit(), stats.err());
        List<String> lines = stats.out().lines().toList();
        assertTrue(lines.contains("|     ch2 |  300000 |   -100 |      99 |                -0.5 |"), stats.out());
        assertTrue(lines.contains("|     ch3 |  300000 |      0 |       6 |             2.99999 |"), stats.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\|\\s+30000 \\|\\s+0 \\|\\s+6 \\|\\s+2\\.999\\d* \\|")), stats.out());
    }

    @Test
    void aFailingStatementEndsTheScriptWithOneLineNamingIt() throws IOException {
        Path script = Files.writeString(dir.resolve("bad.sql"), String.join("\n",
                "CREATE TABLE v (x INT NOT NULL) WITH ('connector' = 'hdf5', 'path' = '" + dir + "', 'file' = 'v.h5',",
                "  'dataset' = '/x', 'layout' = 'array');",
                "INSERT INTO v VALUES (1), (2), (3);",
                "-- the dataset is /x, not /y:",
                "CREATE TABLE w (x INT) WITH ('connector' = 'hdf5', 'path' = '" + dir + "', 'file' = 'v.h5',",
                "  'dataset' = '/y', 'layout' = 'array');",
                "SELECT * FROM w;",
                "INSERT INTO v VALUES (4);"));
        Run r = sql(script);
        assertEquals(Main.FAILED, r.exit(), r.err());
        String last = r.errLines().get(r.errLines().size() - 1);
        assertTrue(last.startsWith("flink-hdf5 sql: statement 4 (line 7, SELECT * FROM w): ") && last.contains(":/y cannot be read")
                && last.contains("no such dataset"), last);
        assertEquals("[1, 2, 3]", H5py.check("print(sorted(h5py.File(sys.argv[1], 'r')['/x'][:].tolist()))", dir.resolve("v.h5")).strip(),
                "the statements before the failing one committed, the one after never ran");
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        Run missing = cli("sql", "--file", dir.resolve("nope.sql").toString());
        assertEquals(Main.USAGE, missing.exit());
        assertTrue(missing.err().contains("nope.sql: no such file"), missing.err());
        Run empty = sql(Files.writeString(dir.resolve("empty.sql"), "-- nothing\n;\n"));
        assertEquals(Main.USAGE, empty.exit());
        assertTrue(empty.err().contains("holds no statement"), empty.err());
        Run open = sql(Files.writeString(dir.resolve("open.sql"), "SELECT 'unterminated;"));
        assertEquals(Main.USAGE, open.exit());
        assertTrue(open.err().contains("the script ends inside a quoted string"), open.err());
    }
}
