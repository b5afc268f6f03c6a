package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class LzfFilterTest extends AbstractFilterTest {

    private final LzfFilter filter = new LzfFilter();

    @Override
    Filter filter() {
        return filter;
    }

    @Override
    boolean mayDecline() {
        return true;
    }

    @Override
    boolean detectsTruncation() {
        return false; // raw LZF has no length: a cut at an instruction boundary is a shorter chunk
    }

    @Test
    void storesIncompressibleChunksAsLiteralRunsAndDeclinesOnlyEmptyOnes() throws IOException {
        byte[] noise = TestData.random(100_000, 1);
        byte[] encoded = filter.encode(noise, noise.length);
        assertTrue(encoded.length <= noise.length + noise.length / 32 + 2, "one control byte per 32-byte literal run, rounded up per 64 KiB block: " + encoded.length);
        assertArrayEquals(noise, filter.decode(encoded, encoded.length, noise.length));
        assertNull(filter.encode(new byte[0], 0));
    }

    @Test
    void writesRawLzfWithoutFraming() throws IOException {
        byte[] data = TestData.ramp(1000);
        byte[] encoded = filter.encode(data, data.length);
        // compress-lzf's own framing would start with "ZV"; raw LZF starts with a literal run.
        assertTrue((encoded[0] & 0xFF) < 32, "first instruction must be a literal run");
        assertTrue(encoded.length < data.length);
    }

    @Test
    void decodesHandWrittenInstructions() throws IOException {
        // literal "abc", then copy 5 bytes from 3 back (overlapping), then literal "d".
        byte[] stream = {2, 'a', 'b', 'c', (byte) (3 << 5), 2, 0, 'd'};
        assertArrayEquals("abcabcabd".getBytes(), filter.decode(stream, stream.length, 100));
        // A long back reference: length field 7 plus an extra length byte (7 + 1 + 2 = 10 bytes).
        byte[] longRef = {0, 'x', (byte) (7 << 5), 1, 0};
        assertArrayEquals("xxxxxxxxxxx".getBytes(), filter.decode(longRef, longRef.length, 100));
    }

    @Test
    void refusesBackReferencesBeforeTheChunk() {
        byte[] stream = {0, 'a', (byte) (1 << 5), 5};
        assertThrows(IOException.class, () -> filter.decode(stream, stream.length, 100));
    }

    @Test
    void compressesAcrossCompressLzfBlockBoundaries() throws IOException {
        // Incompressible 64 KiB blocks between compressible ones exercise the literal-run path.
        byte[] data = new byte[5 * 65535 + 17];
        System.arraycopy(TestData.random(65535, 3), 0, data, 65535, 65535);
        byte[] encoded = filter.encode(data, data.length);
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }
}
