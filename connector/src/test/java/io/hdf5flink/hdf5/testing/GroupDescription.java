package io.hdf5flink.hdf5.testing;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One group as a reader sees it.
 *
 * @param path the absolute path ("/" for the root group)
 * @param attributes the attributes by name; {@code null} when not known / not to be compared
 */
public record GroupDescription(String path, Map<String, AttributeValue> attributes) {

    /** Copies and sorts the attributes. */
    public GroupDescription {
        Objects.requireNonNull(path, "path");
        attributes = attributes == null ? null : Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
