package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeflateFilterTest extends AbstractFilterTest {

    private final DeflateFilter filter = new DeflateFilter(4);

    @Override
    Filter filter() {
        return filter;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 9})
    void everyLevelWritesAZlibStreamThatDecodes(int level) throws IOException {
        byte[] data = TestData.sineInt16(10_000, 4, level);
        byte[] encoded = new DeflateFilter(level).encode(data, data.length);
        // RFC 1950 header: CM 8 (deflate), header checksum divisible by 31.
        assertEquals(8, encoded[0] & 0x0F);
        assertEquals(0, ((encoded[0] & 0xFF) << 8 | (encoded[1] & 0xFF)) % 31);
        assertArrayEquals(data, new DeflateFilter(9).decode(encoded, encoded.length, data.length));
    }

    @Test
    void decodesStreamsOfOtherZlibWriters() throws IOException {
        byte[] data = TestData.sineInt16(10_000, 2, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_SPEED), 512)) {
            z.write(data);
        }
        byte[] stream = out.toByteArray();
        assertArrayEquals(data, filter.decode(stream, stream.length, data.length));
    }

    @Test
    void neverDeclinesIncompressibleChunks() throws IOException {
        byte[] data = TestData.random(10_000, 9);
        byte[] encoded = filter.encode(data, data.length);
        assertTrue(encoded.length > data.length);
        assertTrue(encoded.length <= DeflateFilter.maxEncodedLength(data.length));
    }

    @Test
    void refusesLevelsOutsideZlibRange() {
        assertThrows(IllegalArgumentException.class, () -> new DeflateFilter(10));
        assertThrows(IllegalArgumentException.class, () -> new DeflateFilter(-1));
    }
}
