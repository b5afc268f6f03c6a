package io.hdf5flink.hdf5.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A tmpfs of a few bytes mounted on a test's directory, so that a real disk-full error happens
 * where the test wants it. Needs root (as the suite has in CI); elsewhere the test is skipped.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path mountPoint;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code size} (mount's notation: {@code 256k}, {@code 4m}) on {@code directory}, created if missing. */
    public static SmallDisk mount(Path directory, String size) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", directory.toString())
                .redirectErrorStream(true).start();
        String said = new String(mount.getInputStream().readAllBytes());
        Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs (needs root): " + said.strip());
        return new SmallDisk(directory);
    }

    public Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", mountPoint.toString()).start().waitFor();
    }
}
