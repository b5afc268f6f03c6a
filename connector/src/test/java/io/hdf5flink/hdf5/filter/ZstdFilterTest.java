package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ZstdFilterTest extends AbstractFilterTest {

    private final ZstdFilter filter = new ZstdFilter();

    @Override
    Filter filter() {
        return filter;
    }

    @Test
    void framesRecordTheirContentSize() throws IOException {
        for (int length : new int[] {0, 1, 1000, 300_000}) {
            byte[] data = TestData.sineInt16(length / 2, 1, length);
            byte[] encoded = filter.encode(data, data.length);
            assertEquals(data.length, ZstdDecompressor.getDecompressedSize(encoded, 0, encoded.length));
        }
    }
}
