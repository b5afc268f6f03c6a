package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.format.FilterPipelineMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Filter Pipeline message (0x000B) against bodies libhdf5 wrote and the specification. */
class FilterPipelineMessageTest {

    /**
     * The version 1 body libhdf5 1.10.8 wrote (h5py 3.7, default libver) for
     * {@code create_dataset(..., dtype='<i2', shuffle=True, compression='gzip',
     * compression_opts=4, fletcher32=True)}, read out of the dataset's object header.
     */
    private static final String LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER =
            "0103000000000000"
                    + "020008000100010073687566666c65000200000000000000"
                    + "01000800010001006465666c617465000400000000000000"
                    + "0300100000000000666c6574636865723332000000000000";

    /** The version 2 body libhdf5 wrote (libver 'latest') for shuffle, lzf and fletcher32. */
    private static final String LIBHDF5_V2_SHUFFLE_LZF_FLETCHER =
            "0203" + "02000100010002000000"
                    + "007d0400010003006c7a66000400000005010000d0070000"
                    + "030000000000";

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void encodesExactlyTheVersion1BodyLibhdf5Writes() {
        FilterPipelineMessage m = new FilterPipelineMessage(List.of(
                FilterDescription.shuffle(2), FilterDescription.deflate(4), FilterDescription.fletcher32()));
        assertEquals(LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER, HexFormat.of().formatHex(m.encodeBody()));
        assertEquals(0x000B, m.type());
    }

    @Test
    void decodesTheVersion1BodyLibhdf5Wrote() throws IOException {
        FilterPipelineMessage m = FilterPipelineMessage.decode(le(HexFormat.of().parseHex(LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER)));
        assertEquals(List.of(FilterDescription.shuffle(2), FilterDescription.deflate(4), FilterDescription.fletcher32()),
                m.filters());
    }

    @Test
    void decodesTheVersion2BodyLibhdf5Wrote() throws IOException {
        FilterPipelineMessage m = FilterPipelineMessage.decode(le(HexFormat.of().parseHex(LIBHDF5_V2_SHUFFLE_LZF_FLETCHER)));
        // Version 2 keeps no names for the specification's own filters (ids below 256).
        assertEquals(List.of(new FilterDescription(2, "", 1, new int[] {2}), FilterDescription.lzf(2000),
                new FilterDescription(3, "", 0, new int[0])), m.filters());
    }

