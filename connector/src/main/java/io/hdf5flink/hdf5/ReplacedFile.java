package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A small record file replaced whole: the new bytes go to a sibling ({@code <name>.next}) and are
 * renamed over the old, so a reader, or a process restarting after a crash, finds either the old
 * record or the new one, never a mix.
 */
public final class ReplacedFile {
    private ReplacedFile() {}

    /** Replaces {@code file} with {@code bytes}, forced to disk before the rename when {@code fsync}. */
    public static void replace(Path file, byte[] bytes, boolean fsync) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".next");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            if (fsync) ch.force(false);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
