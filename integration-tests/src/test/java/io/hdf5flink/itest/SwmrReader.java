package io.hdf5flink.itest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The h5py reader in SWMR mode that watches a {@code --format latest} output while a job writes
 * it ({@code swmr_reader.py} beside this class: its usage is in its first lines).
 */
public final class SwmrReader {
    private SwmrReader() {}

    /** The reader's Python source, to be written to a file and run with the reference interpreter. */
    public static String script() {
        try (InputStream in = SwmrReader.class.getResourceAsStream("swmr_reader.py")) {
            if (in == null) throw new IllegalStateException("swmr_reader.py is missing beside " + SwmrReader.class.getName());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
