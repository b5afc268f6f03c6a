package io.hdf5flink.source.input;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.flink.annotation.Internal;

/**
 * Opens the decoded bytes of a {@link Location} as a stream from their start: the file or archive
 * member with every compression undone. Used both when probing inputs on the client and by
 * readers of inputs that cannot be memory-mapped.
 */
@Internal
public final class InputOpener {
    private static final int BUFFER = 1 << 16;

    private InputOpener() {}

    /**
     * @return the decoded stream; closing it closes the file
     * @throws IOException when the file cannot be read or the member is missing
     */
    public static InputStream open(Location location) throws IOException {
        switch (location.archive()) {
            case NONE:
                return decodedFile(location);
            case ZIP:
                return zipMember(location);
            case TAR:
                return tarMember(location);
            case HDF5:
                throw new IOException(location + ": an HDF5 dataset is read by random access, not as a stream");
            default:
                throw new AssertionError(location.archive());
        }
    }

    /** The whole file, decoded. */
    public static InputStream decodedFile(Location location) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(Path.of(location.path())), BUFFER);
        try {
            return location.compression().decode(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static InputStream zipMember(Location location) throws IOException {
        ZipFile zip = ZipFile.builder().setPath(location.path()).get();
        try {
            ZipArchiveEntry entry = zip.getEntry(location.member());
            if (entry == null) throw new IOException("the archive has no member " + location.member());
            return closing(location.memberCompression().decode(
                    new BufferedInputStream(zip.getInputStream(entry), BUFFER)), zip);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static InputStream tarMember(Location location) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(decodedFile(location));
        try {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().equals(location.member())) {
                    return location.memberCompression().decode(tar);
                }
            }
            throw new IOException("the archive has no member " + location.member());
        } catch (IOException | RuntimeException e) {
            tar.close();
            throw e;
        }
    }

    private static InputStream closing(InputStream in, Closeable also) {
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try (also) {
                    super.close();
                }
            }
        };
    }
}
