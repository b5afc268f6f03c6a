package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
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
    void referencesReachExactlyTheFormatsFarthestDistance() throws IOException {
        // A stretch repeated 8192 bytes later is referenced from there; 8193 bytes later it
        // cannot be (13 bits of offset): such a reference would decode from the wrong place.
        for (int period : new int[] {8191, 8192, 8193, 9000}) {
            byte[] data = new byte[period + 4096];
            byte[] first = TestData.random(period, period);
            // A short run every 64 bytes: a match that keeps the encoder searching every position.
            for (int i = 58; i + 6 <= period; i += 64) java.util.Arrays.fill(first, i, i + 6, (byte) 'Q');
            System.arraycopy(first, 0, data, 0, period);
            System.arraycopy(first, 0, data, period, 4096);
            byte[] encoded = filter.encode(data, data.length);
            assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length), "period " + period);
            int farthest = farthestReference(encoded);
            assertTrue(farthest <= 8192, "period " + period + ": a reference " + farthest + " bytes back");
            if (period <= 8192) assertEquals(period, farthest, "the repeat at " + period + " is referenced");
        }
    }

    /** The largest distance of any back reference in a raw LZF stream. */
    private static int farthestReference(byte[] stream) {
        int farthest = 0;
        for (int ip = 0; ip < stream.length; ) {
            int control = stream[ip++] & 0xFF;
            if (control < 32) {
                ip += control + 1;
            } else {
                if (control >>> 5 == 7) ip++;
                farthest = Math.max(farthest, ((control & 0x1F) << 8) + (stream[ip++] & 0xFF) + 1);
            }
        }
        return farthest;
    }

    @Test
    void aStreamIsNeverExactlyTheChunksSizeWhichJhdfTakesForAChunkStoredRaw() throws IOException {
        // 11 bytes of noise and 4 zeros compress to 12 literal bytes and one 3-byte reference: 15.
        byte[] data = {-12, -33, 79, -42, 125, 7, -33, 54, 27, 34, -47, 0, 0, 0, 0};
        byte[] encoded = filter.encode(data, data.length);
        assertTrue(encoded.length != data.length, "encoded " + encoded.length);
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
        assertArrayEquals(data, new io.jhdf.filter.LzfFilter().decode(encoded, new int[] {4, 0, data.length}));
    }

    @Test
    void longRunsBecomeReferencesOfTheLongestLength() throws IOException {
        byte[] zeros = new byte[1 << 20];
        byte[] encoded = filter.encode(zeros, zeros.length);
        assertArrayEquals(zeros, filter.decode(encoded, encoded.length, zeros.length));
        // 264 bytes per 3-byte reference.
        assertTrue(encoded.length < zeros.length / 264 * 3 + 64, "encoded " + encoded.length);
    }

    @Test
    void shortMatchesEndingAtEveryByteOfAnEightByteCompareRoundTrip() throws IOException {
        // Few distinct bytes give matches of every length, each ending at any byte of the
        // encoder's eight-byte compare, and chunks of every length end matches at the last bytes.
        Random random = new Random(11);
        for (int round = 0; round < 3000; round++) {
            int length = 1 + random.nextInt(round < 1500 ? 40 : 5000);
            int alphabet = 1 + random.nextInt(4);
            byte[] data = new byte[length];
            for (int i = 0; i < length; i++) data[i] = (byte) random.nextInt(alphabet);
            byte[] encoded = filter.encode(data, length);
            assertArrayEquals(data, filter.decode(encoded, encoded.length, length), "round " + round);
            assertArrayEquals(data, new io.jhdf.filter.LzfFilter().decode(encoded, new int[] {4, 0, length}),
                    "round " + round + " through jhdf");
        }
    }

    @Test
    void compressesAcrossCompressLzfBlockBoundaries() throws IOException {
        // Incompressible 64 KiB blocks between compressible ones exercise the literal-run path
        // and the skipping over input without matches.
        byte[] data = new byte[5 * 65535 + 17];
        System.arraycopy(TestData.random(65535, 3), 0, data, 65535, 65535);
        byte[] encoded = filter.encode(data, data.length);
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }
}
