package io.hdf5flink.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ArrayBlockSerializerTest {
    private static ArrayBlock roundTrip(ArrayBlock b) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ArrayBlockSerializer.INSTANCE.serialize(b, out);
        return ArrayBlockSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void roundTripsAppendedAndPlacedBlocks() throws IOException {
        ArrayBlock appended = ArrayBlock.appendRows("/acq/data", new short[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(appended, roundTrip(appended));
        ArrayBlock placed = ArrayBlock.at("/m", DataType.FLOAT32, new long[] {5, 7, 0}, new long[] {1, 2, 2}, new byte[16])
                .inFile("run1/out.h5");
        ArrayBlock back = roundTrip(placed);
        assertEquals(placed, back);
        assertEquals("run1/out.h5", back.file());
    }

    /** Types added after the first formats: stored by name, and refused by the format that stored ordinals. */
    @Test
    void blocksOfFloat16BoolAndComplexRoundTripByName() throws IOException {
        for (DataType type : new DataType[] {DataType.FLOAT16, DataType.BOOL, DataType.COMPLEX64, DataType.COMPLEX128}) {
            byte[] data = new byte[6 * type.size()];
            for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 37 + type.ordinal());
            ArrayBlock block = ArrayBlock.at("/" + type.numpyCode(), type, new long[] {2, 0}, new long[] {2, 3}, data);
            assertEquals(block, roundTrip(block));
            DataOutputSerializer out = new DataOutputSerializer(64);
            IOException e = assertThrows(IOException.class,
                    () -> new ArrayBlockSerializer(ArrayBlockSerializer.TYPE_BY_ORDINAL).serialize(block, out));
            assertTrue(e.getMessage().contains(type + " did not exist"), e.getMessage());
        }
    }

    @Test
    void flinkUsesThisSerializerNotKryo() {
        assertInstanceOf(ArrayBlockTypeInfo.class, TypeInformation.of(ArrayBlock.class));
    }

    @Test
    void corruptBytesAreRefusedBeforeAllocating() {
        DataOutputSerializer out = new DataOutputSerializer(64);
        byte[] bytes;
        try {
            out.writeByte(0);
            out.writeUTF("/d");
            out.writeUTF("INT16");
            out.writeByte(1);
            out.writeLong(4);
            out.writeInt(-5);
            bytes = out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        IOException e = assertThrows(IOException.class,
                () -> ArrayBlockSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)));
        assertTrue(e.getMessage().contains("data length -5"), e.getMessage());
    }

    @Test
    void validateNamesTheDatasetAndOffset() {
        ArrayBlock bad = ArrayBlock.at("/m", DataType.FLOAT64, new long[] {3, 4}, new long[] {2, 2}, new byte[31]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::validate);
        assertTrue(e.getMessage().contains("/m at offset [3, 4]") && e.getMessage().contains("needs 32 bytes"), e.getMessage());
    }
}
