package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.testing.KilledProcesses;
import io.hdf5flink.hdf5.testing.ReferenceLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing JVM with SIGKILL at random moments, many times, and after each kill lets
 * libhdf5 (h5py) judge the file: it must open, hold exactly a prefix of the rows that were being
 * appended (at least every row whose commit had returned, at most the batch under way), with
 * every value right and the commit token equal to the row count, the proof that data and token
 * were published by one write. Then the next child reopens the file and carries on from the
 * leftovers of the killed one. {@code -Dcrash.kills=N} runs longer; the seed is printed and can
 * be replayed with {@code -Dcrash.seed=S}.
 */
class CrashInteropTest {
    @TempDir Path dir;

    private static final String CHECK = String.join("\n",
            "import sys, h5py, numpy as np",
            "with h5py.File(sys.argv[1], 'r', swmr=len(sys.argv) > 2) as f:",
            "    d = f['/crash/data']",
            "    rows = d.shape[0]",
            "    a = d[:]",
            "    expected = np.arange(rows * 8, dtype=np.int64).reshape(rows, 8).astype(np.int32)",
            "    assert (a == expected).all(), 'values differ from the pattern'",
            "    t = d.attrs['_hdf5flink_commit_token']",
            "    n = int.from_bytes(bytes(t[:4]), 'little')",
            "    token = bytes(t[4:4 + n]).decode()",
            "    assert token == str(rows), f'token {token} but {rows} rows'",
            "    g = f['marks'] if 'marks' in f else None",
            "    marks = list(g) if g is not None else []",
            // A kill between creating a mark group and setting its attribute leaves it without one.
            "    assert all(g[m].attrs.get('rows', int(m[1:])) == int(m[1:]) for m in marks), marks",
            "    assert all(g.id.links.get_info(m.encode()).cset == (h5py.h5t.CSET_UTF8 if m[0] == 'µ' else h5py.h5t.CSET_ASCII)"
                    + " for m in marks), marks",
            "    groups = len(marks)",
            "    print(rows, groups)");

    /** What h5py checks of the link-message groups: the external link, the creation order, the notes. */
    private static final String LINK_CHECK = "\n" + String.join("\n",
            "    assert f.get('ext', getlink=True).path == '/x'",
            "    order = []",
            "    f.id.links.iterate(lambda n: order.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)",
            "    assert order == ['crash', 'ext'], order",
            "    assert all(set(bytes(f.attrs[k])) <= {ord('n')} for k in f.attrs if k.startswith('note')), dict(f.attrs)",
            "    c = f['crash']; order = []",
            "    c.id.links.iterate(lambda n: order.append(n.decode()), idx_type=h5py.h5.INDEX_CRT_ORDER)",
            "    assert order[0] == 'data' and all(c[m].attrs.get('rows', int(m[1:])) == int(m[1:]) for m in order[1:]), order",
            "    assert [int(m[1:]) for m in order[1:]] == sorted(int(m[1:]) for m in order[1:]), order",
            "    print(len(order) - 1)");

    /**
     * What h5py, in SWMR mode (a killed writer leaves the file flagged as open for SWMR writing),
     * checks of a {@link Profile#LATEST} file: superblock 3, the notes, and the marks in {@code /crash}.
     */
    private static final String LATEST_CHECK = "\n" + String.join("\n",
            "    assert f.id.get_create_plist().get_version()[0] == 3",
            "    assert all(set(bytes(f.attrs[k])) <= {ord('n')} for k in f.attrs if k.startswith('note')), dict(f.attrs)",
            "    c = f['crash']; marks = [m for m in c if m != 'data']",
            // A kill between creating a mark group and setting its attribute leaves it without one, as in LINK_CHECK.
            "    assert all(c[m].attrs.get('rows', int(m[1:])) == int(m[1:]) for m in marks), marks",
            "    print(len(marks))");

