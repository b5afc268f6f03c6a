package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens a file that a sink shares between its writers and committer without following a symbolic
 * link on the way: the sink refuses outputs reached through links when it checks them, and a link
 * swapped in afterwards, before an open, would otherwise redirect chunks and commits to its
 * target. Given the directory the sink confines its files to, every name below it is opened
 * relative to the directory above it ({@code openat} with {@code O_NOFOLLOW}, through Java's
 * {@link SecureDirectoryStream}), so a directory replaced by a link between the check and the
 * open is refused as well as the file. Without that directory, or where the platform has no
 * {@code SecureDirectoryStream}, only the file's own name is opened without following a link.
 */
final class NoFollowOpen {
    private NoFollowOpen() {}

    /**
     * Opens {@code file}, which lies below {@code root}, following no link below {@code root}
     * ({@code root} itself is opened as it is named); with {@code root} null, following no link in
     * the file's own name only.
     *
     * @throws IOException naming the link, when a name on the way is one
     */
    static FileChannel channel(Path root, Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new HashSet<>(Arrays.asList(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        if (root == null) return lastNameOnly(file, all);
        Path base = root.toAbsolutePath().normalize();
        Path target = file.toAbsolutePath().normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new IllegalArgumentException(file + " does not lie below " + root);
        }
        Path relative = base.relativize(target);
        Deque<DirectoryStream<Path>> open = new ArrayDeque<>();
        try {
            DirectoryStream<Path> top = Files.newDirectoryStream(base);
            open.push(top);
            if (!(top instanceof SecureDirectoryStream<Path> dir)) return lastNameOnly(file, all);
            for (int i = 0; i < relative.getNameCount() - 1; i++) {
                Path name = relative.getName(i);
                try {
                    dir = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                } catch (FileSystemException e) {
                    throw refused(file, base.resolve(relative.subpath(0, i + 1)), e);
                }
                open.push(dir);
            }
            try {
                return (FileChannel) dir.newByteChannel(relative.getFileName(), all);
            } catch (FileSystemException e) {
                throw refused(file, file, e);
            }
        } finally {
            while (!open.isEmpty()) open.pop().close();
        }
    }

    private static FileChannel lastNameOnly(Path file, Set<OpenOption> options) throws IOException {
        try {
            return FileChannel.open(file, options);
        } catch (IOException e) { // the JDK reports the refused link as a plain IOException (ELOOP)
            throw refused(file, file, e);
        }
    }

    /** {@code e}, or when {@code name} is a symbolic link now, the refusal that says so. */
    private static IOException refused(Path file, Path name, IOException e) {
        if (!Files.isSymbolicLink(name)) return e;
        String what = name.equals(file) ? file.toString() : file + ": its directory " + name;
        return new IOException(what + " is a symbolic link now: the sink writes only to the file it checked, never"
                + " through a link (was it replaced by a link while the job ran?)", e);
    }
}
