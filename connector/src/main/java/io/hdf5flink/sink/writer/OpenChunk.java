package io.hdf5flink.sink.writer;

import org.apache.flink.annotation.Internal;

/**
 * A chunk being assembled in a writer: its origin, how many of the elements it needs have
 * arrived, and its bytes, either in memory or spilled to a spill file. Part of the writer's
 * checkpointed state until it is complete and handed to compression.
 */
@Internal
public final class OpenChunk {
    private final long[] origin;
    private final long needed;
    private long covered;
    private byte[] raw;
    private SpillRef spilled;
    /**
     * A copy of the in-memory bytes as they are now, written for the next checkpoint to reference
     * (null once the chunk changes): the checkpoint then holds a reference, not the bytes.
     */
    private SpillRef checkpointCopy;
    private long lastTouch;

    OpenChunk(long[] origin, long needed, long covered, byte[] raw, SpillRef spilled) {
        this.origin = origin;
        this.needed = needed;
        this.covered = covered;
        this.raw = raw;
        this.spilled = spilled;
    }

    /** The chunk as restored from a checkpoint. */
    static OpenChunk restored(Hdf5WriterState.ChunkState c) {
        return new OpenChunk(c.origin(), c.needed(), c.covered(), c.raw(), c.spilled());
    }

    /** The chunk as it goes into a checkpoint: by reference when it is spilled or copied for it. */
    Hdf5WriterState.ChunkState toState() {
        if (raw != null && checkpointCopy != null) return new Hdf5WriterState.ChunkState(origin, needed, covered, null, checkpointCopy);
        return new Hdf5WriterState.ChunkState(origin, needed, covered, raw, spilled);
    }

    long[] origin() {
        return origin;
    }

    boolean complete() {
        return covered >= needed;
    }

    /** Records that {@code elements} more of the needed elements arrived, at {@code touch}. */
    void cover(long elements, long touch) {
        covered += elements;
        lastTouch = touch;
        checkpointCopy = null;
    }

    /** Whether the in-memory bytes need a copy for the next checkpoint (none, or an outdated one). */
    boolean needsCheckpointCopy() {
        return raw != null && checkpointCopy == null;
    }

    /** The in-memory bytes were copied to {@code ref} for the next checkpoint; they stay in memory. */
    void copiedForCheckpoint(SpillRef ref) {
        checkpointCopy = ref;
    }

    /** The spill file the next checkpoint references for this chunk, or null when it holds the bytes. */
    String stateFile() {
        return raw == null ? spilled.file() : checkpointCopy == null ? null : checkpointCopy.file();
    }

    /** When the writer last wrote into this chunk, to spill the least recently used first. */
    long lastTouch() {
        return lastTouch;
    }

    boolean inMemory() {
        return raw != null;
    }

    /** The bytes in memory, or null while the chunk is spilled. */
    byte[] bytes() {
        return raw;
    }

    /** Where the spilled bytes are, or null while the chunk is in memory. */
    SpillRef spilled() {
        return spilled;
    }

    /** The chunk's bytes now live in a spill file: memory lets go of them. */
    void spilledTo(SpillRef ref) {
        spilled = ref;
        raw = null;
        checkpointCopy = null;
    }

    /** The chunk's bytes were read back from its spill file: it lives in memory again. */
    void readBack(byte[] bytes) {
        raw = bytes;
        spilled = null;
    }

    /** Where a spilled chunk's bytes are: a file in the staging directory, a position and a length. */
    public record SpillRef(String file, long position, int length) {}
}
