package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShuffleFilterTest extends AbstractFilterTest {

    private final ShuffleFilter filter = new ShuffleFilter(4);

    @Override
    Filter filter() {
        return filter;
    }

    @Override
    boolean detectsTruncation() {
        return false; // any length is a valid shuffled chunk
    }

    @Test
    void groupsBytesByPositionAndKeepsTrailingBytes() throws IOException {
        // Three 4-byte elements and two trailing bytes.
        byte[] data = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24, 99, 98};
        byte[] expected = {1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24, 99, 98};
        assertArrayEquals(expected, filter.encode(data, data.length));
        assertArrayEquals(data, filter.decode(expected, expected.length, data.length));
    }

    @Test
    void leavesSingleElementAndByteElementsAlone() throws IOException {
        byte[] one = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(one, filter.encode(one, one.length));
        assertArrayEquals(one, new ShuffleFilter(1).encode(one, one.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 8, 16, 17})
    void roundTripsEveryElementSize(int size) throws IOException {
        ShuffleFilter s = new ShuffleFilter(size);
        for (int length : new int[] {0, 1, size, size + 1, 10 * size + 3, 100_000}) {
            byte[] data = TestData.random(length, length * 31L + size);
            byte[] shuffled = s.encode(data, length);
            assertArrayEquals(data, s.decode(shuffled, shuffled.length, length));
        }
    }

    @Test
    void matchesTheDefinitionForEveryElementSize() throws IOException {
        for (int size = 2; size <= 9; size++) {
            byte[] data = TestData.random(10 * size + size - 1, size);
            int n = data.length / size;
            byte[] expected = data.clone();
            for (int i = 0; i < n; i++) {
                for (int b = 0; b < size; b++) {
                    expected[b * n + i] = data[i * size + b];
                }
            }
            assertArrayEquals(expected, new ShuffleFilter(size).encode(data, data.length), "size " + size);
        }
    }

    @Test
    void refusesNonPositiveElementSize() {
        assertThrows(IllegalArgumentException.class, () -> new ShuffleFilter(0));
    }
}
