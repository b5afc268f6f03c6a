package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
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
    void shufflesAndUnshufflesAtOffsetsInsideLargerArrays() {
        // Blosc shuffles one block of a chunk into a scratch array and unshuffles it back into
        // the middle of the chunk: the int16 loop and the others must honour both offsets.
        for (int size : new int[] {2, 3, 4, 8}) {
            for (int count : new int[] {7, 8, 9, 64, 1001}) {
                int length = count * size + 1;
                byte[] source = TestData.random(length + 13, count * 7L + size);
                byte[] shuffled = new byte[length + 5];
                ShuffleFilter.shuffle(source, 13, length, size, shuffled, 5);
                for (int i = 0; i < count; i++) {
                    for (int b = 0; b < size; b++) {
                        assertEquals(source[13 + i * size + b], shuffled[5 + b * count + i],
                                "size " + size + ", count " + count + ", element " + i + ", byte " + b);
                    }
                }
                assertEquals(source[13 + length - 1], shuffled[5 + length - 1], "the trailing byte");
                byte[] back = new byte[length + 11];
                ShuffleFilter.unshuffle(shuffled, 5, length, size, back, 11);
                assertArrayEquals(Arrays.copyOfRange(source, 13, 13 + length),
                        Arrays.copyOfRange(back, 11, 11 + length), "size " + size + ", count " + count);
            }
        }
    }

    @Test
    void refusesNonPositiveElementSize() {
        assertThrows(IllegalArgumentException.class, () -> new ShuffleFilter(0));
    }
}
