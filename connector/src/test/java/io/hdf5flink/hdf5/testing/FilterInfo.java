package io.hdf5flink.hdf5.testing;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stage of a dataset's filter pipeline.
 *
 * @param id the HDF5 filter identification value (1 deflate, 2 shuffle, 3 fletcher32, 32000 LZF,
 *     32004 LZ4, 307 bzip2, ...)
 * @param flags the stage's flags as stored in the pipeline message (bit 0: optional), or
 *     {@code null} when not known / not to be compared
 * @param cd the client data values, or {@code null} when not known / not to be compared
 */
public record FilterInfo(int id, Integer flags, int[] cd) {

    /** Flag value of an optional stage (one that may be skipped for a chunk). */
    public static final int OPTIONAL = 1;
    /** Flag value of a mandatory stage. */
    public static final int MANDATORY = 0;

    /** Copies {@code cd}. */
    public FilterInfo {
        cd = cd == null ? null : cd.clone();
    }

    /** Deflate (gzip) at {@code level}, optional, as h5py's {@code compression="gzip"} stores it. */
    public static FilterInfo deflate(int level) {
        return new FilterInfo(1, OPTIONAL, new int[] {level});
    }

    /** Byte shuffle, optional, with the element size libhdf5 records as its client data. */
    public static FilterInfo shuffle(int elementSize) {
        return new FilterInfo(2, OPTIONAL, new int[] {elementSize});
    }

    /** Fletcher-32 checksum, mandatory, no client data. */
    public static FilterInfo fletcher32() {
        return new FilterInfo(3, MANDATORY, new int[0]);
    }

    /** A filter given by id alone: flags and client data are not compared. */
    public static FilterInfo id(int id) {
        return new FilterInfo(id, null, null);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FilterInfo that
                && id == that.id
                && Objects.equals(flags, that.flags)
                && Arrays.equals(cd, that.cd);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, flags, Arrays.hashCode(cd));
    }

    @Override
    public String toString() {
        return "{id " + id + (flags == null ? "" : ", flags " + flags) + (cd == null ? "" : ", cd " + Arrays.toString(cd)) + "}";
    }
}
