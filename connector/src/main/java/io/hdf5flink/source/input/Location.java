package io.hdf5flink.source.input;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Where an input array's bytes are: a file, its compression, and, when the file is an archive,
 * the member and the member's own compression. Part of every split, so it travels inside the
 * source and is written into checkpoints by the split serializer.
 *
 * @param path the file on disk; every TaskManager must see it at this path
 * @param compression the compression of the whole file
 * @param archive the archive kind of the (decoded) file
 * @param member the archive member's name, null when {@code archive} is {@link Archive#NONE}
 * @param memberCompression the compression of the member, {@link StreamCompression#NONE} without one
 */
@Internal
public record Location(String path, StreamCompression compression, Archive archive, String member,
        StreamCompression memberCompression) implements Serializable {

    public Location {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(memberCompression, "memberCompression");
        if ((archive == Archive.NONE) != (member == null)) {
            throw new IllegalArgumentException("a member name goes with an archive, and only with one");
        }
        if (archive == Archive.HDF5 && (compression != StreamCompression.NONE || memberCompression != StreamCompression.NONE)) {
            throw new IllegalArgumentException(path + ": an HDF5 file is read in place; decompress it first");
        }
        if (archive == Archive.ZIP && compression != StreamCompression.NONE) {
            // Zip members are found through the central directory at the file's end.
            throw new IllegalArgumentException(path + ": a compressed zip file cannot be read; decompress it first");
        }
    }

    /** A plain file, possibly compressed. */
    public static Location file(String path, StreamCompression compression) {
        return new Location(path, compression, Archive.NONE, null, StreamCompression.NONE);
    }

    /** A member of an archive file. */
    public static Location member(String path, StreamCompression compression, Archive archive, String member,
            StreamCompression memberCompression) {
        return new Location(path, compression, archive, member, memberCompression);
    }

    /** An HDF5 file's dataset, {@code dataset} its absolute path in the file. */
    public static Location hdf5(String path, String dataset) {
        return new Location(path, StreamCompression.NONE, Archive.HDF5, dataset, StreamCompression.NONE);
    }

    /**
     * The name errors use: the path, and the member when there is one ({@code file.h5:/dataset}
     * for an HDF5 dataset, as {@code convert --input} takes it).
     */
    @Override
    public String toString() {
        if (archive == Archive.HDF5) return path + ":" + member;
        return member == null ? path : path + " (archive member " + member + ")";
    }
}
