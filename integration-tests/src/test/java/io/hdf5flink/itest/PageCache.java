package io.hdf5flink.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What the kernel's page cache holds of a file, as {@code fincore} (util-linux) reports it: no guess of ours. */
public final class PageCache {
    private PageCache() {}

    /** How many bytes of {@code file} the page cache holds. */
    public static long residentBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "fincore: " + out);
        return Long.parseLong(out);
    }
}
