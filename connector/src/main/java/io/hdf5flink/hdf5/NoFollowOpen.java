package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens a file that a sink shares between its writers and committer without following a symbolic
 * link in its last name ({@code O_NOFOLLOW}). The sink refuses outputs that are links when it
 * checks them; a link swapped in for the file afterwards, before an open, would otherwise redirect
 * chunks and commits to its target. Links in the directories above are not covered: Java has no
 * {@code openat}.
 */
final class NoFollowOpen {
    private NoFollowOpen() {}

    /** {@link FileChannel#open} with {@link LinkOption#NOFOLLOW_LINKS}; a link found there is refused by name. */
    static FileChannel channel(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(Arrays.asList(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(file, all);
        } catch (IOException e) { // the JDK reports the refused link as a plain IOException (ELOOP)
            if (Files.isSymbolicLink(file)) {
                throw new IOException(file + " is a symbolic link now: the sink writes only to the file it checked, never"
                        + " through a link (was the file replaced by a link while the job ran?)", e);
            }
            throw e;
        }
    }
}
