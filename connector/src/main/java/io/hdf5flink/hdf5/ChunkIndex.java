package io.hdf5flink.hdf5;

import java.io.IOException;

/**
 * Where a chunked dataset's chunks are: the index a commit publishes by one address in the
 * layout message. Changes are kept copy-on-write: nothing a committed index reaches is modified,
 * {@link #writeDirty} writes the changed structures to new places and returns the new root, and
 * {@link #afterCommit} releases what the published root no longer reaches (for reuse after the
 * grace period of {@link FileStorage#release}). {@link BTreeChunkIndex} is h5py's default (a
 * version 1 B-tree); {@link ExtensibleArrayChunkIndex} and {@link V2BTreeChunkIndex} keep the
 * extensible array or version 2 B-tree of a {@code libver='latest'} dataset with one or several
 * unlimited axes.
 */
interface ChunkIndex {
    /** Where a chunk is stored and how. */
    record Entry(long address, int size, int filterMask) {}

    /** Receives one chunk of {@link #forEach}. */
    interface ChunkVisitor {
        void chunk(long[] offset, Entry entry) throws IOException;
    }

    /** The chunk at {@code chunkOffset} (element coordinates, a multiple of the chunk shape), or null. */
    Entry get(long[] chunkOffset) throws IOException;

    /** Inserts or replaces the chunk at {@code chunkOffset}. */
    void put(long[] chunkOffset, long address, int size, int filterMask) throws IOException;

    /** Writes every changed structure and returns the root address to publish (or undefined). */
    long writeDirty() throws IOException;

    /** After the commit that published {@link #writeDirty()}'s root. */
    void afterCommit();

    /** Visits every stored chunk. */
    void forEach(ChunkVisitor visitor) throws IOException;

    /** How many structures (nodes, blocks) were written so far: the index's cost, for tests. */
    long nodeWrites();

    /** The index's depth, for tests (levels of nodes; 0 when empty). */
    int depth();
}
