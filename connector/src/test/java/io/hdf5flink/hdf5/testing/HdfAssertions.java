package io.hdf5flink.hdf5.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares file descriptions field by field, naming the reader, the object and the field in
 * every difference ("h5py says /data shape [10, 4], expected [12, 4]").
 *
 * <p>A field is compared only where both descriptions know it (non-{@code null}; data
 * {@linkplain DatasetData#isKnown() known}), so an expectation leaves out what it does not care
 * about and a reader leaves out what it cannot report. The sets of group and dataset paths are
 * always compared; attribute names are compared where both sides list attributes.
 */
public final class HdfAssertions {

    private static final int MAX_REPORTED = 25;

    private HdfAssertions() {}

    /**
     * Fails, listing every difference, unless {@code actual} matches {@code expected}.
     *
     * @param whoRead the reader that produced {@code actual} ("h5py", "jhdf"), for the messages
     */
    public static void assertSameFile(FileDescription expected, FileDescription actual, String whoRead) {
        List<String> differences = differences(expected, actual, whoRead);
        if (!differences.isEmpty()) {
            throw new AssertionError(report(whoRead, differences));
        }
    }

    /**
     * Describes {@code h5} with libhdf5 ({@link ReferenceLibrary}) and with jhdf
     * ({@link JhdfDescriber}) and fails, listing the differences of each, unless both match
     * {@code expected}.
     *
     * @return libhdf5's description, for further checks
     */
    public static FileDescription assertReadableByAll(Path h5, FileDescription expected) {
        FileDescription reference = ReferenceLibrary.describe(h5);
        List<String> h5pyDifferences = differences(expected, reference, "h5py");
        List<String> jhdfDifferences = differences(expected, JhdfDescriber.describe(h5), "jhdf");
        if (!h5pyDifferences.isEmpty() || !jhdfDifferences.isEmpty()) {
            StringBuilder message = new StringBuilder(h5.toString()).append('\n');
            if (!h5pyDifferences.isEmpty()) {
                message.append(report("h5py", h5pyDifferences)).append('\n');
            }
            if (!jhdfDifferences.isEmpty()) {
                message.append(report("jhdf", jhdfDifferences)).append('\n');
            }
            throw new AssertionError(message.toString().strip());
        }
        return reference;
    }

    /** Every difference between the descriptions, as messages; empty when they match. */
    public static List<String> differences(FileDescription expected, FileDescription actual, String whoRead) {
        List<String> out = new ArrayList<>();
        compare(out, whoRead + " says superblock version", expected.superblockVersion(), actual.superblockVersion());
        comparePaths(out, whoRead, "group", expected.groups(), actual.groups());
        comparePaths(out, whoRead, "dataset", expected.datasets(), actual.datasets());
        for (Map.Entry<String, GroupDescription> entry : expected.groups().entrySet()) {
            GroupDescription other = actual.groups().get(entry.getKey());
            if (other != null) {
                compareAttributes(out, whoRead + " says " + entry.getKey(), entry.getValue().attributes(), other.attributes());
            }
        }
        for (Map.Entry<String, DatasetDescription> entry : expected.datasets().entrySet()) {
            DatasetDescription other = actual.datasets().get(entry.getKey());
            if (other != null) {
                compareDataset(out, whoRead + " says " + entry.getKey(), entry.getValue(), other);
            }
        }
        return out;
    }

    private static String report(String whoRead, List<String> differences) {
        StringBuilder message = new StringBuilder(whoRead).append(" disagrees with the expected file (")
                .append(differences.size()).append(differences.size() == 1 ? " difference):" : " differences):");
        differences.stream().limit(MAX_REPORTED).forEach(d -> message.append("\n  ").append(d));
        if (differences.size() > MAX_REPORTED) {
            message.append("\n  ... and ").append(differences.size() - MAX_REPORTED).append(" more");
        }
        return message.toString();
    }

    private static void comparePaths(List<String> out, String whoRead, String kind, Map<String, ?> expected,
            Map<String, ?> actual) {
        for (String path : new TreeSet<>(expected.keySet())) {
            if (!actual.containsKey(path)) {
                out.add(whoRead + " finds no " + kind + " " + path + " (it has " + actual.keySet() + ")");
            }
        }
        for (String path : new TreeSet<>(actual.keySet())) {
            if (!expected.containsKey(path)) {
                out.add(whoRead + " finds an unexpected " + kind + " " + path);
            }
        }
    }

    private static void compareDataset(List<String> out, String prefix, DatasetDescription expected,
            DatasetDescription actual) {
        compare(out, prefix + " dtype", expected.dtype(), actual.dtype());
        compareShape(out, prefix + " shape", expected.shape(), actual.shape());
        compareShape(out, prefix + " maxshape", expected.maxshape(), actual.maxshape());
        compare(out, prefix + " layout", expected.layout(), actual.layout());
        compareShape(out, prefix + " chunks", expected.chunks(), actual.chunks());
        compareFilters(out, prefix, expected.filters(), actual.filters());
        compare(out, prefix + " fill value", expected.fillValue(), actual.fillValue());
        compare(out, prefix + " fill value status", expected.fillValueDefined(), actual.fillValueDefined());
        compare(out, prefix + " fill time", expected.fillTime(), actual.fillTime());
        compare(out, prefix + " alloc time", expected.allocTime(), actual.allocTime());
        compare(out, prefix + " allocated chunks", expected.allocatedChunks(), actual.allocatedChunks());
        compare(out, prefix + " stored bytes", expected.storedBytes(), actual.storedBytes());
        compareAttributes(out, prefix, expected.attributes(), actual.attributes());
        compareChunkLists(out, prefix, expected.chunkList(), actual.chunkList());
        if (expected.data() != null && actual.data() != null) {
            String difference = actual.data().differenceFrom(expected.data(),
                    actual.dtype() != null ? actual.dtype() : expected.dtype(),
                    actual.shape() != null ? actual.shape() : expected.shape());
            if (difference != null) {
                out.add(prefix + " " + difference);
            }
        }
    }

    private static void compareFilters(List<String> out, String prefix, List<FilterInfo> expected,
            List<FilterInfo> actual) {
        if (expected == null || actual == null) {
            return;
        }
        if (expected.size() != actual.size()) {
            out.add(prefix + " filters " + actual + ", expected " + expected);
            return;
        }
        for (int i = 0; i < expected.size(); i++) {
            FilterInfo want = expected.get(i);
            FilterInfo got = actual.get(i);
            String stage = prefix + " filter " + i;
            if (want.id() != got.id()) {
                out.add(stage + " id " + got.id() + ", expected " + want.id() + " (filters " + actual + ", expected " + expected + ")");
                continue;
            }
            compare(out, stage + " (id " + want.id() + ") flags", want.flags(), got.flags());
            if (want.cd() != null && got.cd() != null && !Arrays.equals(want.cd(), got.cd())) {
                out.add(stage + " (id " + want.id() + ") cd " + Arrays.toString(got.cd()) + ", expected " + Arrays.toString(want.cd()));
            }
        }
    }

    private static void compareAttributes(List<String> out, String prefix, Map<String, AttributeValue> expected,
            Map<String, AttributeValue> actual) {
        if (expected == null || actual == null) {
            return;
        }
        for (String name : new TreeSet<>(expected.keySet())) {
            AttributeValue want = expected.get(name);
            AttributeValue got = actual.get(name);
            String attribute = prefix + " attribute '" + name + "'";
            if (got == null) {
                out.add(prefix + " has no attribute '" + name + "' (expected " + want + ")");
                continue;
            }
            compare(out, attribute + " dtype", want.dtype(), got.dtype());
            if (!Arrays.equals(want.shape(), got.shape())) {
                out.add(attribute + " shape " + Arrays.toString(got.shape()) + ", expected " + Arrays.toString(want.shape()));
            }
            if (!Objects.equals(want.value(), got.value())) {
                out.add(attribute + " value " + Values.format(got.value()) + ", expected " + Values.format(want.value()));
            }
        }
        for (String name : new TreeSet<>(actual.keySet())) {
            if (!expected.containsKey(name)) {
                out.add(prefix + " has an unexpected attribute '" + name + "' = " + actual.get(name));
            }
        }
    }

    private static void compareChunkLists(List<String> out, String prefix, List<ChunkInfo> expected,
            List<ChunkInfo> actual) {
        if (expected == null || actual == null) {
            return;
        }
        if (expected.size() != actual.size()) {
            out.add(prefix + " lists " + actual.size() + " chunks, expected " + expected.size());
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                out.add(prefix + " chunk " + i + " " + actual.get(i) + ", expected " + expected.get(i));
            }
        }
    }

    private static void compareShape(List<String> out, String what, long[] expected, long[] actual) {
        if (expected != null && actual != null && !Arrays.equals(expected, actual)) {
            out.add(what + " " + Values.formatShape(actual) + ", expected " + Values.formatShape(expected));
        }
    }

    private static void compare(List<String> out, String what, Object expected, Object actual) {
        if (expected != null && actual != null && !expected.equals(actual)) {
            out.add(what + " " + Values.format(actual) + ", expected " + Values.format(expected));
        }
    }
}
