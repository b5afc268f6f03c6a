package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.partition.ChunkRouting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jobs on a MiniCluster that feed the sink bad blocks: each must fail (no restarts) with a root
 * cause that names the dataset and, where there is one, the offset at fault; files committed
 * before stay exactly as they were (judged by h5py), and nothing is written outside the base
 * directory.
 */
class SinkBadInputInteropTest {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final int COLUMNS = 4;
    /** Declared: an (8, 4) int32 dataset of 4 x 4 chunks, fixed size. */
    private static final DatasetSpec FIXED = DatasetSpec.builder(DataType.INT32, 8, COLUMNS).chunks(4, COLUMNS).build();
    /** Declared: a growing int32 dataset of rows of 4. */
    private static final DatasetSpec GROWING = DatasetSpec.builder(DataType.INT32, 0, COLUMNS)
            .maxShape(DatasetSpec.UNLIMITED, COLUMNS).chunks(4, COLUMNS).build();

    @TempDir Path dir;

    private Path base() {
        return dir.resolve("base");
    }

    private Hdf5Sink.Builder sink() {
        return Hdf5Sink.builder(base()).defaultFile("out.h5").compressionThreads(1);
    }

    private static ArrayBlock[] blocks(ArrayBlock... blocks) {
        return blocks;
    }

    /** Runs blocks (in this order, one source subtask) into the sink and returns the root cause of the job's failure. */
    private static Throwable failure(Hdf5Sink sink, int sinkParallelism, ArrayBlock... blocks) {
        StreamExecutionEnvironment env = SinkTestJobs.failFast(sinkParallelism);
        env.fromData(Arrays.asList(blocks), TypeInformation.of(ArrayBlock.class)).setParallelism(1)
                .sinkTo(sink).setParallelism(sinkParallelism);
        try {
            env.execute("bad input");
        } catch (Exception e) {
            return SinkTestJobs.rootCause(e);
        }
        return fail("the job succeeded");
    }

    /** Runs blocks into the sink as a good job, with checkpoints, and expects it to succeed. */
    private static void succeed(Hdf5Sink sink, ArrayBlock... blocks) throws Exception {
        StreamExecutionEnvironment env = SinkTestJobs.environment(1, 50);
        env.fromData(Arrays.asList(blocks), TypeInformation.of(ArrayBlock.class)).sinkTo(sink);
        env.execute("good input");
    }

    private static void assertNames(Throwable root, String... parts) {
        String m = root.getMessage();
        for (String p : parts) {
            assertTrue(m != null && m.contains(p), "the message should name '" + p + "': " + root);
        }
    }

    private static byte[] bytes(int n) {
        return new byte[n];
    }

    // ------------------------------------------------------------------ malformed blocks

