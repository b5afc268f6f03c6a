package io.hdf5flink.hdf5;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the Linux kernel reports of this process's open files ({@code /proc/self/fd} and {@code
 * fdinfo}): how tests see whether a writer bypasses the page cache, rather than asking the
 * writer's own bookkeeping.
 */
public final class OpenDescriptors {
    /** {@code O_DIRECT} as {@code fdinfo} prints flags (octal): its value differs between architectures. */
    public static final int O_DIRECT = System.getProperty("os.arch").contains("aarch64") ? 0200000 : 040000;

    private OpenDescriptors() {}

    /** The flags of every descriptor this process holds open on {@code file}. */
    public static List<Integer> flags(Path file) throws IOException {
        List<Integer> flags = new ArrayList<>();
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (!target.equals(real)) continue;
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                    if (line.startsWith("flags:")) flags.add(Integer.parseInt(line.substring(6).trim(), 8));
                }
            }
        }
        return flags;
    }

    /** Whether any descriptor this process holds open on {@code file} bypasses the page cache. */
    public static boolean anyDirect(Path file) throws IOException {
        return flags(file).stream().anyMatch(f -> (f & O_DIRECT) != 0);
    }
}
