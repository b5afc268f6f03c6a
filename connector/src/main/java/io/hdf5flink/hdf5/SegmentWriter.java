package io.hdf5flink.hdf5;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Writes one owner's filtered chunks straight into an HDF5 file that a committer elsewhere (an
 * {@link Hdf5File} opened with the same {@link SpaceLedger}) will publish: each chunk goes at the
 * next free byte of a segment the owner claimed from the ledger for its current epoch, and its
 * address is what the committer enters in the chunk index ({@link Hdf5Dataset#adoptChunk}). The
 * bytes are written once, where they stay.
 *
 * <p>It takes no lock on the file: the committer holds it, and this writer writes only into space
 * the ledger handed it, which nothing committed references. The file must exist (the committer, or
 * the first writer, creates it). One thread at a time.
 */
public final class SegmentWriter implements Closeable {
    private final SpaceLedger ledger;
    private final String owner;
    private final long maxSegmentBytes;
    /** The next claim's size: small at first, doubling while the writer writes more. */
    private long nextSegmentBytes;
    /** The largest chunk written so far: segments hold a whole number of them, to leave no tails. */
    private int largestChunk;
    private FileChannel channel;
    private SpaceLedger.Extent segment;
    private long segmentEpoch;
    private long used;

    /**
     * @param maxSegmentBytes the most to claim at a time (more when a chunk is larger). Claims
     *     start at {@link #FIRST_SEGMENT_BYTES} and double up to it, so a writer that writes
     *     little claims little.
     */
    public SegmentWriter(SpaceLedger ledger, String owner, long maxSegmentBytes) {
        this.ledger = ledger;
        this.owner = owner;
        this.maxSegmentBytes = maxSegmentBytes;
        this.nextSegmentBytes = FIRST_SEGMENT_BYTES;
    }

    /** The first claim of an epoch. */
    public static final long FIRST_SEGMENT_BYTES = 64 * 1024;

    /** Writes {@code length} bytes of {@code data} for {@code epoch}; returns their address in the file. */
    public long write(long epoch, byte[] data, int length) throws IOException {
        if (segment != null && (segmentEpoch != epoch || used + length > segment.length())) endSegment();
        largestChunk = Math.max(largestChunk, length);
        if (segment == null) {
            // A whole number of the largest chunk so far: chunks of one dataset compress to
            // nearly the same size, so a segment fills up with almost nothing left over, where a
            // round size would leave a tail too short for the next chunk (a hole in the file).
            long size = Math.max(1, Math.max(nextSegmentBytes, length) / largestChunk) * largestChunk;
            segment = ledger.claim(owner, epoch, length, size);
            nextSegmentBytes = Math.min(maxSegmentBytes, 2 * size);
            segmentEpoch = epoch;
            used = 0;
        }
        if (channel == null) channel = FileChannel.open(ledger.dataFile(), StandardOpenOption.WRITE);
        long address = segment.start() + used;
        ByteBuffer b = ByteBuffer.wrap(data, 0, length);
        long at = address;
        while (b.hasRemaining()) at += channel.write(b, at);
        used += length;
        return address;
    }

    /**
     * Ends the epoch, before the committable that names its chunks: with {@code fsync} what was
     * written is made durable; the current segment's unused rest is carried over to the next
     * epoch (so the next chunks follow this epoch's without a gap), or, when {@code last}, goes
     * back to the ledger.
     */
    public void endEpoch(boolean fsync, boolean last) throws IOException {
        if (fsync && channel != null) channel.force(false);
        if (segment == null) return;
        if (last || used == segment.length()) {
            endSegment();
            nextSegmentBytes = FIRST_SEGMENT_BYTES;
        } else {
            segment = ledger.carryOver(owner, segment, used, segmentEpoch + 1);
            segmentEpoch++;
            used = 0;
        }
    }

    private void endSegment() throws IOException {
        if (segment == null) return;
        ledger.trim(owner, segment, used);
        segment = null;
    }

    /**
     * Closes the file. A segment still open keeps its claim: the ledger frees it when its epoch is
     * found lost (a writer restored, or swept as dead), or forgets it when the epoch commits. Not
     * trimmed here: a writer closed by a failover may close after its successor, under the same
     * name, has claimed space anew.
     */
    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
        channel = null;
    }
}
