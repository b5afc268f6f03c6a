package io.hdf5flink.source.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.state.StateSamples;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoint formats of splits and of the enumerator's pending splits. */
class ArraySplitSerializerTest {
    static final ArraySplit MAPPED = StateSamples.MAPPED;
    static final ArraySplit MEMBER = StateSamples.MEMBER;

    @Test
    void splitsRoundTrip() throws IOException {
        for (ArraySplit split : List.of(MAPPED, MEMBER, MEMBER.withNextRow(1000))) {
            ArraySplitSerializer s = ArraySplitSerializer.INSTANCE;
            assertEquals(split, s.deserialize(s.getVersion(), s.serialize(split)));
        }
    }

    @Test
    void pendingSplitsRoundTrip() throws IOException {
        PendingSplitsSerializer s = PendingSplitsSerializer.INSTANCE;
        for (List<ArraySplit> splits : List.of(List.<ArraySplit>of(), List.of(MAPPED, MEMBER))) {
            assertEquals(new PendingSplits(splits), s.deserialize(s.getVersion(), s.serialize(new PendingSplits(splits))));
        }
    }

    @Test
    void refusesUnknownVersionsAndCorruptBytes() throws IOException {
        ArraySplitSerializer s = ArraySplitSerializer.INSTANCE;
        byte[] bytes = s.serialize(MEMBER);
        assertThrows(IOException.class, () -> s.deserialize(3, bytes));
        assertThrows(IOException.class, () -> s.deserialize(2, Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IOException.class, () -> s.deserialize(2, Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] badEnum = s.serialize(MEMBER);
        // The compression name "GZIP" follows the magic number, the split id and path.
        int at = indexOf(badEnum, "GZIP".getBytes());
        badEnum[at] = 'X';
        IOException e = assertThrows(IOException.class, () -> s.deserialize(2, badEnum));
        assertTrue(e.getMessage().contains("unknown StreamCompression XZIP"), e.getMessage());

        PendingSplitsSerializer p = PendingSplitsSerializer.INSTANCE;
        byte[] pending = p.serialize(new PendingSplits(List.of(MAPPED)));
        pending[11] = 100; // the split count, after the magic number and the split version
        assertThrows(IOException.class, () -> p.deserialize(2, pending));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) return i;
        }
        throw new AssertionError("not found");
    }
}
