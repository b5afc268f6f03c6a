package io.hdf5flink.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What makes an input the same input again: each file's path, size and modification time, the
 * datasets read from HDF5 files, and
 * a digest of its first and last 64 KiB (so a file rewritten in place with other data is another
 * input, without reading gigabytes). {@code convert} records the identity of what it wrote in the
 * dataset, so running an {@code --append} again, after it completed, is recognised instead of
 * appending the rows a second time.
 */
final class InputIdentity {
    /** The attribute names carrying identities start with this. */
    static final String ATTRIBUTE_PREFIX = "_hdf5flink_input_";
    private static final int SAMPLE = 64 << 10;

    private InputIdentity() {}

    /**
     * The attribute name recording {@code files} in a dataset; {@code datasets} names the HDF5
     * datasets read from them (empty for other inputs, whose names stay as they were).
     */
    static String attributeName(List<Path> files, List<String> datasets) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (String dataset : datasets) digest.update((dataset + "\n").getBytes(StandardCharsets.UTF_8));
        for (Path file : files) {
            long size = Files.size(file);
            digest.update((file.toAbsolutePath() + "\n" + size + "\n" + Files.getLastModifiedTime(file).toMillis() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                digest.update(read(channel, 0, (int) Math.min(SAMPLE, size)));
                if (size > SAMPLE) digest.update(read(channel, Math.max(SAMPLE, size - SAMPLE), (int) Math.min(SAMPLE, size - SAMPLE)));
            }
        }
        return ATTRIBUTE_PREFIX + HexFormat.of().formatHex(digest.digest(), 0, 12);
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining() && channel.read(b, position + b.position()) >= 0) {
            // fill
        }
        return b.flip();
    }
}
