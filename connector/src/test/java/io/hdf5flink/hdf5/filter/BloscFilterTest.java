package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BloscFilterTest {

    /** The tests every filter must pass, for one setting; Blosc declines chunks that do not shrink, as the plugin does. */
    abstract static class Setting extends FixedFilterTest {
        Setting(int typeSize, int level, int shuffle, int compressor) {
            super(new BloscFilter(typeSize, level, shuffle, compressor), 1);
        }

        @Override
        boolean mayDecline() {
            return true;
        }
    }

    /** hdf5plugin's default: LZ4, level 5, byte shuffle; 2-byte elements, so blocks are split. */
    @Nested
    class Lz4Shuffle extends Setting {
        Lz4Shuffle() {
            super(2, 5, BloscFilter.SHUFFLE, BloscFilter.LZ4);
        }
    }

    /** zstd, bit shuffle, 8-byte elements (blocks not split). */
    @Nested
    class ZstdBitshuffle extends Setting {
        ZstdBitshuffle() {
            super(8, 3, BloscFilter.BITSHUFFLE, BloscFilter.ZSTD);
        }
    }

    /** zlib without shuffle, 4-byte elements. */
    @Nested
    class ZlibNoShuffle extends Setting {
        ZlibNoShuffle() {
            super(4, 9, BloscFilter.NOSHUFFLE, BloscFilter.ZLIB);
        }
    }

    /** Snappy, byte shuffle, level 1 (blocks of 16 KiB). */
    @Nested
    class SnappyShuffle extends Setting {
        SnappyShuffle() {
            super(2, 1, BloscFilter.SHUFFLE, BloscFilter.SNAPPY);
        }
    }

    private static ByteBuffer header(byte[] frame) {
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void writesTheBlosc1HeaderAndBlockStarts() throws IOException {
        byte[] data = TestData.sineInt16(300_000, 1, 1); // 600 kB of int16
        byte[] frame = new BloscFilter(2, 5, BloscFilter.SHUFFLE, BloscFilter.LZ4).encode(data, data.length);
        ByteBuffer h = header(frame);
        assertEquals(2, h.get(0)); // Blosc 1 frame format
        assertEquals(1, h.get(1)); // LZ4's format version
        assertEquals(0x01 | 1 << 5, h.get(2) & 0xFF, "byte shuffle, split, LZ4");
        assertEquals(2, h.get(3));
        assertEquals(600_000, h.getInt(4));
        // Level 5: 4 x 32 KiB per stream, times 2 streams: libblosc's block of 256 KiB.
        assertEquals(256 * 1024, h.getInt(8));
        assertEquals(frame.length, h.getInt(12));
        assertEquals(16 + 3 * 4, h.getInt(16), "the first block starts after the three block starts");
        assertArrayEquals(data, new BloscFilter(1, 0, 0, 0).decode(frame, frame.length, data.length));
    }

    @Test
    void zstdBlocksAreNotSplitAndTwiceAsLarge() throws IOException {
        byte[] data = TestData.sineInt16(300_000, 1, 1);
        byte[] frame = new BloscFilter(2, 5, BloscFilter.BITSHUFFLE, BloscFilter.ZSTD).encode(data, data.length);
        ByteBuffer h = header(frame);
        assertEquals(0x04 | 0x10 | 4 << 5, h.get(2) & 0xFF, "bit shuffle, not split, zstd");
        assertEquals(256 * 1024, h.getInt(8));
    }

    @Test
    void declinesWhatBloscWouldStorePlain() throws IOException {
        BloscFilter filter = new BloscFilter(4, 5, BloscFilter.SHUFFLE, BloscFilter.LZ4);
        assertNull(filter.encode(TestData.random(100_000, 3), 100_000), "incompressible");
        assertNull(filter.encode(new byte[127], 127), "under 128 bytes");
        assertNull(new BloscFilter(4, 0, BloscFilter.SHUFFLE, BloscFilter.LZ4).encode(new byte[4096], 4096), "level 0");
    }

    @Test
    void decodesPlainFrames() throws IOException {
        byte[] data = TestData.random(100, 4);
        ByteBuffer frame = ByteBuffer.allocate(116).order(ByteOrder.LITTLE_ENDIAN);
        frame.put((byte) 2).put((byte) 1).put((byte) 0x03).put((byte) 4).putInt(100).putInt(100).putInt(116).put(data);
        assertArrayEquals(data, new BloscFilter(4, 5, 1, 1).decode(frame.array(), 116, 100));
    }

    @Test
    void writesLz4FramesForDatasetsThatNameBloscLzOrLz4hc() throws IOException {
        byte[] data = TestData.sineInt16(50_000, 2, 5);
        for (int compressor : new int[] {BloscFilter.BLOSCLZ, BloscFilter.LZ4HC}) {
            byte[] frame = new BloscFilter(2, 5, BloscFilter.SHUFFLE, compressor).encode(data, data.length);
            assertEquals(1, (frame[2] & 0xFF) >>> 5, "LZ4's format");
        }
    }

    @Test
    void decodesBloscLzStreams() throws IOException {
        // Hand-made: literals "abc", a match of 7 from 1 back (a run), literals "xy", a match of 4
        // from 9 back, and a closing literal, as Blosc's encoder ends its streams.
        byte[] stream = {2, 'a', 'b', 'c', (byte) (5 << 5), 0, 1, 'x', 'y', (byte) (2 << 5), 8, 0, 'z'};
        byte[] out = new byte[17];
        assertEquals(17, BloscLz.decompress(stream, 0, stream.length, out, 0, 17));
        assertEquals("abc" + "c".repeat(7) + "xy" + "cccc" + "z",
                new String(out, java.nio.charset.StandardCharsets.US_ASCII));
        byte[] before = {0, 'a', (byte) (1 << 5), 5, 0, 'b'};
        assertThrows(IOException.class, () -> BloscLz.decompress(before, 0, before.length, new byte[20], 0, 20),
                "a match reaching before the start");
    }

    @Test
    void bitShuffleLeavesBlocksOfElementCountsNotAMultipleOf8AsTheyAre() throws IOException {
        byte[] data = new byte[3 * 1001];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i / 300);
        BloscFilter filter = new BloscFilter(3, 5, BloscFilter.BITSHUFFLE, BloscFilter.ZSTD);
        byte[] frame = filter.encode(data, data.length);
        assertArrayEquals(data, filter.decode(frame, frame.length, data.length));
        byte[] plain = new BloscFilter(3, 5, BloscFilter.NOSHUFFLE, BloscFilter.ZSTD).encode(data, data.length);
        assertArrayEquals(Arrays.copyOfRange(plain, 16, plain.length), Arrays.copyOfRange(frame, 16, frame.length),
                "one block of 1001 elements: bit shuffle copies it, so the streams are those of no shuffle");
    }

    @Test
    void corruptFramesNameTheFilter() throws IOException {
        byte[] data = TestData.sineInt16(100_000, 1, 6);
        byte[] frame = new BloscFilter(2, 5, BloscFilter.SHUFFLE, BloscFilter.ZSTD).encode(data, data.length);
        BloscFilter filter = new BloscFilter(2, 5, BloscFilter.SHUFFLE, BloscFilter.ZSTD);
        byte[] version = frame.clone();
        version[0] = 3;
        assertEquals("Blosc frame has format version 3, not 2: corrupt chunk",
                assertThrows(IOException.class, () -> filter.decode(version, version.length, data.length)).getMessage());
        byte[] block = frame.clone();
        block[header(frame).getInt(16) + 4 + 6] ^= 0x55;
        assertTrue(assertThrows(IOException.class, () -> filter.decode(block, block.length, data.length)).getMessage()
                .startsWith("Blosc frame block 0: zstd block"));
        byte[] snappyless = Arrays.copyOf(frame, frame.length);
        snappyless[2] = (byte) (snappyless[2] & 0x1F | 6 << 5);
        assertEquals("Blosc frame names compressor format 6, which Blosc 1 does not have: corrupt chunk",
                assertThrows(IOException.class, () -> filter.decode(snappyless, snappyless.length, data.length)).getMessage());
    }
}
