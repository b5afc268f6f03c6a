package io.hdf5flink.hdf5.filter;

/**
 * A chunk after the filter pipeline, ready to be stored.
 *
 * @param data the stored bytes; only the first {@code length} count (when the pipeline is empty
 *     this is the caller's raw array itself, not a copy)
 * @param length the number of bytes to store
 * @param filterMask bit i set when optional filter i of the pipeline declined this chunk and was
 *     skipped, as recorded with the chunk in the file
 */
public record EncodedChunk(byte[] data, int length, int filterMask) {
}