    @Test
    void decodesAVersion2BodyBuiltFromTheSpecification() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 2).put((byte) 2);
        // deflate: id, flags, one value; no name length, no name, no padding.
        b.putShort((short) 1).putShort((short) 1).putShort((short) 1).putInt(6);
        // a named filter above 255: name length counts the null and is not padded.
        b.putShort((short) 32004).putShort((short) 4).putShort((short) 1).putShort((short) 3)
                .put("lz4\0".getBytes(StandardCharsets.US_ASCII)).putInt(7).putInt(-1).putInt(0);
        b.flip();
        FilterPipelineMessage m = FilterPipelineMessage.decode(b);
        assertEquals(List.of(new FilterDescription(1, "", 1, new int[] {6}),
                new FilterDescription(32004, "lz4", 1, new int[] {7, -1, 0})), m.filters());
    }

    @Test
    void decodeStartsAtThePositionAndStopsAtTheLimit() throws IOException {
        byte[] body = HexFormat.of().parseHex(LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER);
        byte[] framed = new byte[body.length + 20];
        System.arraycopy(body, 0, framed, 8, body.length);
        ByteBuffer b = le(framed);
        b.position(8).limit(8 + body.length);
        assertEquals(3, FilterPipelineMessage.decode(b).filters().size());
    }

    @Test
    void roundTripsEveryFactoryAndOddClientData() throws IOException {
        List<FilterDescription> all = List.of(FilterDescription.shuffle(8), FilterDescription.deflate(9),
                FilterDescription.lzf(123_456), FilterDescription.lz4(0), FilterDescription.bzip2(9),
                FilterDescription.zstd(22), FilterDescription.fletcher32(),
                new FilterDescription(40000, "", 0, new int[] {1, 2, 3, 4, 5}),
                new FilterDescription(40001, "1234567", 0, new int[] {-2}));
        FilterPipelineMessage m = new FilterPipelineMessage(all);
        byte[] body = m.encodeBody();
        assertEquals(0, body.length % 8, "version 1 bodies stay 8-byte aligned");
        assertEquals(m, FilterPipelineMessage.decode(le(body)));
        assertEquals(all, FilterPipelineMessage.decode(le(body)).filters());
    }

    @Test
    void everyTruncationIsRefusedWithAMessageNamingTheField() {
        byte[] body = HexFormat.of().parseHex(LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER);
        for (int cut = 0; cut < body.length; cut++) {
            ByteBuffer b = le(body);
            b.limit(cut);
            IOException e = assertThrows(IOException.class, () -> FilterPipelineMessage.decode(b), "cut " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        byte[] v2 = HexFormat.of().parseHex(LIBHDF5_V2_SHUFFLE_LZF_FLETCHER);
        for (int cut = 0; cut < v2.length; cut++) {
            ByteBuffer b = le(v2);
            b.limit(cut);
            assertThrows(IOException.class, () -> FilterPipelineMessage.decode(b), "v2 cut " + cut);
        }
    }

    @Test
    void refusesCorruptHeadersAndNames() {
        byte[] body = HexFormat.of().parseHex(LIBHDF5_V1_SHUFFLE_DEFLATE_FLETCHER);
        byte[] version3 = body.clone();
        version3[0] = 3;
        assertTrue(assertThrows(IOException.class, () -> FilterPipelineMessage.decode(le(version3)))
                .getMessage().contains("version 3"));
        byte[] tooMany = body.clone();
        tooMany[1] = 33;
        assertThrows(IOException.class, () -> FilterPipelineMessage.decode(le(tooMany)));
        byte[] unterminated = body.clone();
        unterminated[8 + 8 + 7] = 'x'; // the null after "shuffle"
        assertTrue(assertThrows(IOException.class, () -> FilterPipelineMessage.decode(le(unterminated)))
                .getMessage().contains("null-terminated"));
        byte[] hugeName = body.clone();
        hugeName[8 + 2] = (byte) 0xF0;
        hugeName[8 + 3] = (byte) 0xFF;
        assertThrows(IOException.class, () -> FilterPipelineMessage.decode(le(hugeName)));
        byte[] hugeClientData = body.clone();
        hugeClientData[8 + 6] = (byte) 0xFF;
        hugeClientData[8 + 7] = (byte) 0xFF;
        assertThrows(IOException.class, () -> FilterPipelineMessage.decode(le(hugeClientData)));
    }

    @Test
    void refusesNamesThatCannotBeStored() {
        assertThrows(IllegalArgumentException.class,
                () -> new FilterPipelineMessage(List.of(new FilterDescription(1, "a\0b", 0, new int[] {1}))));
        assertThrows(IllegalArgumentException.class,
                () -> new FilterPipelineMessage(List.of(new FilterDescription(1, "\u20ac", 0, new int[] {1}))));
    }

    @Test
    void filterDescriptionsCompareClientDataByValue() {
        FilterDescription a = new FilterDescription(1, "deflate", 1, new int[] {4});
        assertEquals(FilterDescription.deflate(4), a);
        assertEquals(FilterDescription.deflate(4).hashCode(), a.hashCode());
        assertNotEquals(FilterDescription.deflate(5), a);
        assertTrue(a.toString().contains("[4]"), a.toString());
        int[] cd = {7};
        FilterDescription copy = new FilterDescription(1, "", 0, cd);
        cd[0] = 8;
        assertArrayEquals(new int[] {7}, copy.clientData());
        assertThrows(IllegalArgumentException.class, () -> FilterDescription.deflate(0));
        assertThrows(IllegalArgumentException.class, () -> FilterDescription.deflate(10));
    }
}
