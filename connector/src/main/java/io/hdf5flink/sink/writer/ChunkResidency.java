package io.hdf5flink.sink.writer;

import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where open chunks' bytes live: in memory up to the buffer budget; beyond it the least recently
 * touched ones are spilled (raw) to the epoch's spill file in the staging directory and read back
 * when more data arrives for them, so memory stays bounded whatever the order of the input.
 */
final class ChunkResidency implements AutoCloseable {
    private final DatasetCatalog datasets;
    private final Path stagingDirectory;
    private final long budgetBytes;
    private final String writerId;
    private StagingFiles.AppendFile spill;
    private long bytesInMemory;
    private long touch;

    ChunkResidency(DatasetCatalog datasets, Path stagingDirectory, long budgetBytes, String writerId) {
        this.datasets = datasets;
        this.stagingDirectory = stagingDirectory;
        this.budgetBytes = budgetBytes;
        this.writerId = writerId;
    }

    /** A clock of writes, to tell which chunks were touched least recently. */
    long nextTouch() {
        return ++touch;
    }

    long bytesInMemory() {
        return bytesInMemory;
    }

    /** Chunk bytes came into memory (chunks opened or restored). */
    void admitted(long bytes) {
        bytesInMemory += bytes;
    }

    /** A complete chunk left for filtering: its bytes no longer count against the budget. */
    void handedOver(DatasetAssembler.Complete c) {
        bytesInMemory -= c.raw().length;
    }

    /** Reads back a spilled chunk; its bytes count against the budget again. */
    byte[] readSpilled(OpenChunk.SpillRef ref) throws IOException {
        byte[] raw = StagingFiles.read(stagingDirectory, ref.file(), ref.position(), ref.length());
        bytesInMemory += raw.length;
        return raw;
    }

    /**
     * Reads back the spilled chunks this writer restored from a writer it neither is nor adopted
     * (a share of a writer split by scaling up): the writer that kept that name deletes the files
     * its own state no longer references, so the chunks must leave them before the next commit.
     * They go through the buffer budget like any chunk, into this writer's own spill file.
     *
     * @return the chunks spilled to stay within the budget
     */
    int takeOverForeignSpills(WriterIdentity identity, long epoch) throws IOException {
        boolean read = false;
        for (DatasetAssembler a : datasets.assemblers()) {
            for (OpenChunk c : a.openChunks()) {
                if (c.inMemory() || identity.owns(c.spilled().file())) continue;
                c.readBack(readSpilled(c.spilled()));
                read = true;
            }
        }
        return read ? spillIfOverBudget(epoch) : 0;
    }

    /**
     * Over the budget, spills open chunks, least recently touched first, until a quarter of the
     * budget is free.
     *
     * @return the chunks spilled
     */
    int spillIfOverBudget(long epoch) throws IOException {
        if (bytesInMemory <= budgetBytes) return 0;
        List<OpenChunk> inMemory = new ArrayList<>();
        for (DatasetAssembler a : datasets.assemblers()) {
            for (OpenChunk c : a.openChunks()) if (c.inMemory()) inMemory.add(c);
        }
        inMemory.sort(Comparator.comparingLong(OpenChunk::lastTouch));
        long target = budgetBytes * 3 / 4;
        int spilled = 0;
        for (OpenChunk c : inMemory) {
            if (bytesInMemory <= target) break;
            long length = c.bytes().length;
            c.spilledTo(append(c.bytes(), epoch));
            bytesInMemory -= length;
            spilled++;
        }
        return spilled;
    }

    /**
     * Copies every in-memory open chunk that changed since its last copy to the epoch's spill
     * file, where the checkpoint taken next references it; the bytes stay in memory. A checkpoint
     * then holds references only, as Flink's FileSink keeps in-progress files: a restore reads a
     * small state and reads each chunk back when data next arrives for it. (Open chunks held in
     * the state made a restore read them one byte per call: Flink 2.3's state input stream
     * overrides only {@code read()}.)
     */
    void copyForCheckpoint(long epoch) throws IOException {
        for (DatasetAssembler a : datasets.assemblers()) {
            for (OpenChunk c : a.openChunks()) if (c.needsCheckpointCopy()) c.copiedForCheckpoint(append(c.bytes(), epoch));
        }
    }

    private OpenChunk.SpillRef append(byte[] raw, long epoch) throws IOException {
        if (spill == null) {
            spill = new StagingFiles.AppendFile(stagingDirectory.resolve(StagingFiles.name(writerId, epoch, StagingFiles.SPILL)));
        }
        return new OpenChunk.SpillRef(spill.name(), spill.append(raw, raw.length), raw.length);
    }

    /** Ends the epoch's spill file: what it holds is referenced by the state taken next. */
    void closeSpillFile(boolean fsync) throws IOException {
        if (spill == null) return;
        if (fsync) spill.sync();
        spill.close();
        spill = null;
    }

    /** The spill files the open chunks still reference, which the committer must keep. */
    List<String> liveSpillFiles() {
        List<String> files = new ArrayList<>();
        for (DatasetAssembler a : datasets.assemblers()) {
            for (OpenChunk c : a.openChunks()) {
                String file = c.stateFile();
                if (file != null && !files.contains(file)) files.add(file);
            }
        }
        return files;
    }

    @Override
    public void close() throws IOException {
        if (spill != null) spill.close();
    }
}
