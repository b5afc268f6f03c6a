package io.hdf5flink.hdf5.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For tests that kill JVMs with SIGKILL: such a JVM leaves behind what it would have deleted at
 * exit, in {@code java.io.tmpdir}: native libraries its codecs extracted (GKL's 0.7 MB
 * {@code libgkl_compression*.so}, snappy's, libdeflate's), Flink's 24 MB {@code flink-rpc-akka*.jar}
 * and its {@code io.tmp.dirs} (which default to {@code java.io.tmpdir}). A clean-clone CI run left
 * about 1.2 GB in {@code /tmp} that way. Children given {@link #tmpdirIn} leave it in the test's
 * own temporary directory, which JUnit deletes.
 */
public final class KilledProcesses {
    private KilledProcesses() {}

    /** The JVM option {@code -Djava.io.tmpdir=<dir>/tmp}, the directory created. */
    public static String tmpdirIn(Path dir) {
        try {
            return "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory in " + dir, e);
        }
    }
}
