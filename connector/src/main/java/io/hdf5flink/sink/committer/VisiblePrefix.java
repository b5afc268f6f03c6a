package io.hdf5flink.sink.committer;

import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;

/**
 * The rows of a growing dataset that readers may see: the longest prefix along axis 0 whose
 * chunks are all stored, each holding final data up to the prefix's end. The committer keeps one
 * per dataset declared {@code growing}, feeds it every chunk a commit stores, and publishes
 * {@link #rows()} as the dataset's first extent, so a chunk committed beyond a hole (another
 * writer is still behind) stays invisible until the rows before it are in.
 *
 * <p>What it tracks: for every band of chunks (the chunks that share one range of rows) at or
 * beyond the prefix's end, how many leading rows of each chunk position are final: a chunk's
 * whole height when a writer completed it, fewer when it was handed over at the end of the
 * input, none ({@code -1}) when no chunk is stored there yet. Below the prefix nothing is kept.
 * The band the prefix ends in may be only partly visible: its chunks keep their level until a
 * writer stores them anew, so a band that an earlier run left partly filled is not shown as
 * whole just because its old chunks are still stored. Chunks stored before this state existed,
 * or by runs it does not know (an abandoned run's chunks beyond the prefix), are never counted:
 * only chunks the committer stored through {@link #stored} move the prefix.
 */
@Internal
final class VisiblePrefix {
    private final long chunkRows;
    private long rows;
    /** Band index to the final rows of each chunk position in it (-1: none stored). */
    private final TreeMap<Long, long[]> bands;

    private VisiblePrefix(long chunkRows, long rows, TreeMap<Long, long[]> bands) {
        this.chunkRows = chunkRows;
        this.rows = rows;
        this.bands = bands;
    }

    /**
     * The state of a dataset of {@code shape} in chunks of {@code chunks} that shows
     * {@code shape[0]} rows and nothing is known beyond: in a partly visible last band, every
     * chunk position holds final rows up to there.
     */
    static VisiblePrefix showing(long[] shape, long[] chunks) {
        long rows = shape[0];
        long chunkRows = chunks[0];
        int positions = positions(shape, chunks);
        TreeMap<Long, long[]> bands = new TreeMap<>();
        long inBand = rows % chunkRows;
        if (inBand != 0) {
            long[] levels = new long[positions];
            Arrays.fill(levels, inBand);
            bands.put(rows / chunkRows, levels);
        }
        return new VisiblePrefix(chunkRows, rows, bands);
    }

    /** The chunks in one band of rows: the chunk grid's extent over the trailing axes. */
    private static int positions(long[] shape, long[] chunks) {
        long n = 1;
        for (int d = 1; d < shape.length; d++) n = Math.multiplyExact(n, Math.max(1, (shape[d] + chunks[d] - 1) / chunks[d]));
        return Math.toIntExact(n);
    }

    /** The rows readers may see. */
    long rows() { return rows; }

    /**
     * Records a chunk stored at {@code origin} in a dataset of {@code shape} in chunks of
     * {@code chunks}, holding final data in the rows before {@code finalRowsEnd} (the extent its
     * writer had filled: a chunk it completed ends before that, one it handed over at the end of
     * its input may end after), and moves the prefix as far as the bands now allow.
     */
    void stored(long[] origin, long[] shape, long[] chunks, long finalRowsEnd) {
        if (chunks[0] != chunkRows || origin[0] % chunkRows != 0) {
            throw new IllegalArgumentException("a chunk at " + Arrays.toString(origin) + " is not on a grid of "
                    + chunkRows + " rows");
        }
        int positions = positions(shape, chunks);
        int position = 0;
        for (int d = 1; d < shape.length; d++) {
            position = Math.toIntExact(position * ((shape[d] + chunks[d] - 1) / chunks[d]) + origin[d] / chunks[d]);
        }
        long finalRows = finalRowsEnd - origin[0];
        long band = origin[0] / chunkRows;
        if ((band + 1) * chunkRows <= rows) return; // wholly visible already: rewriting it changes nothing shown
        long[] levels = bands.get(band);
        if (levels == null || levels.length < positions) {
            long[] grown = new long[Math.max(positions, position + 1)];
            Arrays.fill(grown, -1);
            if (levels != null) System.arraycopy(levels, 0, grown, 0, levels.length);
            levels = grown;
            bands.put(band, levels);
        }
        levels[position] = Math.max(0, Math.min(chunkRows, finalRows));
        advance();
    }

    private void advance() {
        while (true) {
            long band = rows / chunkRows;
            long[] levels = bands.get(band);
            if (levels == null) return;
            long least = chunkRows;
            for (long l : levels) least = Math.min(least, l);
            if (least < 0) return;
            rows = Math.max(rows, band * chunkRows + least);
            if (least < chunkRows) return;
            bands.remove(band);
        }
    }

    /**
     * Whether nothing beyond what is shown is known: the state {@link #showing} gives for the
     * same rows, so that it need not be kept.
     */
    boolean isSettled() {
        return bands.isEmpty() || (bands.size() == 1 && bands.firstKey() == rows / chunkRows
                && Arrays.stream(bands.firstEntry().getValue()).allMatch(l -> l == rows % chunkRows));
    }

    void write(StateWriter out) throws IOException {
        out.writeLong(chunkRows);
        out.writeLong(rows);
        out.writeInt(bands.size());
        for (Map.Entry<Long, long[]> e : bands.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().length);
            for (long level : e.getValue()) out.writeLong(level);
        }
    }

    static VisiblePrefix read(StateReader in) throws IOException {
        long chunkRows = in.readLong();
        long rows = in.readLong();
        if (chunkRows <= 0 || rows < 0) throw in.corrupt("visible prefix of " + rows + " rows in chunks of " + chunkRows);
        TreeMap<Long, long[]> bands = new TreeMap<>();
        int n = in.count("bands", StateReader.MAX_COUNT);
        for (int i = 0; i < n; i++) {
            long band = in.readLong();
            bands.put(band, in.readLongs(in.count("chunk positions", StateReader.MAX_COUNT)));
        }
        return new VisiblePrefix(chunkRows, rows, bands);
    }

    /** A copy, to keep the state before a commit while the commit changes this one. */
    VisiblePrefix copy() {
        TreeMap<Long, long[]> b = new TreeMap<>();
        bands.forEach((k, v) -> b.put(k, v.clone()));
        return new VisiblePrefix(chunkRows, rows, b);
    }

    @Override
    public String toString() {
        return rows + " rows visible, " + bands.size() + " bands pending";
    }
}
