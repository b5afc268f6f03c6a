package io.hdf5flink.source.input;

import io.hdf5flink.hdf5.DataType;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * One input array as probed when the source was built: where its bytes are, whether they lie
 * verbatim in the file (so they can be memory-mapped), where its first element starts, and its
 * element type and byte order. Part of every split, so it travels inside the source and is
 * written into checkpoints by the split serializer.
 *
 * @param location where the bytes are
 * @param mapped whether the elements lie uncompressed in {@code location.path()} itself
 * @param dataOffset the first element's position: in the file when mapped, otherwise in the
 *     decoded stream of the file or member
 * @param type the element type
 * @param bigEndian whether the elements are stored big-endian (they are emitted little-endian)
 */
@Internal
public record ArrayInput(Location location, boolean mapped, long dataOffset, DataType type, boolean bigEndian)
        implements Serializable {

    public ArrayInput {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(type, "type");
        if (dataOffset < 0) throw new IllegalArgumentException("negative data offset " + dataOffset);
        if (mapped && (location.compression() != StreamCompression.NONE || location.memberCompression() != StreamCompression.NONE)) {
            throw new IllegalArgumentException(location + ": compressed bytes cannot be memory-mapped");
        }
    }

    /**
     * Whether any row can be read without reading the rows before it: memory-mapped inputs and
     * HDF5 datasets. Such inputs are cut into several splits; the others are read from their start.
     */
    public boolean seekable() {
        return mapped || location.archive() == Archive.HDF5;
    }

    @Override
    public String toString() {
        return location.toString();
    }
}
