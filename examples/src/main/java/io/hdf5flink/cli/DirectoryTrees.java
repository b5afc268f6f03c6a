package io.hdf5flink.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes checkpoint and scratch directories that Flink may still be writing to or pruning. */
public final class DirectoryTrees {
    private DirectoryTrees() {}

    /** Deletes {@code root} and everything in it (nothing when it does not exist). */
    public static void delete(Path root) throws IOException {
        // Flink may still be discarding old checkpoints in the background: tolerate files that vanish
        // and retry when new ones appear.
        for (int attempt = 0; ; attempt++) {
            try {
                deleteTree(root);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                if (attempt >= 20) throw e;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof java.nio.file.NoSuchFileException) return FileVisitResult.CONTINUE;
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof java.nio.file.NoSuchFileException)) throw exc;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
