package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stop-with-savepoint in the middle of a job writing at parallelism 2, then a new job restored
 * from the savepoint ({@code execution.state-recovery.path}): at parallelism 2 (the same), 1
 * (scaled down, the writers' states merged), 3 and 4 (scaled up: Flink splits each writer's
 * per-bucket state between new writers, and the routing sends each bucket's data where its state
 * went). After the stop, h5py must read a committed state (every allocated chunk right, the rest
 * fill); at the end, every value, every chunk once, an empty staging directory.
 *
 * <p>Blocks at explicit offsets (37 rows of 8 columns, chunks (64, 1): every block leaves open
 * chunks in several writers) from a parallel source, and appended blocks (53 rows) from a
 * sequential one, into two datasets of one file.
 */
class SinkSavepointInteropTest {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static final int EXPLICIT_BLOCKS = 2400;
    static final int EXPLICIT_ROWS = 37;
    static final int COLUMNS = 8;
    static final int APPENDED_BLOCKS = 800;
    static final int APPENDED_ROWS = 53;
    static final DatasetSpec EXPLICIT = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(64, 1).shuffle().deflate(1).build();
    static final DatasetSpec APPENDED = DatasetSpec.builder(DataType.INT32, 0, 3)
            .maxShape(DatasetSpec.UNLIMITED, 3).chunks(128, 3).shuffle().deflate(1).build();

    static volatile int millisPerBlock;
    static final AtomicInteger SEEN = new AtomicInteger();

    @TempDir Path dir;

    @BeforeEach
    void reset() {
        millisPerBlock = 2;
        SEEN.set(0);
    }

    /** Counts blocks and sleeps {@link #millisPerBlock} per block (the first job is slow, the resumed one is not). */
    static final class Throttle<T> implements MapFunction<T, T> {
        @Override
        public T map(T value) throws Exception {
            SEEN.incrementAndGet();
            if (millisPerBlock > 0) Thread.sleep(millisPerBlock);
            return value;
        }
    }

    private StreamExecutionEnvironment job(int parallelism, String savepoint, boolean restarts) {
        Configuration conf = new Configuration();
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (savepoint != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        DataStream<ArrayBlock> explicit = env.fromSource(new NumberSequenceSource(0, EXPLICIT_BLOCKS - 1),
                        WatermarkStrategy.noWatermarks(), "explicit")
                .map(new Throttle<Long>()).uid("throttle-explicit")
                .map(i -> SinkTestJobs.rows("/explicit", i * EXPLICIT_ROWS, EXPLICIT_ROWS, COLUMNS, false))
                .returns(TypeInformation.of(ArrayBlock.class)).uid("explicit-blocks");
        DataStream<ArrayBlock> appended = env.fromSource(new NumberSequenceSource(0, APPENDED_BLOCKS - 1),
                        WatermarkStrategy.noWatermarks(), "appended").setParallelism(1).uid("appended-source")
                .map(new Throttle<Long>()).setParallelism(1).uid("throttle-appended")
                .map(i -> SinkTestJobs.rows("/appended", i * APPENDED_ROWS, APPENDED_ROWS, 3, true))
                .returns(TypeInformation.of(ArrayBlock.class)).setParallelism(1).uid("appended-blocks");
        // The appended stream first: see SinkFailoverInteropTest.build.
        appended.union(explicit).sinkTo(Hdf5Sink.builder(dir).defaultFile("out.h5").declare("/explicit", EXPLICIT)
                        .declareAppended("/appended", APPENDED).compressionThreads(1).build())
                .name("hdf5").uid("hdf5-sink").setParallelism(parallelism);
        return env;
    }

    /** Runs the first job at parallelism 2 until it has committed data, and stops it with a savepoint. */
    private String stopWithSavepoint() throws Exception {
        return stopWithSavepoint(false);
    }

    /**
     * As {@link #stopWithSavepoint()}; with {@code drain}, the way {@code acquire} stops: the
     * writers see the end of their input and commit their partial chunks, filled, at the savepoint.
     */
    private String stopWithSavepoint(boolean drain) throws Exception {
        JobClient job = job(2, null, true).executeAsync("first, parallelism 2");
        Path file = dir.resolve("out.h5");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((SEEN.get() < 600 || !Files.exists(file)) && System.nanoTime() < deadline) Thread.sleep(10);
        String savepoint = job.stopWithSavepoint(drain, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
        assertTrue(SEEN.get() < EXPLICIT_BLOCKS + APPENDED_BLOCKS, "stopped before the end: " + SEEN.get() + " blocks");
        return savepoint;
    }

    /**
     * h5py's check of a committed state: explicit chunks allocated hold their values, the other
     * elements read as the fill value (0, which the pattern never takes); appended rows are all
     * right. Prints what it saw.
     */
    static String committedState(Path file) {
        return ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "def pattern(rows, cols):",
                "    r = np.arange(rows, dtype=np.int64)[:, None]; c = np.arange(cols, dtype=np.int64)[None, :]",
                "    return (r * 1009 + c * 7 + 3).astype('<i4')",
                "with h5py.File(sys.argv[1], 'r') as f:",
                "    e = f['explicit']; v = e[:]; want = pattern(*e.shape)",
                "    mask = np.zeros(e.shape, bool)",
                "    cr, cc = e.chunks",
                "    for i in range(e.id.get_num_chunks()):",
                "        r0, c0 = e.id.get_chunk_info(i).chunk_offset",
                "        assert r0 < e.shape[0], f'chunk at row {r0} outside {e.shape}'",
                "        mask[r0:r0 + cr, c0:c0 + cc] = True",
                "    assert (v[mask] == want[mask]).all(), 'an allocated chunk differs'",
                "    assert (v[~mask] == 0).all(), 'an unallocated element is not the fill value'",
                "    a = f['appended']",
                "    assert (a[:] == pattern(*a.shape)).all(), 'appended rows differ'",
                "    print(f'explicit {e.shape} with {e.id.get_num_chunks()} chunks, appended {a.shape}')"),
                file.toString()).strip();
    }

