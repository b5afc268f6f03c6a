package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link DatasetSpec#filledChunk} and the fill it shares with reads: every element the fill value. */
class FilledChunkTest {
    @Test
    void everyElementOfAChunkIsTheFillValueWhateverTheElementSizeAndCount() {
        for (DataType type : new DataType[] {DataType.INT8, DataType.INT16, DataType.INT32, DataType.FLOAT64}) {
            for (long rows : new long[] {1, 2, 3, 7, 64, 1000, 16384}) {
                DatasetSpec spec = DatasetSpec.builder(type, rows, 3).chunks(rows, 3).fillValue(-7).build();
                byte[] chunk = spec.filledChunk();
                byte[] element = spec.fillValue();
                assertEquals(rows * 3 * type.size(), chunk.length);
                for (int i = 0; i < chunk.length; i += element.length) {
                    assertArrayEquals(element, Arrays.copyOfRange(chunk, i, i + element.length), type + ", " + rows + " rows, byte " + i);
                }
            }
        }
    }

    @Test
    void aSingleElementAndNothingAreFilledToo() {
        byte[] one = new byte[8];
        StoredChunks.fill(one, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, one);
        StoredChunks.fill(new byte[0], new byte[] {1, 2});
    }
}
