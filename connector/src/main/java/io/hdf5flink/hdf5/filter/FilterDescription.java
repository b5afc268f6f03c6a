package io.hdf5flink.hdf5.filter;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a dataset's filter pipeline as recorded in the file: the filter's identification
 * value, its name (a comment only; may be empty), its flags and its client data values.
 *
 * <p>The factories produce the entries libhdf5 and h5py record for the filters they know, so a
 * file written with them describes its pipeline the way a file h5py wrote would; the ids, names
 * and level ranges come from {@link KnownFilter}.
 *
 * @param id the filter identification value (1 deflate, 2 shuffle, ...), 0 to 65535
 * @param name the filter's name as stored, without the terminating null; may be empty
 * @param flags the filter flags; bit 0 ({@link #FLAG_OPTIONAL}) marks an optional filter
 * @param clientData the client data values, each an unsigned 32-bit number held in an int
 */
public record FilterDescription(int id, String name, int flags, int[] clientData) {

    /** Flag bit 0: the filter is optional; a chunk it cannot encode is stored without it. */
    public static final int FLAG_OPTIONAL = 0x0001;

    /** h5py's LZF filter revision, client data value 0 after its set_local callback. */
    static final int LZF_FILTER_REVISION = 4;
    /** The liblzf version h5py embeds (1.5, written 0x0105), client data value 1. */
    static final int LZF_LIBRARY_VERSION = 0x0105;

    /**
     * Validates the fields and takes a defensive copy of the client data.
     *
     * @throws IllegalArgumentException when the id or flags do not fit their 16-bit fields
     */
    public FilterDescription {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("filter id " + id + " does not fit 16 bits");
        }
        if (flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("filter flags " + flags + " do not fit 16 bits");
        }
        Objects.requireNonNull(name, "name");
        clientData = clientData == null ? new int[0] : clientData.clone();
    }

    /** The client data values (a copy; the record stays immutable). */
    @Override
    public int[] clientData() {
        return clientData.clone();
    }

    /** The number of client data values. */
    public int clientDataCount() {
        return clientData.length;
    }

    /** Client data value {@code index}, without copying the whole array. */
    public int clientData(int index) {
        return clientData[index];
    }

    /** Whether flag bit 0 marks this filter optional. */
    public boolean optional() {
        return (flags & FLAG_OPTIONAL) != 0;
    }

    /**
     * The deflate (zlib) filter as {@code H5Pset_deflate} records it: optional, client data
     * {@code [level]}.
     *
     * @param level the zlib compression level, 1 (fastest) to 9 (smallest)
     */
    public static FilterDescription deflate(int level) {
        return KnownFilter.DEFLATE.entry(KnownFilter.DEFLATE.requireLevel(level));
    }

    /**
     * The shuffle filter as {@code H5Pset_shuffle} records it once the dataset exists:
     * optional, client data {@code [elementSize]}.
     *
     * @param elementSize the size of one dataset element in bytes
     */
    public static FilterDescription shuffle(int elementSize) {
        if (elementSize < 1) {
            throw new IllegalArgumentException("shuffle element size must be positive, got " + elementSize);
        }
        return KnownFilter.SHUFFLE.entry(elementSize);
    }

    /**
     * The Fletcher-32 checksum filter as {@code H5Pset_fletcher32} records it: mandatory (a
     * checksum that could be skipped would protect nothing), no client data.
     */
    public static FilterDescription fletcher32() {
        return KnownFilter.FLETCHER32.entry();
    }

    /**
     * h5py's LZF filter as h5py records it: name "lzf", optional, client data
     * {@code [4, 261, chunkBytes]} (filter revision, liblzf version 1.5, chunk size in bytes),
     * the values its set_local callback stores.
     *
     * @param chunkBytes the size of one uncompressed chunk in bytes
     */
    public static FilterDescription lzf(int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("LZF chunk size must be positive, got " + chunkBytes);
        }
        return KnownFilter.LZF.entry(LZF_FILTER_REVISION, LZF_LIBRARY_VERSION, chunkBytes);
    }

    /**
     * The registered LZ4 filter as h5py with hdf5plugin records it: optional, client data
     * {@code [blockSize]}.
     *
     * @param blockSize bytes per LZ4 block; 0 lets the plugin use its default of 1 GiB
     */
    public static FilterDescription lz4(int blockSize) {
        if (blockSize < 0) {
            throw new IllegalArgumentException("LZ4 block size must not be negative, got " + blockSize);
        }
        return KnownFilter.LZ4.entry(blockSize);
    }

    /**
     * The registered bzip2 filter as h5py with hdf5plugin records it: optional, client data
     * {@code [blockSize]}.
     *
     * @param blockSize the bzip2 block size in units of 100 kB, 1 to 9
     */
    public static FilterDescription bzip2(int blockSize) {
        return KnownFilter.BZIP2.entry(KnownFilter.BZIP2.requireLevel(blockSize));
    }

    /**
     * The registered Zstandard filter as h5py with hdf5plugin records it: optional, client data
     * {@code [level]}.
     *
     * @param level the compression level, 1 to 22
     */
    public static FilterDescription zstd(int level) {
        return KnownFilter.ZSTD.entry(KnownFilter.ZSTD.requireLevel(level));
    }

    /** Equal when id, name, flags and the client data values are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FilterDescription other
                && id == other.id
                && flags == other.flags
                && name.equals(other.name)
                && Arrays.equals(clientData, other.clientData);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, flags, Arrays.hashCode(clientData));
    }

    @Override
    public String toString() {
        return "FilterDescription[id=" + id + ", name=" + name + ", flags=" + flags
                + ", clientData=" + Arrays.toString(clientData) + "]";
    }
}