    @Test
    void dataLengthNotMatchingTheShapeAtAnExplicitOffset() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.INT32, new long[] {4, 0}, new long[] {2, COLUMNS}, bytes(28)));
        assertNames(root, "/d", "[4, 0]", "32", "28");
    }

    @Test
    void dataLengthNotMatchingTheShapeOfAnAppendedBlock() {
        Throwable root = failure(sink().build(), 2,
                SinkTestJobs.rows("/a", 0, 2, COLUMNS, true),
                ArrayBlock.append("/a", DataType.INT32, new long[] {2, COLUMNS}, bytes(36)));
        assertNames(root, "/a", "append", "32", "36");
    }

    @Test
    void blockEntirelyOutsideTheMaximumShape() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.INT32, new long[] {100, 0}, new long[] {2, COLUMNS}, bytes(32)));
        assertNames(root, "/d", "[100, 0]", "maximum shape");
    }

    /** A block that straddles the bound: the message should name the block the user sent, not a piece the sink cut. */
    @Test
    void blockReachingPastTheMaximumShapeIsNamedByItsOwnOffset() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.INT32, new long[] {6, 0}, new long[] {4, COLUMNS}, bytes(64)));
        assertNames(root, "/d", "maximum shape", "[6, 0]");
    }

    @Test
    void blockPastTheMaximumShapeOfAnAppendedDataset() {
        DatasetSpec ten = DatasetSpec.builder(DataType.INT32, 0, COLUMNS).maxShape(10, COLUMNS).chunks(4, COLUMNS).build();
        Throwable root = failure(sink().declareAppended("/a", ten).build(), 1,
                SinkTestJobs.rows("/a", 0, 8, COLUMNS, true), SinkTestJobs.rows("/a", 8, 4, COLUMNS, true));
        assertNames(root, "/a", "10 rows", "row 8");
    }

    @Test
    void dtypeDifferentFromTheDeclaredDatasets() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.FLOAT64, new long[] {4, 0}, new long[] {2, COLUMNS}, bytes(64)));
        assertNames(root, "/d", "[4, 0]", "INT32", "FLOAT64");
    }

    @Test
    void rankDifferentFromTheDeclaredDatasets() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.INT32, new long[] {0, 0, 0}, new long[] {1, 2, COLUMNS}, bytes(32)));
        assertNames(root, "/d", "[0, 0, 0]", "rank 3");
    }

    @Test
    void rankDifferentFromAnInferredDatasets() {
        Throwable root = failure(sink().build(), 2,
                SinkTestJobs.rows("/a", 0, 2, COLUMNS, true),
                ArrayBlock.append("/a", DataType.INT32, new long[] {8}, bytes(32)));
        assertNames(root, "/a", "rank 2", "rank 1");
    }

    static Stream<String> invalidDatasetPaths() {
        return Stream.of("/a/../b", "/a/./b", "/a\0b", "/", "//");
    }

    @ParameterizedTest(name = "dataset path {0}")
    @MethodSource("invalidDatasetPaths")
    void datasetPathThatIsNotAValidHdf5Name(String path) {
        Throwable root = failure(sink().build(), 2, ArrayBlock.append(path, DataType.INT32, new long[] {2}, bytes(8)));
        if (path.equals("/") || path.equals("//")) assertNames(root, "root group", "out.h5");
        else assertNames(root, path);
        assertFalse(Files.exists(base().resolve("out.h5")), "no file is created for a refused block");
    }

    @Test
    void invalidDatasetPathAtAnExplicitOffset() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/d/../d", DataType.INT32, new long[] {0, 0}, new long[] {2, COLUMNS}, bytes(32)));
        assertNames(root, "/d/../d");
    }

    // ------------------------------------------------------------------ files outside the base directory

    static Stream<Arguments> escapingFiles() {
        return Stream.of(
                Arguments.of("parent", (Function<Path, String>) d -> "../x.h5"),
                Arguments.of("deep parent", (Function<Path, String>) d -> "sub/../../x.h5"),
                Arguments.of("absolute", (Function<Path, String>) d -> d.resolve("outside/x.h5").toAbsolutePath().toString()),
                Arguments.of("staging directory", (Function<Path, String>) d -> SinkConfig.STAGING_DIRECTORY + "/x.h5"),
                Arguments.of("symlinked directory", (Function<Path, String>) d -> "link/x.h5"),
                Arguments.of("dangling symlinked file", (Function<Path, String>) d -> "evil.h5"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("escapingFiles")
    void filePathEscapingTheBaseDirectory(String what, Function<Path, String> file) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(base());
        Files.createSymbolicLink(base().resolve("link"), outside);
        Files.createSymbolicLink(base().resolve("evil.h5"), outside.resolve("evil.h5"));
        String name = file.apply(dir);
        Throwable root = failure(sink().build(), 2, SinkTestJobs.rows("/a", 0, 4, COLUMNS, true).inFile(name));
        assertNames(root, name);
        try (var files = Files.list(outside)) {
            assertEquals(List.of(), files.toList(), "nothing written outside the base directory");
        }
        assertFalse(Files.exists(dir.resolve("x.h5")));
        assertFalse(Files.exists(base().resolve(SinkConfig.STAGING_DIRECTORY).resolve("x.h5")));
    }

    /** Issue 20, item 10: a hard link in the base directory to a file outside it is not written through. */
    /**
     * A second name that goes away within a second is the engine creating the file (it links the
     * new file under its name, then unlinks the temporary one): not refused. CI once saw a
     * conversion refused for "2 hard links" while another subtask created its output.
     */
    @Test
    void aSecondNameThatGoesAwayAtOnceIsNotRefused() throws Exception {
        Files.createDirectories(base());
        try (Hdf5File f = Hdf5File.create(base().resolve("out.h5"))) {
            f.commit();
        }
        Path temporary = base().resolve(".out.h5.creating");
        Files.createLink(temporary, base().resolve("out.h5"));
        Thread unlink = new Thread(() -> {
            try {
                Thread.sleep(300);
                Files.delete(temporary);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        unlink.start();
        // What a writer or committer does first with a block's file, while the second name exists.
        assertEquals(base().resolve("out.h5"), sink().build().config().resolveFile("out.h5"));
        unlink.join();
        succeed(sink().build(), SinkTestJobs.rows("/a", 0, 4, COLUMNS, true));
        assertEquals("4", ReferenceLibrary.runPython(
                "import sys, h5py\nprint(h5py.File(sys.argv[1], 'r')['a'].shape[0])", base().resolve("out.h5").toString()).strip());
    }

    @Test
    void anOutputFileWithAnotherHardLinkIsRefused() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(base());
        try (Hdf5File f = Hdf5File.create(outside.resolve("theirs.h5"))) {
            f.commit();
        }
        byte[] before = Files.readAllBytes(outside.resolve("theirs.h5"));
        Files.createLink(base().resolve("hl.h5"), outside.resolve("theirs.h5"));
        Throwable root = failure(sink().build(), 2, SinkTestJobs.rows("/a", 0, 4, COLUMNS, true).inFile("hl.h5"));
        assertNames(root, "hl.h5", "2 hard links");
        assertArrayEquals(before, Files.readAllBytes(outside.resolve("theirs.h5")), "the file outside is unchanged");
    }

    /**
     * Issue 20, item 10: a staging directory that is a symbolic link to a directory elsewhere is
     * refused before anything is written or deleted there.
     */
    @Test
    void aSymlinkedStagingDirectoryIsRefused() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("job-0-1.chunks"), "a user's file that looks like a staging file");
        Files.createDirectories(base());
        Files.createSymbolicLink(base().resolve(SinkConfig.STAGING_DIRECTORY), outside);
        Throwable root = failure(sink().build(), 2, SinkTestJobs.rows("/a", 0, 4, COLUMNS, true));
        assertNames(root, SinkConfig.STAGING_DIRECTORY, "is a symbolic link", outside.toString());
        try (var files = Files.list(outside)) {
            assertEquals(List.of(outside.resolve("job-0-1.chunks")), files.toList(), "nothing written or deleted there");
        }
        assertFalse(Files.exists(base().resolve("out.h5")));
    }

    @Test
    void declaredDatasetOfAFileEscapingTheBaseDirectory() {
        Throwable root = failure(sink().declare("../x.h5", "/d", FIXED).build(), 2,
                ArrayBlock.at("/d", DataType.INT32, new long[] {0, 0}, new long[] {4, COLUMNS}, bytes(64)).inFile("../x.h5"));
        assertNames(root, "../x.h5", "escapes");
        assertFalse(Files.exists(dir.resolve("x.h5")));
    }

    // ------------------------------------------------------------------ undeclared and mixed datasets

    @Test
    void explicitOffsetsForAnUndeclaredDataset() {
        Throwable root = failure(sink().declare("/d", FIXED).build(), 2,
                ArrayBlock.at("/u", DataType.INT32, new long[] {0, 0}, new long[] {2, COLUMNS}, bytes(32)));
        assertNames(root, "/u", "not declared");
    }

    @Test
    void anAppendedBlockOnADatasetDeclaredForExplicitOffsets() {
        Throwable root = failure(sink().declare("/m", GROWING).build(), 1,
                SinkTestJobs.rows("/m", 0, 4, COLUMNS, false), SinkTestJobs.rows("/m", 4, 4, COLUMNS, true));
        assertNames(root, "/m", "declared for blocks at explicit offsets", "an appended block");
    }

    @Test
    void anExplicitBlockOnADatasetDeclaredForAppends() {
        Throwable root = failure(sink().declareAppended("/m", GROWING).build(), 1,
                SinkTestJobs.rows("/m", 0, 4, COLUMNS, true), SinkTestJobs.rows("/m", 4, 4, COLUMNS, false));
        assertNames(root, "/m", "declared for appended blocks", "[4, 0]");
    }

    /**
     * With several writers, appended blocks are routed by dataset and explicit ones by chunk, so
     * the two kinds of one dataset usually reach different writers, neither of which sees both.
     * Mixing must still fail the job, not let two writers stage the same chunk.
     */
    @Test
    void appendedAndExplicitBlocksOnOneDatasetAcrossWriters() throws Exception {
        int parallelism = 4;
        Hdf5Sink.Builder builder = sink();
        String name = null;
        for (int i = 0; i < 100 && name == null; i++) { // a dataset whose two kinds of block meet different writers
            String candidate = "/m" + i;
            SinkConfig declared = new SinkConfig(base(), "out.h5",
                    Map.of(SinkConfig.key(null, candidate), new DatasetDeclaration(null, candidate, GROWING, false)),
                    ChunkFilters.none(), 1 << 20, 1, 1 << 20, false, false, false, true, io.hdf5flink.hdf5.Profile.DEFAULT);
            ChunkRouting routing = new ChunkRouting(declared);
            int appended = new ChunkRouting.ToSubtask().partition(routing.getKey(SinkTestJobs.rows(candidate, 0, 4, COLUMNS, true)), parallelism);
            int explicit = new ChunkRouting.ToSubtask().partition(routing.getKey(SinkTestJobs.rows(candidate, 0, 4, COLUMNS, false)), parallelism);
            if (appended != explicit) name = candidate;
        }
        assertNotEquals(null, name, "no dataset name among 100 routes its two kinds of block apart");
        Hdf5Sink sink = builder.declare(name, GROWING).build();
        StreamExecutionEnvironment env = SinkTestJobs.failFast(parallelism);
        env.fromData(List.of(SinkTestJobs.rows(name, 0, 4, COLUMNS, false), SinkTestJobs.rows(name, 100, 4, COLUMNS, true)),
                TypeInformation.of(ArrayBlock.class)).setParallelism(1).sinkTo(sink);
        try {
            env.execute("mixed blocks across writers");
        } catch (Exception e) {
            assertNames(SinkTestJobs.rootCause(e), name);
            return;
        }
        fail("the job succeeded although " + name + " got an appended block and a block at an explicit offset; h5py reads "
                + SinkTestJobs.h5py(base().resolve("out.h5"), name));
    }

    // ------------------------------------------------------------------ committed data survives a bad job

    @Test
    void anAppendOfAnotherDtypeFailsAndLeavesTheCommittedDatasetIntact() throws Exception {
        Hdf5Sink sink = sink().defaultFile("keep.h5").targetChunkBytes(64).build();
        succeed(sink, SinkTestJobs.rows("/data", 0, 6, COLUMNS, true));
        Path file = base().resolve("keep.h5");
        String committed = SinkTestJobs.h5py(file, "/data");
        assertEquals(SinkTestJobs.matrixString(6, COLUMNS), committed);

        Throwable root = failure(sink, 2, ArrayBlock.appendRows("/data", new double[][] {{1, 2, 3, 4}}));
        assertNames(root, "/data", "INT32", "FLOAT64");
        assertEquals(committed, SinkTestJobs.h5py(file, "/data"), "the committed rows are exactly as before");
    }

    @Test
    void aMalformedBlockFailsAndLeavesTheCommittedDatasetIntact() throws Exception {
        Hdf5Sink sink = sink().defaultFile("keep.h5").declare("keep.h5", "/d", GROWING).build();
        succeed(sink, SinkTestJobs.rows("/d", 0, 4, COLUMNS, false), SinkTestJobs.rows("/d", 4, 3, COLUMNS, false));
        Path file = base().resolve("keep.h5");
        String committed = SinkTestJobs.h5py(file, "/d");
        assertEquals(SinkTestJobs.matrixString(7, COLUMNS), committed);

        Throwable root = failure(sink, 2,
                SinkTestJobs.rows("/d", 8, 4, COLUMNS, false), // fine, but never committed: the job fails
                ArrayBlock.at("/d", DataType.INT32, new long[] {12, 0}, new long[] {4, COLUMNS}, bytes(60)));
        assertNames(root, "/d", "[12, 0]", "64", "60");
        assertEquals(committed, SinkTestJobs.h5py(file, "/d"), "the committed rows are exactly as before");
    }

    @Test
    void aDeclarationConflictingWithTheFileFailsAndLeavesItIntact() throws Exception {
        succeed(sink().defaultFile("keep.h5").build(), SinkTestJobs.rows("/data", 0, 5, COLUMNS, true));
        Path file = base().resolve("keep.h5");
        String committed = SinkTestJobs.h5py(file, "/data");
        DatasetSpec otherChunks = DatasetSpec.builder(DataType.INT32, 0, COLUMNS).maxShape(DatasetSpec.UNLIMITED, COLUMNS)
                .chunks(2, COLUMNS).build();
        Throwable root = failure(sink().defaultFile("keep.h5").declareAppended("/data", otherChunks).build(), 1,
                SinkTestJobs.rows("/data", 0, 2, COLUMNS, true));
        assertNames(root, "keep.h5", "/data", "[2, 4]");
        assertEquals(committed, SinkTestJobs.h5py(file, "/data"));
    }
}
