package io.hdf5flink.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.sink.Hdf5CommittableSerializer;
import io.hdf5flink.sink.writer.Hdf5WriterStateSerializer;
import java.io.IOException;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;

/** The checkpoint serializers' fuzz findings. */
class CheckpointStateRegressionTest {

    /**
     * Found by the fuzzer: a stored dataset spec whose attribute has a datatype the engine can
     * decode but not write (here a 3-byte integer) was accepted, and writing the state back at
     * the next checkpoint (or the attribute into a file) failed with a NullPointerException.
     */
    @Test
    void refusesStoredAttributesWithUnwritableDatatypes() throws IOException {
        // The int64 attribute "channels" of the seeds' specs: class 0 signed, 8 bytes, offset 0, precision 64.
        byte[] int64 = {0x10, 0x08, 0, 0, 8, 0, 0, 0, 0, 0, 64, 0};
        byte[] int24 = {0x10, 0x08, 0, 0, 3, 0, 0, 0, 0, 0, 24, 0};
        check(new Hdf5CommittableSerializer(), new Hdf5CommittableSerializer().serialize(CheckpointStateFuzzTest.committable()),
                int64, int24);
        check(new Hdf5WriterStateSerializer(), new Hdf5WriterStateSerializer().serialize(CheckpointStateFuzzTest.writerState()),
                int64, int24);
    }

    private static <T> void check(SimpleVersionedSerializer<T> serializer, byte[] valid, byte[] from, byte[] to) {
        byte[] bad = valid.clone();
        int at = indexOf(bad, from);
        System.arraycopy(to, 0, bad, at, to.length);
        IOException e = assertThrows(IOException.class, () -> serializer.deserialize(serializer.getVersion(), bad));
        assertTrue(e.getMessage().contains("attribute 'channels' has an unwritable datatype"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("pattern not found in " + List.of(haystack.length));
    }
}
