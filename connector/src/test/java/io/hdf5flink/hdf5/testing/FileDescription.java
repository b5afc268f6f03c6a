package io.hdf5flink.hdf5.testing;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a reader reports about an HDF5 file: produced by {@link ReferenceLibrary#describe}
 * (libhdf5), {@link JhdfDescriber#describe} (jhdf) or {@link ExpectedFile} (a test's
 * expectation), and compared by {@link HdfAssertions#assertSameFile}.
 *
 * @param superblockVersion the superblock version, or {@code null} when not known / not checked
 * @param groups every group, including the root group "/", by absolute path
 * @param datasets every dataset by absolute path
 */
public record FileDescription(
        Integer superblockVersion,
        SortedMap<String, GroupDescription> groups,
        SortedMap<String, DatasetDescription> datasets) {

    /** Copies the maps, sorted by path. */
    public FileDescription {
        groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
        datasets = Collections.unmodifiableSortedMap(new TreeMap<>(datasets));
    }

    /** Builds a description from maps in any order. */
    public static FileDescription of(Integer superblockVersion, Map<String, GroupDescription> groups,
            Map<String, DatasetDescription> datasets) {
        return new FileDescription(superblockVersion, new TreeMap<>(groups), new TreeMap<>(datasets));
    }

    /** The dataset at {@code path}; fails the test when there is none. */
    public DatasetDescription dataset(String path) {
        DatasetDescription dataset = datasets.get(path);
        if (dataset == null) {
            throw new AssertionError("No dataset " + path + "; datasets: " + datasets.keySet());
        }
        return dataset;
    }

    /** The group at {@code path}; fails the test when there is none. */
    public GroupDescription group(String path) {
        GroupDescription group = groups.get(path);
        if (group == null) {
            throw new AssertionError("No group " + path + "; groups: " + groups.keySet());
        }
        return group;
    }
}
