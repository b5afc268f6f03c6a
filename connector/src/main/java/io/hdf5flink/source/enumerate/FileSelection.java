package io.hdf5flink.source.enumerate;

import io.hdf5flink.source.input.NaturalOrder;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.annotation.Internal;

/**
 * The files a multi-file source reads, as the user chose them: a list, the files of a directory,
 * or the files matching a glob, all in {@link NaturalOrder} (a list too: a shell expands
 * {@code ch*.npy} to ch1, ch10, ch2, which is rarely the order meant). Resolved on the client
 * when the source is built.
 */
@Internal
public interface FileSelection {

    /** The files, in output order. */
    List<Path> files() throws IOException;

    static FileSelection of(List<Path> files) {
        List<Path> ordered = files.stream().sorted(Comparator.comparing(Path::toString, NaturalOrder.INSTANCE)).toList();
        return () -> ordered;
    }

    /** The regular, non-hidden files directly in {@code directory}. */
    static FileSelection directory(Path directory) {
        return () -> {
            if (!Files.isDirectory(directory)) throw new IOException(directory + " is not a directory");
            try (Stream<Path> entries = Files.list(directory)) {
                return sorted(entries.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith(".")), "directory " + directory);
            }
        };
    }

    /**
     * The regular files matching {@code pattern}, a {@link FileSystems#getDefault() default file
     * system} glob such as {@code /data/rec/ch*.npy} or {@code /data/** /*.npy} (without the space).
     */
    static FileSelection glob(String pattern) {
        return () -> {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            // Walk only from the directory before the first wildcard, and only as deep as the
            // pattern reaches.
            int wildcard = pattern.length();
            for (char c : "*?[{".toCharArray()) {
                int at = pattern.indexOf(c);
                if (at >= 0) wildcard = Math.min(wildcard, at);
            }
            int slash = pattern.lastIndexOf('/', wildcard);
            Path base = slash < 0 ? Path.of("") : Path.of(slash == 0 ? "/" : pattern.substring(0, slash));
            String rest = pattern.substring(slash + 1);
            int depth = rest.contains("**") ? Integer.MAX_VALUE : rest.split("/").length;
            if (!Files.isDirectory(base)) throw new IOException("glob " + pattern + ": " + base + " is not a directory");
            try (Stream<Path> walk = Files.walk(base, depth)) {
                return sorted(walk.filter(Files::isRegularFile).filter(matcher::matches), "glob " + pattern);
            }
        };
    }

    private static List<Path> sorted(Stream<Path> files, String what) throws IOException {
        List<Path> list = files.sorted(Comparator.comparing(Path::toString, NaturalOrder.INSTANCE)).toList();
        if (list.isEmpty()) throw new IOException(what + " holds no input files");
        return list;
    }
}
