package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every filter must do: round-trip any chunk, use only the bytes it is told to, refuse
 * corrupt or overlong input with an {@link IOException} (never another exception, a hang or a
 * huge allocation), and give the same output from many threads at once.
 */
abstract class AbstractFilterTest {

    /** The filter under test. */
    abstract Filter filter();

    /** Whether encode may return null (an optional filter declining incompressible input). */
    boolean mayDecline() {
        return false;
    }

    /**
     * The element size the filter is made for: chunks are whole elements, as in every HDF5 file,
     * so the test data is cut to whole elements.
     */
    int elementSize() {
        return 1;
    }

    /** {@code data} cut to whole elements. */
    final byte[] whole(byte[] data) {
        return Arrays.copyOf(data, data.length - data.length % elementSize());
    }

    /** How many corruptions of one encoded chunk {@link #corruptInputNeverEscapesAsAnotherException} decodes. */
    int corruptRounds() {
        return 1500;
    }

    /** Whether every truncation of an encoded chunk is detected (framed formats). */
    boolean detectsTruncation() {
        return true;
    }

    static List<byte[]> samples(int length) {
        byte[] zeros = new byte[length];
        return List.of(TestData.random(length, length), TestData.ramp(length),
                TestData.sineInt16(length / 2, 1, length), zeros);
    }

    /** Encodes, checks the output is exact-sized, decodes with the exact bound, compares. */
    byte[] roundTrip(byte[] data) throws IOException {
        byte[] encoded = filter().encode(data, data.length);
        if (encoded == null) {
            assertTrue(mayDecline(), "filter declined a chunk of " + data.length + " bytes");
            return null;
        }
        byte[] decoded = filter().decode(encoded, encoded.length, data.length);
        assertArrayEquals(data, decoded, "round trip of " + data.length + " bytes");
        return encoded;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 7, 8, 1000, 4097, 65535, 65536, 65537, 100_003})
    void roundTripsEverySize(int length) throws IOException {
        for (byte[] data : samples(length)) {
            roundTrip(whole(data));
        }
    }

    @Test
    void roundTripsSeveralMegabytes() throws IOException {
        byte[] data = whole(TestData.sineInt16(1_500_001, 1, 7)); // 3 MB, odd sample count
        byte[] encoded = roundTrip(data);
        byte[] odd = whole(Arrays.copyOf(data, data.length - 1 - elementSize() / 2));
        roundTrip(odd);
        if (encoded == null) {
            fail("a smooth signal must be encodable");
        }
    }

    @Test
    void usesOnlyTheGivenLength() throws IOException {
        byte[] data = TestData.sineInt16(5000, 3, 3);
        byte[] longer = Arrays.copyOf(data, data.length + 100);
        Arrays.fill(longer, data.length, longer.length, (byte) 0x5A);
        byte[] expected = filter().encode(data, data.length);
        byte[] actual = filter().encode(longer, data.length);
        assertArrayEquals(expected, actual);
        assertNotNull(expected);
        byte[] storedLonger = Arrays.copyOf(expected, expected.length + 50);
        assertArrayEquals(data, filter().decode(storedLonger, expected.length, data.length));
    }

    @Test
    void refusesOutputBeyondTheBound() throws IOException {
        byte[] data = TestData.sineInt16(5000, 2, 4);
        byte[] encoded = filter().encode(data, data.length);
        assertNotNull(encoded);
        IOException e = assertThrows(IOException.class,
                () -> filter().decode(encoded, encoded.length, data.length - 1));
        assertNotNull(e.getMessage());
        assertThrows(IOException.class, () -> filter().decode(encoded, encoded.length, 0));
    }

    @Test
    void truncatedInputIsRefusedOrShort() {
        byte[] data = TestData.sineInt16(20_000, 2, 5);
        byte[] encoded = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> filter().encode(data, data.length));
        assertNotNull(encoded);
        for (int cut : new int[] {0, 1, 3, 4, 5, 11, 12, 13, encoded.length / 3, encoded.length / 2,
                encoded.length - 5, encoded.length - 4, encoded.length - 1}) {
            if (cut < 0 || cut >= encoded.length) {
                continue;
            }
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    byte[] decoded = filter().decode(encoded, cut, data.length);
                    if (detectsTruncation() || decoded.length == data.length) {
                        // A truncated stream that still yields the whole chunk would be a bug.
                        fail("truncation to " + cut + " of " + encoded.length + " bytes was not detected");
                    }
                } catch (IOException expected) {
                    assertNotNull(expected.getMessage());
                }
            });
        }
    }

    @Test
    void corruptInputNeverEscapesAsAnotherException() {
        byte[] data = TestData.sineInt16(30_000, 4, 6);
        assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
            byte[] encoded = filter().encode(data, data.length);
            assertNotNull(encoded);
            Random r = new Random(42);
            for (int round = 0; round < corruptRounds(); round++) {
                byte[] corrupt = encoded.clone();
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    corrupt[r.nextInt(corrupt.length)] = (byte) r.nextInt(256);
                }
                decodeCorrupt(corrupt, corrupt.length, data.length);
            }
            for (int round = 0; round < 300; round++) {
                byte[] garbage = TestData.random(r.nextInt(5000), round);
                decodeCorrupt(garbage, garbage.length, data.length);
            }
        });
    }

    private void decodeCorrupt(byte[] input, int length, int bound) {
        try {
            byte[] decoded = filter().decode(input, length, bound);
            assertTrue(decoded.length <= bound, "decoded " + decoded.length + " bytes past the bound " + bound);
        } catch (IOException expected) {
            assertNotNull(expected.getMessage());
        }
    }

    @Test
    void encodesConcurrentlyLikeSequentially() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] data = whole(TestData.sineInt16(20_000 + i * 977, 2, i));
            inputs.add(data);
            expected.add(filter().encode(data, data.length));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (byte[] data : inputs) {
                    results.add(pool.submit(() -> filter().encode(data, data.length)));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(expected.get(i % inputs.size()), results.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
