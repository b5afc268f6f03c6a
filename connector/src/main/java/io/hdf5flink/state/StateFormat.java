package io.hdf5flink.state;

import java.io.IOException;
import org.apache.flink.annotation.Internal;

/**
 * A top-level checkpoint format, as a {@link org.apache.flink.core.io.SimpleVersionedSerializer}
 * writes it: its versions since magic numbers start with one, so that bytes of another format
 * (or garbage) are refused by name instead of misread; the oldest version it still reads, from
 * before magic numbers, starts with its first field.
 *
 * @param name what the format holds, as errors name it
 * @param magic the first four bytes of every version after {@code versionWithoutMagic}
 * @param version the version written
 * @param versionWithoutMagic the oldest version still read, the only one without magic number
 */
@Internal
public record StateFormat(String name, int magic, int version, int versionWithoutMagic) {

    /** The bytes of a value of the current version, as {@code body} writes its fields. */
    public byte[] write(StateWriter.Body body) throws IOException {
        return StateWriter.toBytes(out -> {
            out.writeMagic(magic);
            body.write(out);
        });
    }

    /**
     * A reader of {@code serialized}, past the magic number in the versions after
     * {@code versionWithoutMagic} (every one up to the current version is read).
     */
    public StateReader open(int version, byte[] serialized) throws IOException {
        if (version > this.version || version < versionWithoutMagic) {
            throw new IOException("unknown " + name + " version " + version);
        }
        StateReader in = StateReader.of(serialized, name);
        if (version > versionWithoutMagic) in.expectMagic(magic);
        return in;
    }

    /** Whether {@code version} is the one written (else it is the older one). */
    public boolean isCurrent(int version) {
        return version == this.version;
    }
}
