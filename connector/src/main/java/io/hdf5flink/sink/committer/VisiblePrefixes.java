package io.hdf5flink.sink.committer;

import io.hdf5flink.hdf5.ReplacedFile;
import io.hdf5flink.sink.staging.StagingFiles;
import io.hdf5flink.state.StateFormat;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The {@link VisiblePrefix} of each growing dataset of one output file, kept beside the sink's
 * staging files so that a restored committer still knows which chunks beyond each prefix it
 * stored before the failure (their committables are gone once committed). Each dataset's entry
 * holds two states, each with the commit token it goes with: the state before the commit being
 * made and the state after it. The committer replaces the record (whole, by an atomic rename)
 * before it publishes a commit; on reload the state in force is the one whose token the dataset
 * holds, so a crash on either side of the publish reads right. A dataset whose token matches
 * neither (no record, or one of another run) starts from the rows it shows, knowing nothing
 * beyond: nothing false is ever shown, at worst rows stay hidden until written again.
 */
@Internal
final class VisiblePrefixes {
    private static final StateFormat FORMAT = new StateFormat("visible prefixes", 0x48355650 /* "H5VP" */, 1, 0);

    private record Entry(byte[] tokenBefore, VisiblePrefix before, byte[] tokenAfter, VisiblePrefix after) {}

    private final Path path;
    private final boolean fsync;
    private final Map<String, Entry> entries;

    private VisiblePrefixes(Path path, boolean fsync, Map<String, Entry> entries) {
        this.path = path;
        this.fsync = fsync;
        this.entries = entries;
    }

    /**
     * The record at {@code path}; empty when there is none, or when {@code fresh} (a committer
     * that restored nothing: a record left there belongs to an earlier run of the sink).
     */
    static VisiblePrefixes load(Path path, boolean fsync, boolean fresh) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        if (!fresh) {
            try {
                StateReader in = FORMAT.open(FORMAT.version(), Files.readAllBytes(path));
                int version = in.readInt();
                if (version != FORMAT.version()) throw in.corrupt("version " + version + " of the record " + path);
                int n = in.count("datasets", StateReader.MAX_COUNT);
                for (int i = 0; i < n; i++) {
                    String dataset = in.readUTF();
                    byte[] tokenBefore = optionalBytes(in);
                    VisiblePrefix before = VisiblePrefix.read(in);
                    byte[] tokenAfter = optionalBytes(in);
                    entries.put(dataset, new Entry(tokenBefore, before, tokenAfter, VisiblePrefix.read(in)));
                }
                in.expectEnd();
            } catch (NoSuchFileException none) {
                // nothing recorded yet
            }
        }
        return new VisiblePrefixes(path, fsync, entries);
    }

    /**
     * The state in force for {@code dataset}, which holds {@code committedToken}, or null when the
     * record does not know it.
     */
    VisiblePrefix inForce(String dataset, byte[] committedToken) {
        Entry e = entries.get(dataset);
        if (e == null) return null;
        if (Arrays.equals(committedToken, e.tokenAfter())) return e.after().copy();
        if (Arrays.equals(committedToken, e.tokenBefore())) return e.before().copy();
        return null;
    }

    /** Records the states before and after the commit about to be published for {@code dataset}. */
    void put(String dataset, byte[] tokenBefore, VisiblePrefix before, byte[] tokenAfter, VisiblePrefix after) {
        entries.put(dataset, new Entry(tokenBefore, before.copy(), tokenAfter, after.copy()));
    }

    /** Writes the record, replacing the one on disk. */
    void store() throws IOException {
        ReplacedFile.replace(path, FORMAT.write(out -> {
            out.writeInt(FORMAT.version());
            out.writeInt(entries.size());
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                out.writeUTF(e.getKey());
                writeOptionalBytes(out, e.getValue().tokenBefore());
                e.getValue().before().write(out);
                writeOptionalBytes(out, e.getValue().tokenAfter());
                e.getValue().after().write(out);
            }
        }), fsync);
    }

    /**
     * Deletes the record when every dataset's state after its last commit is settled (what a
     * committer without the record would start from), as at the end of a job.
     */
    void deleteIfSettled() throws IOException {
        if (entries.values().stream().allMatch(e -> e.after().isSettled())) Files.deleteIfExists(path);
    }

    /**
     * Deletes the records in {@code stagingDirectory} whose datasets are all settled: they say
     * nothing a committer would not assume without them, whichever run left them. Each is read and
     * deleted on a turn on its file, so a record another committer subtask replaces meanwhile is
     * not lost. One that cannot be read is left for the committer that loads it to report.
     */
    static void deleteSettled(Path stagingDirectory, CommitTurns turns) throws IOException {
        if (!Files.isDirectory(stagingDirectory)) return;
        List<Path> records = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(stagingDirectory, "*" + StagingFiles.PREFIXES)) {
            for (Path record : found) records.add(record);
        }
        for (Path record : records) {
            turns.take(StagingFiles.outputFileOf(record.getFileName().toString(), StagingFiles.PREFIXES), current -> {
                try {
                    load(record, false, false).deleteIfSettled();
                } catch (IOException unreadable) {
                    // left for the committer that loads it
                }
                return CommitTurns.Outcome.UNCHANGED;
            });
        }
    }

    private static void writeOptionalBytes(StateWriter out, byte[] b) throws IOException {
        out.writeBoolean(b != null);
        if (b != null) out.writeBytes(b);
    }

    private static byte[] optionalBytes(StateReader in) throws IOException {
        return in.readBoolean() ? in.readBytes("commit token", 1024) : null;
    }
}
