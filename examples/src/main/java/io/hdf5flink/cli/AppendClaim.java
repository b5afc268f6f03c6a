package io.hdf5flink.cli;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The mark a {@code convert --append} puts in the dataset before its job starts and takes away in
 * the commit that records its input: an attribute whose name carries the run's checkpoint
 * directory. While it is there the run may still resume and write its rows after the row it
 * planned from, so another {@code --append} (with another checkpoint directory, which that run's
 * lock does not see) is refused instead of writing rows the resumed run would overwrite. A mark
 * whose checkpoint directory no longer holds a plan is stale (that run was given up) and is
 * removed.
 */
final class AppendClaim {
    static final String PREFIX = "_hdf5flink_appending_";

    private AppendClaim() {}

    /** The attribute marking an append whose checkpoints are in {@code checkpoints}. */
    static String attributeName(Path checkpoints) {
        return PREFIX + HexFormat.of().formatHex(checkpoints.toAbsolutePath().normalize().toString()
                .getBytes(StandardCharsets.UTF_8));
    }

    private static Path checkpointsOf(String attributeName) {
        return Path.of(new String(HexFormat.of().parseHex(attributeName.substring(PREFIX.length())), StandardCharsets.UTF_8));
    }

    /**
     * Marks the dataset as appended to by this run, under the writer's lock of the file: refused
     * when another append's mark is live.
     */
    static void take(Path output, String dataset, Path checkpoints, long baseRows) {
        String ours = attributeName(checkpoints);
        try (Hdf5File f = Hdf5File.openForAppend(output)) {
            Hdf5Dataset d = f.dataset(dataset);
            for (String a : d.attributeNames()) {
                if (!a.startsWith(PREFIX) || a.equals(ours)) continue;
                Path other = checkpointsOf(a);
                if (Files.exists(other.resolve(CheckpointDirectory.PLAN_FILE))) {
                    throw new UsageException(output + ":" + dataset + " is being appended to by another convert, interrupted"
                            + " or still running, with its checkpoints in " + other + ": run that command again to finish"
                            + " it (or delete " + other + " to give it up), then append");
                }
                d.removeAttribute(a);
            }
            if (!d.attributeNames().contains(ours)) {
                d.setAttribute(ours, AttributeValue.of("convert --append after row " + baseRows + ", checkpoints in "
                        + checkpoints.toAbsolutePath().normalize() + " (removed when it completes)"));
            }
            f.commit();
        }
    }

    /** Takes the mark away, in the commit that records the appended input. */
    static void release(Hdf5Dataset dataset, Path checkpoints) {
        dataset.removeAttribute(attributeName(checkpoints));
    }
}
