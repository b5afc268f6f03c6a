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
 * bytes are written once, where they stay: a chunk's whole pages past the page cache, where the
 * file system allows and the client asks for it ({@link DirectChunkWrite}).
 *
 * <p>It takes no lock on the file: the committer holds it, and this writer writes only into space
 * the ledger handed it, which nothing committed references. The file must exist (the committer, or
 * the first writer, creates it). One thread at a time.
 */
public final class SegmentWriter implements Closeable {
    private final SpaceLedger ledger;
    private final String owner;
    private final long maxSegmentBytes;
    /** Null when every chunk goes through the page cache. */
    private final AlignedBuffer buffer;
    /** Bytes written so far: claims grow with them, so a writer that writes little claims little. */
    private long written;
    /** The largest chunk written so far: segments hold a whole number of them, to leave no tails. */
    private int largestChunk;
    private FileChannel channel;
    private DirectChunkWrite direct;
    private SpaceLedger.Extent segment;
    private long segmentEpoch;
    private long used;

    /**
     * @param maxSegmentBytes the most to claim at a time (unless one chunk is larger). Claims
     *     hold one chunk at first and grow with what the writer wrote, up to it, so a writer
     *     that writes little claims little.
     * @param buffer the writer thread's memory for direct writes, shared by its segment writers;
     *     null to write every chunk through the page cache (for output read again at once, while
     *     it is still in memory)
     */
    public SegmentWriter(SpaceLedger ledger, String owner, long maxSegmentBytes, AlignedBuffer buffer) {
        this.ledger = ledger;
        this.owner = owner;
        this.maxSegmentBytes = maxSegmentBytes;
        this.buffer = buffer;
    }

    /**
     * How much to claim (or grow by): a whole number of the largest chunk so far, since chunks of
     * one dataset compress to nearly the same size and a round size would leave a tail too short
     * for the next chunk (a hole in the file); and small while the writer has written little (a
     * sixteenth of it), since a segment's unused rest at the end of a job can be a hole too.
     */
    private long growth(int length) {
        long target = Math.max((long) MIN_CHUNKS_PER_SEGMENT * largestChunk, Math.min(maxSegmentBytes, written / GROWTH_DIVISOR));
        return Math.max(length, Math.max(1, target / largestChunk) * largestChunk);
    }

    /**
     * Segments hold at least this many of the largest chunk. One: a commit's metadata lands past
     * every live segment, so a segment's unused rest, given back at the end of the job, stays a
     * hole (four at first made a two-chunk conversion twice its size).
     */
    private static final int MIN_CHUNKS_PER_SEGMENT = 1;
    /** A segment is at most this part of what the writer wrote so far (until the maximum size). */
    private static final int GROWTH_DIVISOR = 16;

    /** Writes {@code length} bytes of {@code data} for {@code epoch}; returns their address in the file. */
    public long write(long epoch, byte[] data, int length) throws IOException {
        largestChunk = Math.max(largestChunk, length);
        if (segment != null && segmentEpoch != epoch) endSegment();
        if (segment != null && used + length > segment.length()) {
            // Grown in place where nothing follows, so that the chunk does not leave the rest of
            // the segment as a hole; else the rest goes back to the ledger.
            SpaceLedger.Extent grown = ledger.extend(owner, segment, Math.max(used + length - segment.length(), growth(length)));
            if (grown != null) segment = grown;
            else endSegment();
        }
        if (segment == null) {
            segment = ledger.claim(owner, epoch, length, growth(length));
            segmentEpoch = epoch;
            used = 0;
        }
        if (channel == null) {
            channel = NoFollowOpen.channel(ledger.root(), ledger.dataFile(), StandardOpenOption.WRITE);
            if (buffer != null) direct = new DirectChunkWrite(ledger.root(), ledger.dataFile(), buffer);
        }
        long address = segment.start() + used;
        if (direct != null) direct.write(channel, data, length, address);
        else PositionalWrite.writeFully(channel, ByteBuffer.wrap(data, 0, length), address, ledger.dataFile());
        used += length;
        written += length;
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
        } else {
            segment = ledger.carryOver(owner, segment, used, segmentEpoch + 1);
            segmentEpoch++;
            used = 0;
        }
    }

    /**
     * Gives the current segment's unused rest back to the ledger now, rather than at the end of
     * the epoch: for a writer that moved on to another file (a rolled recording's next data file)
     * while other writers still fill this one, so that they reuse the space instead of leaving a
     * hole. What was written stays; the next write claims a new segment. Durability is unchanged:
     * {@link #endEpoch} still forces the file.
     */
    public void giveBackRest() throws IOException {
        endSegment();
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
        try (FileChannel c = channel; DirectChunkWrite d = direct) {
            channel = null;
            direct = null;
        }
    }
}
