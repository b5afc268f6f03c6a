/**
 * A split (rows of one input array placed at an offset of the output) and the enumerator's
 * pending splits, each with its versioned serializer (a magic number, old versions still read,
 * golden-bytes fixtures under {@code src/test/resources}). Internal ({@code @Internal}).
 */
package io.hdf5flink.source.split;
