package io.hdf5flink.sink.writer;

import org.apache.flink.annotation.Internal;

/**
 * A chunk being assembled in a writer: its origin, how many of the elements it needs have
 * arrived, and its bytes, either in memory or spilled to a spill file. Part of the writer's
 * checkpointed state until it is complete and handed to compression.
 */
@Internal
public final class OpenChunk {
    final long[] origin;
    final long needed;
    long covered;
    byte[] raw;
    SpillRef spilled;
    long lastTouch;

    OpenChunk(long[] origin, long needed, long covered, byte[] raw, SpillRef spilled) {
        this.origin = origin;
        this.needed = needed;
        this.covered = covered;
        this.raw = raw;
        this.spilled = spilled;
    }

    boolean complete() {
        return covered >= needed;
    }

    /** Where a spilled chunk's bytes are: a file in the staging directory, a position and a length. */
    public record SpillRef(String file, long position, int length) {}
}
