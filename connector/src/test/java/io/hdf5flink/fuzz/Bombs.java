package io.hdf5flink.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Small inputs that decode to very much more, built by hand so that building them costs next to
 * nothing: zstd frames of RLE blocks (4 bytes per 128 KiB of zeros, a ratio of 32768) and tar
 * headers to put in front of them.
 */
final class Bombs {
    static final int RLE_BLOCK = 128 << 10;

    private Bombs() {}

    /**
     * A zstd frame (no content size, no checksum, 8 MiB window) holding {@code prefix} in a raw
     * block, then {@code zeros} zero bytes (a multiple of 128 KiB) in RLE blocks.
     */
    static byte[] zstd(byte[] prefix, long zeros) {
        if (zeros % RLE_BLOCK != 0 || prefix.length > RLE_BLOCK) throw new IllegalArgumentException();
        long blocks = zeros / RLE_BLOCK;
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, 16 + prefix.length + 4 * blocks));
        out.writeBytes(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD});
        out.write(0x00); // frame header descriptor: window descriptor follows; no dictionary, size or checksum
        out.write(13 << 3); // window descriptor: 2^(10 + 13) = 8 MiB
        block(out, blocks == 0, 0, prefix.length);
        out.writeBytes(prefix);
        for (long i = 0; i < blocks; i++) {
            block(out, i == blocks - 1, 1, RLE_BLOCK);
            out.write(0);
        }
        return out.toByteArray();
    }

    private static void block(ByteArrayOutputStream out, boolean last, int type, int size) {
        int header = (last ? 1 : 0) | type << 1 | size << 3;
        out.write(header & 0xFF);
        out.write(header >> 8 & 0xFF);
        out.write(header >> 16 & 0xFF);
    }

    /** A 512-byte ustar header of {@code type} ('0' file, 'L' GNU long name, 'x' pax) claiming {@code size} bytes. */
    static byte[] tarHeader(String name, char type, long size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) sum += b & 0xFF;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    /** A version 1.0 {@code .npy} header (numpy's padding) declaring {@code dict}, without data. */
    static byte[] npyHeader(String dict) {
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length());
        return b.put(text.getBytes(StandardCharsets.ISO_8859_1)).array();
    }

    /** {@code a} followed by {@code b}. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /**
     * An {@code .xz} file as {@code xz} writes it, with the LZMA2 dictionary size of its first block
     * changed to {@code props} (dictionary 2^(props/2 + 12), 1.5 GiB at 37) and the block header's
     * CRC32 fixed up.
     */
    static byte[] xzWithDictionaryProps(byte[] xz, int props) {
        byte[] out = xz.clone();
        int start = 12; // after the stream header
        int size = ((out[start] & 0xFF) + 1) * 4;
        for (int i = start + 2; i < start + size - 4; i++) {
            if (out[i] == 0x21 && out[i + 1] == 0x01) { // filter id LZMA2, one property byte
                out[i + 2] = (byte) props;
                CRC32 crc = new CRC32();
                crc.update(out, start, size - 4);
                ByteBuffer.wrap(out, start + size - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
                return out;
            }
        }
        throw new IllegalArgumentException("no LZMA2 filter in the first block header");
    }
}
