package io.hdf5flink.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage.CompoundMember;
import io.hdf5flink.hdf5.format.DatatypeMessage.EnumMember;
import io.hdf5flink.hdf5.format.Hdf5FormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The datatype messages of float16, bool and complex, byte for byte as libhdf5 stores them for
 * h5py ({@code h5py.File(..., 'w')} with HDF5 1.10: datatype message version 1), and the
 * recognition of those and of the version 3 encodings libhdf5 writes with {@code libver='latest'};
 * every other enumeration and compound is refused by class.
 */
class DataTypeMessagesTest {
    /** Message bodies (without padding) of datasets h5py 3.7 made of these dtypes. */
    private static final Map<DataType, String> H5PY = Map.of(
            DataType.FLOAT16, "11200f00" + "02000000" + "00001000" + "0a05000a" + "0f000000",
            DataType.BOOL, "18020000" + "01000000" + "10080000" + "01000000" + "00000800"
                    + "46414c5345000000" + "5452554500000000" + "0001",
            DataType.COMPLEX64, "16020000" + "08000000"
                    + "7200000000000000" + "00000000" + "00".repeat(28) + "11201f00" + "04000000" + "00002000" + "17080017" + "7f000000"
                    + "6900000000000000" + "04000000" + "00".repeat(28) + "11201f00" + "04000000" + "00002000" + "17080017" + "7f000000",
            DataType.COMPLEX128, "16020000" + "10000000"
                    + "7200000000000000" + "00000000" + "00".repeat(28) + "11203f00" + "08000000" + "00004000" + "340b0034" + "ff030000"
                    + "6900000000000000" + "08000000" + "00".repeat(28) + "11203f00" + "08000000" + "00004000" + "340b0034" + "ff030000");

    /** The same types as libhdf5 writes them in version 3 ({@code libver='latest'}): unpadded names, 1-byte offsets. */
    private static final Map<DataType, String> VERSION_3 = Map.of(
            DataType.BOOL, "38020000" + "01000000" + "10080000" + "01000000" + "00000800" + "46414c534500" + "5452554500" + "0001",
            DataType.COMPLEX64, "36020000" + "08000000" + "720000" + "11201f00" + "04000000" + "00002000" + "17080017" + "7f000000"
                    + "690004" + "11201f00" + "04000000" + "00002000" + "17080017" + "7f000000");

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT16", "BOOL", "COMPLEX64", "COMPLEX128"})
    void writesWhatH5pyWrites(DataType type) {
        assertEquals(H5PY.get(type), HexFormat.of().formatHex(DataTypeMessages.of(type).encodeBody()), type.toString());
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void readsBackWhatItWrites(DataType type) {
        assertEquals(type, DataTypeMessages.typeOf(decode(DataTypeMessages.of(type).encodeBody()), "/data"));
    }

    @Test
    void recognisesH5pysEncodingsOfBothVersions() {
        H5PY.forEach((type, hex) -> assertEquals(type, typeOf(hex), "version 1 " + type));
        VERSION_3.forEach((type, hex) -> assertEquals(type, typeOf(hex), "version 3 " + type));
    }

    @Test
    void boolMembersInEitherOrderOverEitherByte() {
        DatatypeMessage reversed = DatatypeMessage.enumeration(DatatypeMessage.fixedPoint(1, false),
                List.of(new EnumMember("TRUE", 1), new EnumMember("FALSE", 0)));
        assertEquals(DataType.BOOL, DataTypeMessages.typeOf(decode(reversed.encodeBody()), "/data"));
    }

    @Test
    void otherEnumerationsAndCompoundsAreRefusedByClass() {
        DatatypeMessage colors = DatatypeMessage.enumeration(DatatypeMessage.fixedPoint(1, true),
                List.of(new EnumMember("RED", 0), new EnumMember("GREEN", 1), new EnumMember("BLUE", 2)));
        DatatypeMessage wideBool = DatatypeMessage.enumeration(DatatypeMessage.fixedPoint(2, true),
                List.of(new EnumMember("FALSE", 0), new EnumMember("TRUE", 1)));
        DatatypeMessage record = DatatypeMessage.compound(12, List.of(
                new CompoundMember("a", 0, DatatypeMessage.fixedPoint(4, true)),
                new CompoundMember("b", 4, DatatypeMessage.floatingPoint(8))));
        DatatypeMessage otherNames = DatatypeMessage.compound(8, List.of(
                new CompoundMember("real", 0, DatatypeMessage.floatingPoint(4)),
                new CompoundMember("imag", 4, DatatypeMessage.floatingPoint(4))));
        DatatypeMessage halves = DatatypeMessage.compound(4, List.of(
                new CompoundMember("r", 0, DatatypeMessage.floatingPoint(2)),
                new CompoundMember("i", 2, DatatypeMessage.floatingPoint(2))));
        DatatypeMessage swapped = DatatypeMessage.compound(8, List.of(
                new CompoundMember("i", 0, DatatypeMessage.floatingPoint(4)),
                new CompoundMember("r", 4, DatatypeMessage.floatingPoint(4))));
        for (DatatypeMessage m : List.of(colors, wideBool, record, otherNames, halves, swapped)) {
            Hdf5FormatException e = assertThrows(Hdf5FormatException.class,
                    () -> DataTypeMessages.typeOf(decode(m.encodeBody()), "/data"));
            String kind = m.enumBase() != null ? "enumerated" : "compound";
            assertTrue(e.getMessage().contains("/data: datatype class " + kind), e.getMessage());
        }
    }

    @Test
    void aCompoundWithAMemberOfAnUnmodelledClassIsOpaque() {
        // {'s': a 4-byte string, 'v': <i4}: the string member is read, the compound refused as a whole.
        String hex = "16020000" + "08000000" + "7300000000000000" + "00000000" + "00".repeat(28) + "13000000" + "04000000"
                + "7600000000000000" + "04000000" + "00".repeat(28) + "10080000" + "04000000" + "00002000";
        DatatypeMessage m = decode(HexFormat.of().parseHex(hex));
        assertEquals(2, m.compoundMembers().size());
        // A time member (class 2) cannot be skipped: the compound is opaque, and still refused by class.
        String time = "16010000" + "08000000" + "7400000000000000" + "00000000" + "00".repeat(28) + "12000000" + "08000000"
                + "4000";
        DatatypeMessage opaque = decode(HexFormat.of().parseHex(time));
        assertEquals(List.of(), opaque.compoundMembers());
        Hdf5FormatException e = assertThrows(Hdf5FormatException.class, () -> DataTypeMessages.typeOf(opaque, "/t"));
        assertTrue(e.getMessage().contains("compound of 8 bytes"), e.getMessage());
    }

    @Test
    void bigEndianComplexIsReportedBigEndian() {
        byte[] body = DataTypeMessages.of(DataType.COMPLEX64).encodeBody();
        // The byte order bit of both members' class bit fields (the byte after each member's class and version).
        String hex = HexFormat.of().formatHex(body).replace("11201f00", "11211f00");
        assertTrue(decode(HexFormat.of().parseHex(hex)).isBigEndian());
        assertEquals(false, decode(body).isBigEndian());
    }

    private static DataType typeOf(String hex) {
        return DataTypeMessages.typeOf(decode(HexFormat.of().parseHex(hex)), "/data");
    }

    private static DatatypeMessage decode(byte[] body) {
        return DatatypeMessage.decode(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
    }
}
