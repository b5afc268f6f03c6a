package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-once data path: writers write each filtered chunk straight into the output file
 * (nothing is staged), the space of epochs lost to failures is reused rather than left as holes,
 * and at the end the file is exactly its committed length, with no ledger left behind. Judged by
 * h5py (values, and the chunks' places in the file).
 */
class InPlaceChunksInteropTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int COLUMNS = 64;
    private static final int ROWS_PER_BLOCK = 37;
    private static final int BLOCKS = 1500;

    @TempDir Path dir;

    @BeforeEach
    void reset() {
        FailAfterCheckpoints.FAILURES.set(0);
    }

    @Test
    void failuresReuseTheSpaceOfLostEpochsAndNothingIsStaged() throws Exception {
        Path clean = dir.resolve("clean");
        run(clean, 0);
        Path failed = dir.resolve("failed");
        Set<String> stagedFiles = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> watchStaging(failed.resolve(SinkConfig.STAGING_DIRECTORY), stagedFiles, running));
        watcher.start();
        try {
            run(failed, 3);
        } finally {
            running.set(false);
            watcher.join();
        }
        assertEquals(3, FailAfterCheckpoints.FAILURES.get(), "three failures were injected");
        assertTrue(stagedFiles.stream().noneMatch(f -> f.endsWith(".chunks")), "chunks were staged: " + stagedFiles);

        Layout cleanLayout = layout(clean.resolve("out.h5"));
        Layout failedLayout = layout(failed.resolve("out.h5"));
        assertEquals(cleanLayout.chunkBytes(), failedLayout.chunkBytes(), "the same chunks");
        // Each failure lost what the writers wrote since the last checkpoint (hundreds of kilobytes);
        // without reuse that space would stay in the file as holes between the chunks.
        assertTrue(failedLayout.overhead() <= cleanLayout.overhead() + 256 * 1024,
                "space lost to failures stays in the file: " + failedLayout + " against a clean run's " + cleanLayout);
        for (Path base : List.of(clean, failed)) {
            Path file = base.resolve("out.h5");
            try (Hdf5File f = Hdf5File.openReadOnly(file)) {
                assertEquals(Files.size(file), f.committedLength(), "the file ends where its last commit ends");
            }
            Path staging = base.resolve(SinkConfig.STAGING_DIRECTORY);
            if (Files.exists(staging)) {
                try (var left = Files.list(staging)) {
                    assertEquals(List.of(), left.map(p -> p.getFileName().toString()).toList(), "left in " + staging);
                }
            }
        }
    }

    private void run(Path base, int failures) throws Exception {
        StreamExecutionEnvironment env = SinkTestJobs.environment(2, 400);
        Hdf5Sink sink = Hdf5Sink.builder(base).defaultFile("out.h5")
                .declare("/data", DatasetSpec.builder(DataType.INT32, 0, COLUMNS).maxShape(DatasetSpec.UNLIMITED, COLUMNS)
                        .chunks(256, COLUMNS).build())
                .build();
        env.fromSource(new NumberSequenceSource(0, BLOCKS - 1), WatermarkStrategy.noWatermarks(), "blocks")
                .setParallelism(1)
                .map(new FailAfterCheckpoints<Long>(failures, 250)).setParallelism(1)
                .map(i -> SinkTestJobs.rows("/data", i * ROWS_PER_BLOCK, ROWS_PER_BLOCK, COLUMNS, false))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(sink);
        env.execute("in place, " + failures + " failures");
        String check = ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = h5py.File(sys.argv[1], 'r')['data']",
                "r = np.arange(d.shape[0], dtype=np.int64)[:, None]; c = np.arange(d.shape[1])[None, :]",
                "assert d.shape == (int(sys.argv[2]), " + COLUMNS + "), d.shape",
                "assert (d[:] == (r * 1009 + c * 7 + 3).astype(np.int32)).all()",
                "print('ok')"), base.resolve("out.h5").toString(), String.valueOf((long) BLOCKS * ROWS_PER_BLOCK)).trim();
        assertEquals("ok", check);
    }

    /** The bytes of a file's chunks, and the rest (metadata and holes). */
    record Layout(long fileBytes, long chunkBytes) {
        long overhead() {
            return fileBytes - chunkBytes;
        }
    }

    private static Layout layout(Path file) throws Exception {
        String out = ReferenceLibrary.runPython(String.join("\n",
                "import sys, h5py",
                "d = h5py.File(sys.argv[1], 'r')['data']",
                "print(sum(d.id.get_chunk_info(i).size for i in range(d.id.get_num_chunks())))"), file.toString()).trim();
        return new Layout(Files.size(file), Long.parseLong(out));
    }

    private static void watchStaging(Path staging, Set<String> seen, AtomicBoolean running) {
        while (running.get()) {
            try (var files = Files.list(staging)) {
                files.forEach(p -> seen.add(p.getFileName().toString()));
            } catch (Exception notThereYet) {
                // the staging directory comes and goes
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Passes records on, slowly, and throws {@code failures} times in all, each
     * {@code recordsAfterCheckpoint} records after a completed checkpoint, so each failure loses
     * what the writers wrote in between.
     */
    static final class FailAfterCheckpoints<T> extends RichMapFunction<T, T> implements CheckpointListener {
        static final AtomicInteger FAILURES = new AtomicInteger();
        private final int failures;
        private final int recordsAfterCheckpoint;
        private int countdown = -1;

        FailAfterCheckpoints(int failures, int recordsAfterCheckpoint) {
            this.failures = failures;
            this.recordsAfterCheckpoint = recordsAfterCheckpoint;
        }

        @Override
        public T map(T value) throws Exception {
            Thread.sleep(1);
            if (countdown > 0 && --countdown == 0 && FAILURES.get() < failures) {
                FAILURES.incrementAndGet();
                throw new RuntimeException("injected failure " + FAILURES.get());
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (countdown < 0 && FAILURES.get() < failures) countdown = recordsAfterCheckpoint;
        }
    }
}
