package io.hdf5flink.sink.committer;

import io.hdf5flink.sink.RolledFiles;
import org.apache.flink.annotation.Internal;

/**
 * Which committer subtask commits a file: one per file, so files commit in parallel. The data
 * files of one rolled recording go round-robin from a subtask chosen by the master's name, so
 * consecutive files of a recording commit on different subtasks; other files go by their name. A
 * committable that names no file goes by its writer's id.
 */
@Internal
public final class FileOwnership {
    private FileOwnership() {}

    /** The subtask, of {@code parallelism}, that commits {@code file} (also used for a writer's clean-up, by its id). */
    public static int committerOf(String file, int parallelism) {
        String master = RolledFiles.masterOf(file);
        long spread = master == null ? 0 : RolledFiles.indexOf(file);
        int base = mix((master == null ? file : master).hashCode());
        return (int) Math.floorMod(base + spread, (long) parallelism);
    }

    /** A fixed scramble of a name's hash, so similar names do not land on the same subtask. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h & Integer.MAX_VALUE;
    }
}
