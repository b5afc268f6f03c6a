package io.hdf5flink.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Specs of the types issue 16 added, with fill values and attributes of those types, survive the
 * codec that checkpoints and the sink's declarations store them with: the type goes by name, the
 * attributes as their stored datatype (an enumeration or compound for bool and complex).
 */
class DatasetSpecCodecTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT16", "BOOL", "COMPLEX64", "COMPLEX128"})
    void roundTripsTheTypeItsFillValueAndAttributesOfEveryType(DataType type) throws IOException {
        DatasetSpec.Builder b = DatasetSpec.builder(type, 0, 3).maxShape(DatasetSpec.UNLIMITED, 3).chunks(64, 3)
                .shuffle().deflate(4).fillValue(1).commitTokenCapacity(16);
        for (DataType t : new DataType[] {DataType.FLOAT16, DataType.BOOL, DataType.COMPLEX64, DataType.COMPLEX128}) {
            b.attribute("scalar_" + t.numpyCode(), AttributeValue.scalar(t, 1));
            b.attribute("array_" + t.numpyCode(), AttributeValue.array(t, 0, 1, 1, 0));
        }
        DatasetSpec spec = b.build();
        DatasetSpec back = DatasetSpecCodec.read(StateReader.of(StateWriter.toBytes(out -> DatasetSpecCodec.write(spec, out)),
                "spec"));
        assertEquals(type, back.type());
        assertEquals(spec.filters(), back.filters());
        assertArrayEquals(spec.fillValue(), back.fillValue());
        assertEquals(spec.attributes().keySet(), back.attributes().keySet());
        spec.attributes().forEach((name, value) -> {
            AttributeValue stored = back.attributes().get(name);
            assertArrayEquals(value.storedDatatype(), stored.storedDatatype(), name);
            assertArrayEquals(value.storedDataspace(), stored.storedDataspace(), name);
            assertArrayEquals(value.storedData(), stored.storedData(), name);
        });
    }
}
