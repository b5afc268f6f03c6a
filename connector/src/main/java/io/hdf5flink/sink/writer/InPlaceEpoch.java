package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.AlignedBuffer;
import io.hdf5flink.hdf5.Hdf5Exception;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.SegmentWriter;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.sink.SinkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chunks written once, in place: each filtered chunk goes straight into its output file, into a
 * segment this writer claimed for the epoch from the file's space ledger
 * ({@link io.hdf5flink.hdf5.SpaceLedger}, in the staging directory), and the committable names its
 * address there. The committer then only enters the chunks in the index and publishes the shapes;
 * until it does, no reader sees them. A writer creates an output file that does not exist yet (an
 * empty, valid HDF5 file), since the committer has not opened it before the first commit.
 *
 * <p>Segments of an epoch that never commits are freed when the writer is restored to an earlier
 * epoch (or found dead), and reused by the next claims; see {@code Hdf5SinkWriter}.
 */
final class InPlaceEpoch extends EpochChunks {
    /**
     * The most space claimed at a time per output file (or two chunks' worth). Small, because a
     * claim is cheap (one ledger update) and space claimed but unused at a checkpoint can become a
     * hole in the file when a commit's metadata lands after it.
     */
    static final long SEGMENT_BYTES = 8L << 20;

    private final SinkConfig config;
    private final String writerId;
    /** One segment writer per dataset and file, by file index (a rolled dataset writes into one data file after another). */
    private final Map<DatasetAssembler, TreeMap<Integer, SegmentWriter>> segments = new IdentityHashMap<>();
    /** The off-heap memory for the direct writes of all this writer's segment writers: one chunk, at most 8 MiB. */
    private final AlignedBuffer directWriteBuffer = new AlignedBuffer();
    /** The segment writers used in the current epoch: those of data files rolled past are retired at its end if unused. */
    private final Set<SegmentWriter> usedThisEpoch = Collections.newSetFromMap(new IdentityHashMap<>());

    InPlaceEpoch(SinkConfig config, String writerId, long epoch) {
        super(epoch);
        this.config = config;
        this.writerId = writerId;
    }

    @Override
    long write(DatasetAssembler dataset, int fileIndex, EncodedChunk chunk) throws IOException {
        // One segment writer per dataset and file: its chunks are of one size (before compression),
        // so a segment sized in whole chunks fills up without a tail too short for the next one.
        TreeMap<Integer, SegmentWriter> ofDataset = segments.computeIfAbsent(dataset, k -> new TreeMap<>());
        SegmentWriter w = ofDataset.get(fileIndex);
        if (w == null) {
            Path file = config.resolveFile(dataset.fileAt(fileIndex)); // relative to the base directory
            createIfMissing(file);
            w = new SegmentWriter(config.spaceLedger(file), writerId, SEGMENT_BYTES, config.directIo() ? directWriteBuffer : null);
            ofDataset.put(fileIndex, w);
        }
        // A rolled dataset moved on to a later data file: the space claimed in the earlier ones goes
        // back now, for the writers still filling them (else it stays a hole there, up to a segment each).
        for (SegmentWriter earlier : ofDataset.headMap(fileIndex).values()) earlier.giveBackRest();
        usedThisEpoch.add(w);
        return w.write(number(), chunk.data(), chunk.length());
    }

    private void createIfMissing(Path file) throws IOException {
        if (Files.exists(file)) return;
        Files.createDirectories(file.getParent());
        try {
            // Closed before it has its name: the committer may open the file at any moment, and a
            // file locked under its name would fail that commit ("open for writing by another writer").
            Hdf5File.createClosed(file, config.fileOptions());
        } catch (Hdf5Exception e) {
            if (!Files.exists(file)) throw e; // else another writer created it first
        }
    }

    @Override
    String endWriting(boolean last) throws IOException {
        for (TreeMap<Integer, SegmentWriter> ofDataset : segments.values()) {
            int latest = ofDataset.lastKey();
            for (Iterator<Map.Entry<Integer, SegmentWriter>> i = ofDataset.entrySet().iterator(); i.hasNext();) {
                Map.Entry<Integer, SegmentWriter> e = i.next();
                SegmentWriter w = e.getValue();
                // The writer of a data file the dataset rolled past, idle for a whole epoch, gives
                // its segment's rest back and closes its file: a long recording keeps few files open.
                boolean retire = e.getKey() < latest && !usedThisEpoch.contains(w);
                w.endEpoch(config.fsyncOnCommit(), last || retire);
                if (retire) {
                    w.close();
                    i.remove();
                }
            }
        }
        usedThisEpoch.clear();
        return null;
    }

    @Override
    boolean inPlace() {
        return true;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TreeMap<Integer, SegmentWriter> ofDataset : segments.values()) {
            for (SegmentWriter w : ofDataset.values()) {
                try {
                    w.close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
        }
        segments.clear();
        if (first != null) throw first;
    }
}