    /** The finished output: every value, every chunk once; with {@code cleanStaging}, nothing left in staging. */
    static void assertComplete(Path file) throws Exception {
        assertComplete(file, true);
    }

    static void assertComplete(Path file, boolean cleanStaging) throws Exception {
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "def check(d, rows, cols, chunks):",
                "    assert d.shape == (rows, cols), (d.name, d.shape, rows)",
                "    r = np.arange(rows, dtype=np.int64)[:, None]; c = np.arange(cols, dtype=np.int64)[None, :]",
                "    bad = np.argwhere((d[:] != (r * 1009 + c * 7 + 3)).any(axis=1)).ravel()",
                "    assert bad.size == 0, f'{d.name}: {bad.size} rows differ, first {bad[:5].tolist()}'",
                "    assert d.id.get_num_chunks() == chunks, (d.name, d.id.get_num_chunks(), chunks)",
                "with h5py.File(sys.argv[1], 'r') as f:",
                "    n = " + (long) EXPLICIT_BLOCKS * EXPLICIT_ROWS,
                "    check(f['explicit'], n, " + COLUMNS + ", -(-n // 64) * " + COLUMNS + ")",
                "    m = " + (long) APPENDED_BLOCKS * APPENDED_ROWS,
                "    check(f['appended'], m, 3, -(-m // 128))"), file.toString());
        if (cleanStaging) SinkFailoverInteropTest.assertStagingEmpty(file.getParent());
    }

    @ParameterizedTest(name = "restored at parallelism {0}")
    @ValueSource(ints = {2, 1, 3, 4})
    void stopWithSavepointAndRestoreAtAnyParallelism(int parallelism) throws Exception {
        String savepoint = stopWithSavepoint();
        Path file = dir.resolve("out.h5");
        String stopped = committedState(file);
        millisPerBlock = 0;
        job(parallelism, savepoint, true).execute("restored at parallelism " + parallelism);
        assertComplete(file);
        System.out.println("SinkSavepointInteropTest: stopped at parallelism 2 with " + stopped + "; restored at "
                + parallelism + " and completed: 0 rows lost, 0 doubled");
    }

    /**
     * A savepoint taken with {@code --drain}: the writers flushed their partial chunks (completed
     * with the fill value) and the savepoint committed them, so the job restored from it must
     * complete the appended dataset's last chunk from what the file holds. It used the fill value
     * instead, and every row of that chunk read 0 afterwards (found by {@code acquire}'s continued
     * acquisition: 333,600 rows lost). Only the appended dataset is checked: the dataset at
     * explicit offsets still loses the elements of chunks it had partly filled at the stop
     * (RELIABILITY.md, "Known defects").
     */
    @ParameterizedTest(name = "restored at parallelism {0}")
    @ValueSource(ints = {2, 3})
    void aDrainedSavepointResumesAfterThePartialChunksItCommitted(int parallelism) throws Exception {
        String savepoint = stopWithSavepoint(true);
        Path file = dir.resolve("out.h5");
        // (Not committedState: the explicit chunks completed at the stop read the fill value where no block was yet.)
        millisPerBlock = 0;
        job(parallelism, savepoint, true).execute("restored from a drained savepoint at parallelism " + parallelism);
        ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['appended']",
                "m = " + (long) APPENDED_BLOCKS * APPENDED_ROWS,
                "assert d.shape == (m, 3), d.shape",
                "r = np.arange(m, dtype=np.int64)[:, None]; c = np.arange(3, dtype=np.int64)[None, :]",
                "bad = np.argwhere((d[:] != (r * 1009 + c * 7 + 3)).any(axis=1)).ravel()",
                "assert bad.size == 0, f'{bad.size} appended rows differ, first {bad[:5].tolist()}'",
                "assert d.id.get_num_chunks() == -(-m // 128), d.id.get_num_chunks()"), file.toString());
        System.out.println("SinkSavepointInteropTest: drained at parallelism 2, restored at " + parallelism
                + " and completed: 0 rows lost, 0 doubled");
    }
}
