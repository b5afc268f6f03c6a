package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BitshuffleFilterTest {

    /** LZ4 inside, 4-byte elements, the default block size: DECTRIS's and areaDetector's choice. */
    @Nested
    class Lz4 extends FixedFilterTest {
        Lz4() {
            super(new BitshuffleFilter(4, 0, BitshuffleFilter.LZ4, 0), 4);
        }
    }

    /** zstd inside, 2-byte elements, blocks of 64 elements (many blocks, a short last one). */
    @Nested
    class Zstd extends FixedFilterTest {
        Zstd() {
            super(new BitshuffleFilter(2, 64, BitshuffleFilter.ZSTD, 5), 2);
        }
    }

    /** No compression: the transposed blocks alone, as long as the chunk. */
    @Nested
    class Uncompressed extends FixedFilterTest {
        Uncompressed() {
            super(new BitshuffleFilter(8, 0, BitshuffleFilter.NONE, 0), 8);
        }

        @Override
        boolean detectsTruncation() {
            return false;
        }
    }

    @Test
    void framesBlocksAsThePluginDoes() throws IOException {
        // 1003 elements of 4 bytes, blocks of 256: three whole blocks, one of 232 (235 rounded
        // down to a multiple of 8), then 3 elements copied as they are.
        byte[] data = TestData.signal("<i4", 1003, 1);
        byte[] encoded = new BitshuffleFilter(4, 256, BitshuffleFilter.LZ4, 0).encode(data, data.length);
        ByteBuffer b = ByteBuffer.wrap(encoded); // big-endian
        assertEquals(4012L, b.getLong());
        assertEquals(256 * 4, b.getInt());
        int blocks = 0;
        while (b.remaining() > 12) {
            int stored = b.getInt();
            b.position(b.position() + stored);
            blocks++;
        }
        assertEquals(4, blocks);
        assertEquals(12, b.remaining());
        assertArrayEquals(Arrays.copyOfRange(data, 1000 * 4, 1003 * 4), Arrays.copyOfRange(encoded, b.position(), b.limit()));
        // The header's block size is what a reader uses, whatever the client data says.
        assertArrayEquals(data, new BitshuffleFilter(4, 0, BitshuffleFilter.LZ4, 0).decode(encoded, encoded.length, 4012));
    }

    @Test
    void defaultBlockSizeIsEightKilobytesOfElementsAtLeast128() {
        assertEquals(8192, BitshuffleFilter.defaultBlockSize(1));
        assertEquals(2048, BitshuffleFilter.defaultBlockSize(4));
        assertEquals(680, BitshuffleFilter.defaultBlockSize(12));
        assertEquals(128, BitshuffleFilter.defaultBlockSize(100));
    }

    @Test
    void aHeaderBlockSizeOfZeroMeansTheDefault() throws IOException {
        byte[] data = TestData.signal("<i2", 10_000, 2);
        byte[] encoded = new BitshuffleFilter(2, 0, BitshuffleFilter.LZ4, 0).encode(data, data.length);
        assertEquals(4096 * 2, ByteBuffer.wrap(encoded).getInt(8));
        ByteBuffer.wrap(encoded).putInt(8, 0);
        assertArrayEquals(data, new BitshuffleFilter(2, 0, BitshuffleFilter.LZ4, 0).decode(encoded, encoded.length, 20_000));
    }

    @Test
    void chunksOfFewerThanEightElementsAreCopied() throws IOException {
        byte[] data = TestData.signal("<f8", 7, 3);
        byte[] encoded = new BitshuffleFilter(8, 0, BitshuffleFilter.ZSTD, 3).encode(data, data.length);
        assertEquals(12 + 56, encoded.length);
        assertArrayEquals(data, Arrays.copyOfRange(encoded, 12, encoded.length));
    }

    @Test
    void refusesPartialElementsAndCorruptHeaders() {
        BitshuffleFilter filter = new BitshuffleFilter(4, 0, BitshuffleFilter.LZ4, 0);
        assertTrue(assertThrows(IOException.class, () -> filter.encode(new byte[10], 10)).getMessage()
                .contains("bitshuffle needs whole elements"));
        byte[] oddSize = ByteBuffer.allocate(16).putLong(6).putInt(1024).array();
        assertTrue(assertThrows(IOException.class, () -> filter.decode(oddSize, 16, 1 << 20)).getMessage()
                .startsWith("bitshuffle chunk claims 6 decoded bytes"));
        byte[] oddBlock = ByteBuffer.allocate(16).putLong(64).putInt(12).array();
        assertTrue(assertThrows(IOException.class, () -> filter.decode(oddBlock, 16, 1 << 20)).getMessage()
                .contains("not a multiple of 8"));
    }

    @Test
    void corruptBlocksNameTheFilterAndTheBlock() throws IOException {
        byte[] data = TestData.signal("<i4", 5000, 4);
        byte[] encoded = new BitshuffleFilter(4, 0, BitshuffleFilter.ZSTD, 3).encode(data, data.length);
        byte[] bad = encoded.clone();
        int second = 12 + 4 + ByteBuffer.wrap(encoded).getInt(12);
        bad[second + 4 + 5] ^= 0x55; // inside the second block's zstd frame header
        IOException e = assertThrows(IOException.class, () -> new BitshuffleFilter(4, 0, BitshuffleFilter.ZSTD, 3)
                .decode(bad, bad.length, data.length));
        assertTrue(e.getMessage().startsWith("bitshuffle block at element 2048: zstd block"), e.getMessage());
    }
}