    /**
     * In the {@code "default"} variant the mark groups go into {@code /marks}, a symbol-table
     * group until the first mark with a non-ASCII name ({@code µ<rows>}, every third) converts it
     * to link messages, as libhdf5 would, and the ninth makes it dense; h5py checks each mark's
     * attribute and character set.
     *
     * <p>In the {@code "h5py-link-groups"} variant, the file starts as h5py made it (issue 18): a {@code
     * track_order=True} root, group {@code /crash} and dataset {@code /crash/data} (version 2,
     * checksummed object headers; links stored as link messages) beside an external link. The
     * writers append to {@code /crash/data} (each commit rewrites the header chunk holding its
     * shape, index root and token), put their mark groups into {@code /crash} (dense after 8
     * links, rewritten copy-on-write) and churn string attributes of the root. h5py then also
     * checks the links, the creation order of both groups and the marks. In the {@code "latest"}
     * variant the writers create the file in {@link Profile#LATEST} (superblock 3, whose flags every
     * kill leaves set, version 2 headers, link-message groups) and h5py reads it in SWMR mode. In
     * {@code "h5py-latest"} h5py made the file with {@code libver='latest'}: {@code /crash/data}
     * has an extensible-array chunk index, which the children keep, appending to it copy-on-write
     * (new blocks, then the header rewritten in place, then the shape). In {@code
     * "h5py-latest-two-axes"} it has two unlimited axes and chunks of (16, 4), so a version 2
     * B-tree of thousands of chunks, which the children keep too (a new tree each commit, its
     * unchanged nodes reused, published with the shape).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"default", "h5py-link-groups", "latest", "h5py-latest", "h5py-latest-two-axes"})
    void killedWritersLeaveACommittedPrefixAndTheNextWriterCarriesOn(String variant) throws Exception {
        ReferenceLibrary.requireAvailable();
        boolean linkGroups = variant.equals("h5py-link-groups");
        boolean h5pyLatest = variant.startsWith("h5py-latest");
        boolean twoAxes = variant.equals("h5py-latest-two-axes");
        boolean latest = variant.equals("latest") || h5pyLatest;
        int kills = Integer.getInteger("crash.kills", 12);
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashInteropTest seed " + seed + ", " + kills + " kills, " + variant);
        Random random = new Random(seed);
        Path file = dir.resolve("crash.h5");
        if (linkGroups) {
            ReferenceLibrary.runPython(String.join("\n",
                    "import sys, h5py",
                    "with h5py.File(sys.argv[1], 'w', track_order=True) as f:",
                    "    g = f.create_group('crash', track_order=True)",
                    "    g.create_dataset('data', shape=(0, 8), maxshape=(None, 8), chunks=(64, 8), dtype='<i4',",
                    "                     shuffle=True, compression='gzip', compression_opts=1, track_order=True)",
                    "    f['ext'] = h5py.ExternalLink('elsewhere.h5', '/x')"), file.toString());
        }
        if (h5pyLatest) {
            ReferenceLibrary.runPython(String.join("\n",
                    "import sys, h5py",
                    "with h5py.File(sys.argv[1], 'w', libver='latest') as f:",
                    "    f.create_group('crash').create_dataset('data', shape=(0, 8), maxshape=(None, None if sys.argv[2] == 'two' else 8),",
                    "                                           chunks=(16, 4) if sys.argv[2] == 'two' else (64, 8), dtype='<i4',",
                    "                                           shuffle=True, compression='gzip', compression_opts=1)"),
                    file.toString(), twoAxes ? "two" : "one");
        }
        long previous = 0;
        int survived = 0;
        int marks = 0;
        for (int kill = 0; kill < kills; kill++) {
            // The child's output goes to a file: a pipe read while the child is killed can lose
            // its last lines (the JDK drains and closes the pipe when the process exits).
            Path log = dir.resolve("child-" + kill + ".log");
            Process child = new ProcessBuilder(javaBinary(), KilledProcesses.tmpdirIn(dir), "-cp", System.getProperty("java.class.path"),
                    CrashingAppender.class.getName(), file.toString(), Long.toString(random.nextLong()),
                    linkGroups || h5pyLatest ? "notes" : latest ? "latest" : "")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (lastCommitted(log) < previous + 1 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(2);
            }
            assertTrue(child.isAlive(), "the writer died on its own (seed " + seed + "): " + Files.readString(log));
            Thread.sleep(random.nextInt(120));
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor();
            long committed = lastCommitted(log);

            String[] seen = (latest ? ReferenceLibrary.runPython(CHECK + LATEST_CHECK, file.toString(), "swmr")
                    : ReferenceLibrary.runPython(linkGroups ? CHECK + LINK_CHECK : CHECK, file.toString())).trim().split("\\s+");
            long rows = Long.parseLong(seen[0]);
            marks = Integer.parseInt(seen[linkGroups || latest ? 2 : 1]);
            assertTrue(rows >= committed, "h5py sees " + rows + " rows, but a commit of " + committed
                    + " rows had returned (seed " + seed + ", kill " + kill + ")");
            assertTrue(rows <= committed + 300, "h5py sees " + rows + " rows, more than one batch past " + committed);
            previous = rows;
            survived++;
        }
        assertEquals(kills, survived);
        if (h5pyLatest) {
            try (Hdf5File f = Hdf5File.openReadOnly(file)) {
                Hdf5Dataset d = f.dataset("/crash/data");
                assertTrue(twoAxes ? d.keepsVersion2BTree() : d.keepsExtensibleArray(), "/crash/data keeps its chunk index");
            }
        }
        System.out.println("CrashInteropTest: " + survived + " kills survived, " + previous
                + " rows, 0 lost, 0 doubled (h5py checked every value after each kill)"
                + (linkGroups || latest ? "; " + marks + " mark groups in the link-message group /crash"
                        : "; " + marks + " mark groups in /marks (link messages since the first non-ASCII name)") + " (" + variant + ")");
    }

    /** The row count of the last commit the child reported, or -1. */
    private static long lastCommitted(Path log) throws java.io.IOException {
        long last = -1;
        if (!Files.exists(log)) return last;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("COMMITTED ") && line.length() > 10) {
                try {
                    last = Long.parseLong(line.substring(10).trim());
                } catch (NumberFormatException e) {
                    // a line the kill cut short
                }
            }
        }
        return last;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

}
