package io.hdf5flink.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.Hdf5Group;
import io.hdf5flink.hdf5.Hdf5Object;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.hdf5.Profile;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the HDF5 engine's reopen path with mutated copies of valid files: {@link
 * Hdf5File#openReadOnly} and {@link Hdf5File#openForAppend}, then a walk of every group
 * (attributes, members) and dataset (layout, attributes, chunk count, and reads of a first and a
 * last box through the chunk index and filters).
 *
 * <p>Contract: the engine reads what it can and refuses the rest with an {@link Hdf5Exception}
 * (or an {@link Hdf5FormatException}, or an {@link UncheckedIOException}) that has a message;
 * never a hang (B-trees or header continuations that loop), another exception, or an
 * allocation out of proportion to the file. Chunks are materialized whole when read, as the
 * format defines them (up to {@link DatasetSpec#MAX_CHUNK_BYTES}); datasets whose chunks exceed
 * {@link #CHUNK_READ_LIMIT} are walked but not read, so that the budget stays meaningful.
 *
 * <p>Seeds, made when the test runs: a file this engine wrote (groups with attributes, a group
 * with enough members for several symbol table nodes, a chunked deflate+shuffle dataset with a
 * two-level chunk B-tree and a commit token, a Fletcher-32 dataset with a fill value) and h5py's
 * default fixture ({@link ReferenceLibrary#makeFixture(Path)}: gzip, LZF, LZ4, bzip2, Fletcher-32
 * and NaN-filled datasets in nested groups), h5py's groups stored with link messages
 * and h5py's {@code libver='latest'} chunk indexes ({@link #writeLinkGroupsSeed}), and the engine's
 * file again in {@link Profile#LATEST}.
 */
class Hdf5ReopenFuzzTest {
    static final String TARGET = "hdf5-reopen";
    static final long CHUNK_READ_LIMIT = 8L << 20;
    private static final int MAX_OBJECTS = 64;
    private static final int MAX_DEPTH = 8;
    private static final long READ_BYTES = 1L << 20;

    @TempDir
    static Path directory;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "20s")
    void reopen(byte[] input) {
        // Opening reads the file's superblock area (64 KiB) and any node the file points to: a
        // budget of a few times the file plus the chunks read.
        long budget = (48L << 20) + 2 * CHUNK_READ_LIMIT + 64L * input.length;
        FuzzRun.run(TARGET, budget, FuzzRun.describe(input), () -> reopen(directory.resolve("input.h5"), input));
    }

    static void reopen(Path file, byte[] input) throws IOException {
        Files.write(file, input);
        walk(file, true);
        walk(file, false);
    }

    private static void walk(Path file, boolean readOnly) {
        Hdf5File f;
        try {
            f = readOnly ? Hdf5File.openReadOnly(file) : Hdf5File.openForAppend(file);
        } catch (RuntimeException e) {
            clean(e, "open refused");
            return;
        }
        try {
            Deque<String> groups = new ArrayDeque<>(List.of("/"));
            int objects = 0;
            while (!groups.isEmpty() && objects < MAX_OBJECTS) {
                String path = groups.poll();
                objects++;
                Hdf5Group g;
                try {
                    g = path.equals("/") ? f.root() : f.group(path);
                } catch (RuntimeException notAGroup) {
                    try {
                        dataset(f.dataset(path));
                    } catch (RuntimeException e) {
                        clean(e, "object refused");
                    }
                    continue;
                }
                try {
                    attributes(g);
                    if (depth(path) >= MAX_DEPTH) continue;
                    for (String name : g.memberNames()) {
                        try {
                            Hdf5Paths.checkName(name, "member name");
                        } catch (IllegalArgumentException e) {
                            FuzzRun.outcome(TARGET, "unaddressable member name");
                            continue;
                        }
                        groups.add(path.equals("/") ? "/" + name : path + "/" + name);
                    }
                } catch (RuntimeException e) {
                    clean(e, "group refused");
                }
            }
            FuzzRun.outcome(TARGET, readOnly ? "walked read-only" : "walked for append");
        } finally {
            try {
                f.abandon();
            } catch (RuntimeException e) {
                clean(e, "close refused");
            }
        }
    }

    private static int depth(String path) {
        return (int) path.chars().filter(c -> c == '/').count();
    }

    private static void attributes(Hdf5Object o) {
        o.attributeNames();
    }

    private static void dataset(Hdf5Dataset d) {
        attributes(d);
        long[] shape = d.shape();
        long[] chunks = d.chunkShape();
        d.maxShape();
        d.dataType();
        d.fillValue();
        d.commitToken();
        d.filters();
        d.spec();
        d.allocatedChunks();
        if (d.chunkBytes() > CHUNK_READ_LIMIT) {
            FuzzRun.outcome(TARGET, "chunks too large to read here");
            return;
        }
        int rank = shape.length;
        for (long extent : shape) if (extent <= 0) return;
        // The first box: a chunk's worth from the origin, cut down to READ_BYTES.
        long[] offset = new long[rank];
        long[] extent = new long[rank];
        long bytes = d.dataType().size();
        for (int i = rank - 1; i >= 0; i--) {
            extent[i] = Math.max(1, Math.min(Math.min(shape[i], chunks[i]), READ_BYTES / bytes));
            bytes *= extent[i];
        }
        read(d, offset, extent);
        // The last element: another path down the chunk index.
        long[] last = new long[rank];
        long[] one = new long[rank];
        for (int i = 0; i < rank; i++) {
            last[i] = shape[i] - 1;
            one[i] = 1;
        }
        read(d, last, one);
    }

    private static void read(Hdf5Dataset d, long[] offset, long[] extent) {
        ByteBuffer b = d.read(offset, extent);
        long expected = d.dataType().size();
        for (long e : extent) expected *= e;
        if (b.remaining() != expected) throw new AssertionError("read " + b.remaining() + " bytes, expected " + expected);
        FuzzRun.outcome(TARGET, "read");
    }

    /** Whether {@code e} is a clean refusal; anything else is rethrown as a finding. */
    private static void clean(RuntimeException e, String outcome) {
        if (e instanceof Hdf5Exception || e instanceof Hdf5FormatException || e instanceof UncheckedIOException) {
            FuzzRun.requireMessage(e);
            FuzzRun.outcome(TARGET, outcome);
            return;
        }
        throw e;
    }

    @AfterAll
    static void report() {
        FuzzRun.report(TARGET);
    }

    // ---- seeds ----

    static Stream<Arguments> seeds() throws IOException {
        Path dir = Files.createTempDirectory("hdf5-seeds");
        try {
            Path engine = dir.resolve("engine.h5");
            writeEngineSeed(engine);
            Path h5py = dir.resolve("h5py.h5");
            ReferenceLibrary.requireAvailable();
            ReferenceLibrary.makeFixture(h5py);
            Path linkGroups = dir.resolve("link-groups.h5");
            writeLinkGroupsSeed(linkGroups);
            Path latest = dir.resolve("latest.h5");
            writeEngineSeed(latest, Profile.LATEST);
            return Stream.of(Files.readAllBytes(engine), Files.readAllBytes(h5py), Files.readAllBytes(linkGroups), Files.readAllBytes(latest),
                            Files.readAllBytes(dir.resolve("link-groups-latest.h5")))
                    .map(s -> Arguments.of((Object) s));
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    /**
     * Groups stored with link messages, as h5py's default format makes them: a track_order group
     * (version 2 object header, compact links with creation order), a dense group (fractal heap,
     * v2 B-tree name index), external, soft and non-ASCII links.
     */
    static void writeLinkGroupsSeed(Path file) {
        ReferenceLibrary.runPython("""
                import sys, h5py, numpy as np
                with h5py.File(sys.argv[1], "w") as f:
                    t = f.create_group("tracked", track_order=True)
                    t.create_dataset("data", data=np.arange(6, dtype="<i2"), maxshape=(None,), chunks=(3,))
                    t["soft"] = h5py.SoftLink("/tracked/data")
                    t.attrs["unit"] = "mV"
                    d = f.create_group("dense", track_order=True)
                    for i in range(10):
                        d["l%d" % i] = t["data"]
                    f["ext"] = h5py.ExternalLink("other.h5", "/x")
                    f.create_group("données")
                # libver='latest' datasets: an extensible array (with a paged data block) and a version 2 B-tree index.
                with h5py.File(sys.argv[1][:-3] + "-latest.h5", "w", libver="latest") as f:
                    e = f.create_dataset("ea", shape=(3000,), maxshape=(None,), chunks=(1,), dtype="<i1")
                    e[:1500] = 1
                    f.create_dataset("bt2", data=np.arange(24, dtype="<i2").reshape(4, 6), maxshape=(None, None), chunks=(2, 2),
                                     compression="gzip")
                """, file.toString());
    }

    /** A small file with every structure the engine writes. */
    static void writeEngineSeed(Path file) {
        writeEngineSeed(file, Profile.DEFAULT);
    }

    /** The same structures in {@code profile}'s format (issue 18: superblock 3, version 2 headers, link-message groups). */
    static void writeEngineSeed(Path file, Profile profile) {
        try (Hdf5File f = Hdf5File.create(file, profile)) {
            f.root().setAttribute("title", AttributeValue.of("fuzz seed"));
            f.root().setAttribute("rate", AttributeValue.of(30000.0));
            Hdf5Group many = f.requireGroup("/many");
            many.setAttribute("ids", AttributeValue.of(1L, 2L, 3L));
            for (int i = 0; i < 10; i++) f.requireGroup("/many/g" + i);
            Hdf5Dataset data = f.createDataset("/many/g3/data", DatasetSpec.builder(DataType.INT16, 0, 4)
                    .maxShape(DatasetSpec.UNLIMITED, 4).chunks(1, 4).shuffle().deflate(4).commitTokenCapacity(16).build());
            ByteBuffer rows = ByteBuffer.allocate(70 * 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 70 * 4; i++) rows.putShort((short) (i * 31));
            data.append(rows.flip());
            data.setCommitToken(new byte[] {1, 2, 3});
            data.setAttribute("unit", AttributeValue.of("mV"));
            Hdf5Dataset f8 = f.createDataset("/f8", DatasetSpec.builder(DataType.FLOAT64, 10).maxShape(20).chunks(4)
                    .fletcher32().fillValue(-1.5).build());
            f8.writeValues(new long[] {0}, new long[] {6}, new double[] {0, 1, 2, 3, 4, 5});
            // h5py's complex (a compound) and bool (an enumeration), and a float16 fill value.
            Hdf5Dataset c8 = f.createDataset("/c8", DatasetSpec.builder(DataType.COMPLEX64, 3).chunks(3)
                    .attribute("flags", AttributeValue.array(DataType.BOOL, 1, 0)).build());
            c8.writeValues(new long[] {0}, new long[] {3}, new float[] {1, 2, 3, 4, 5, 6});
            f.createDataset("/f2", DatasetSpec.builder(DataType.FLOAT16, 4).chunks(2).fillValue(0.5).build());
            f.commit();
        }
    }
}
