package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Lz4FilterTest extends AbstractFilterTest {

    private final Lz4Filter filter = new Lz4Filter(0);

    @Override
    Filter filter() {
        return filter;
    }

    @Test
    void compressesWithTheNativeLibraryOnLinuxX8664() {
        // lz4-java bundles its JNI library for this platform, the one CI runs on; elsewhere the
        // pure-Java fallback is allowed (and logged).
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertTrue(Lz4Compression.isNative());
        }
    }

    @Test
    void framesBlocksAsThePluginDoes() throws IOException {
        byte[] data = TestData.sineInt16(5000, 1, 1); // 10000 bytes
        byte[] encoded = new Lz4Filter(4096).encode(data, data.length);
        ByteBuffer b = ByteBuffer.wrap(encoded); // big-endian
        assertEquals(10_000L, b.getLong());
        assertEquals(4096, b.getInt());
        int blocks = 0;
        while (b.hasRemaining()) {
            int stored = b.getInt();
            b.position(b.position() + stored);
            blocks++;
        }
        assertEquals(3, blocks);
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }

    @Test
    void clampsTheRecordedBlockSizeToTheChunk() throws IOException {
        byte[] data = TestData.ramp(1000);
        byte[] encoded = filter.encode(data, data.length);
        assertEquals(1000, ByteBuffer.wrap(encoded).getInt(8));
    }

    @Test
    void storesIncompressibleBlocksPlain() throws IOException {
        byte[] data = TestData.random(3000, 5);
        byte[] encoded = new Lz4Filter(1000).encode(data, data.length);
        assertEquals(12 + 3 * (4 + 1000), encoded.length);
        ByteBuffer b = ByteBuffer.wrap(encoded);
        assertEquals(1000, b.getInt(12));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 1000),
                java.util.Arrays.copyOfRange(encoded, 16, 1016));
        assertArrayEquals(data, filter.decode(encoded, encoded.length, data.length));
    }

    @Test
    void refusesAChunkClaimingMoreThanTheBound() {
        byte[] header = ByteBuffer.allocate(12).putLong(Long.MAX_VALUE).putInt(1).array();
        assertThrows(IOException.class, () -> filter.decode(header, header.length, 1 << 20));
        byte[] zeroBlock = ByteBuffer.allocate(16).putLong(100).putInt(0).putInt(0).array();
        assertThrows(IOException.class, () -> filter.decode(zeroBlock, zeroBlock.length, 1 << 20));
    }
}
