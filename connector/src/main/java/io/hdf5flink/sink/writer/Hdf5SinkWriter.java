package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.SpaceLedger;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.BlockArrays;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The sink's writer subtask. It cuts incoming blocks into chunks ({@link DatasetAssembler}, one
 * per dataset of the {@link DatasetCatalog}), filters every complete chunk exactly once on a
 * bounded pool of threads ({@link ChunkFiltering}), and appends the filtered chunks to its
 * output file, or to a staging file, for the current epoch ({@link EpochChunks}).
 *
 * <p>Lifecycle per checkpoint: {@link #flush} waits for the chunks being filtered;
 * {@link #prepareCommit} ends the epoch's writing and returns one committable naming its
 * chunks, the shape each dataset may now show, and the spill files its state references;
 * {@link #snapshotState} then records the open chunks, append cursors and the next epoch, one
 * element per routing bucket ({@link BucketedState}). At end of input every open chunk is
 * completed with the fill value and goes into the final committable, as does every declared
 * dataset no block reached, so that it is created empty.
 *
 * <p>Memory: open chunks are held in memory up to the buffer budget; beyond it the least recently
 * touched ones are spilled ({@link ChunkResidency}), so memory stays bounded whatever the order
 * of the input. Chunks being filtered are bounded separately, by twice the number of filtering
 * threads.
 */
@Internal
public final class Hdf5SinkWriter implements StatefulSinkWriter<ArrayBlock, Hdf5WriterState>,
        CommittingSinkWriter<ArrayBlock, Hdf5Committable> {
    private final SinkConfig config;
    private final int parallelism;
    private final BucketedState buckets;
    private final WriterIdentity identity;
    private final DatasetCatalog catalog;
    private final ChunkResidency residency;
    private final EpochChunks staged;
    private final ChunkFiltering filtering;
    private final WriterMetrics metrics;
    private boolean endOfInput;

    public Hdf5SinkWriter(SinkConfig config, WriterInitContext context, Collection<Hdf5WriterState> restored) {
        this.config = config;
        this.parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.buckets = new BucketedState(subtask, parallelism, config.chunkAlignedInput());
        List<Hdf5WriterState> states = BucketedState.inBucketOrder(restored);
        this.identity = new WriterIdentity(context, subtask, states);
        this.catalog = new DatasetCatalog(config);
        this.residency = new ChunkResidency(catalog, config.stagingDirectory(), config.bufferBudgetBytes(), identity.id());
        long epoch = 0;
        for (Hdf5WriterState s : states) {
            epoch = Math.max(epoch, s.nextEpoch());
            for (Hdf5WriterState.DatasetState d : s.datasets()) residency.admitted(catalog.restore(d));
        }
        buckets.checkRestoredStateIsRoutedHere(catalog.assemblers());
        this.staged = config.stageChunks()
                ? new StagedEpoch(config.stagingDirectory(), identity.id(), epoch, config.fsyncOnCommit())
                : new InPlaceEpoch(config, identity.id(), epoch);
        this.filtering = new ChunkFiltering(config.compressionThreads(), parallelism, catalog::pipelineOf, this::stage);
        this.metrics = new WriterMetrics(context.metricGroup(), () -> residency.bytesInMemory() + filtering.inFlightBytes());
        identity.markUnreferencedUnlessNamed(config.stagingDirectory());
        try {
            freeSpaceOfLostEpochs();
            metrics.chunksSpilled(residency.takeOverForeignSpills(identity, staged.number()));
        } catch (IOException e) {
            try {
                close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("restoring the Hdf5Sink's spilled chunks failed", e);
        }
    }

    /**
     * Frees what this writer, the writers whose state it took over, and writers that earlier
     * attempts restored from the same checkpoint added in its buckets wrote in epochs no checkpoint
     * will ever commit ({@link WriterIdentity#lostEpochs}): their space in output files, which the
     * next claims reuse, and the staging files of writers whose every epoch is lost.
     */
    private void freeSpaceOfLostEpochs() throws IOException {
        Map<String, Long> lostFrom = identity.lostEpochs();
        for (SpaceLedger ledger : StagingFiles.spaceLedgers(config.stagingDirectory(), config.fsyncOnCommit())) {
            ledger.release(lostFrom);
        }
        StagingFiles.deleteFilesOfWriters(config.stagingDirectory(), identity.abandonedNames());
    }

    @Override
    public void write(ArrayBlock block, Context context) throws IOException, InterruptedException {
        block.validate();
        DatasetAssembler a = catalog.assemblerFor(block);
        a.check(block);
        if (block.isAppend() && config.chunkAlignedInput() && parallelism > 1) {
            throw new IllegalArgumentException(a.where() + ": appended blocks need the sink's routing, which chunkAlignedInput()"
                    + " turns off; give blocks explicit offsets or run the sink at parallelism 1");
        }
        int openBefore = a.openChunkCount();
        List<DatasetAssembler.Complete> done = a.add(block, residency.nextTouch(), residency::readSpilled);
        residency.admitted((long) (a.openChunkCount() + done.size() - openBefore) * a.chunkBytes());
        metrics.blockIn(block);
        BlockArrays.giveBack(block.data()); // copied into chunks; a no-op unless a recycling source lent it
        for (DatasetAssembler.Complete c : done) submit(c);
        filtering.handOnFinished();
        metrics.chunksSpilled(residency.spillIfOverBudget(staged.number()));
    }

    private void submit(DatasetAssembler.Complete c) throws IOException {
        residency.handedOver(c);
        filtering.submit(c);
    }

    /** Runs on the writer thread, in submission order. */
    private void stage(DatasetAssembler.Complete c, EncodedChunk chunk) throws IOException {
        staged.place(c, chunk);
        metrics.chunkStaged(c.raw().length, chunk.length());
        // Written: nothing refers to the raw or the filtered bytes any more.
        c.dataset().recycle(c.raw());
        filtering.written(chunk);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        if (endOfInput && !this.endOfInput) {
            this.endOfInput = true;
            catalog.registerDeclaredWithoutBlocks(buckets::isHomeOfEmpty);
            for (DatasetAssembler a : catalog.assemblers()) {
                for (DatasetAssembler.Complete c : a.completeAll(residency::readSpilled)) submit(c);
            }
        }
        filtering.flush();
    }

    @Override
    public Collection<Hdf5Committable> prepareCommit() throws IOException {
        filtering.flush();
        String stagingFile = staged.endWriting(endOfInput);
        residency.copyForCheckpoint(staged.number());
        residency.closeSpillFile(config.fsyncOnCommit());
        Hdf5Committable committable = new Hdf5Committable(identity.id(), staged.number(), identity.adoptedWriterIds(),
                stagingFile, staged.inPlace(), staged.parts(catalog.assemblers(), endOfInput), residency.liveSpillFiles());
        identity.namedByCommittable();
        staged.advance();
        return List.of(committable);
    }

    /**
     * One element per bucket this writer owns, in bucket order (see {@link Hdf5WriterState}); with
     * {@code chunkAlignedInput} there is no routing, and everything goes in the first one.
     */
    @Override
    public List<Hdf5WriterState> snapshotState(long checkpointId) {
        return buckets.snapshot(catalog.assemblers(), identity, staged.number());
    }

    @Override
    public void close() throws Exception {
        filtering.close();
        staged.close();
        residency.close();
        identity.close();
    }
}
