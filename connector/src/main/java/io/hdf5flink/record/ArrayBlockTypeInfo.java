package io.hdf5flink.record;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information for {@link ArrayBlock}: makes Flink use {@link ArrayBlockSerializer}, never
 * Kryo. Public because a user's {@code map} or {@code flatMap} returning blocks names it:
 * {@code .returns(ArrayBlockTypeInfo.INSTANCE)}.
 */
@PublicEvolving
public final class ArrayBlockTypeInfo extends TypeInformation<ArrayBlock> {
    public static final ArrayBlockTypeInfo INSTANCE = new ArrayBlockTypeInfo();
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() { return false; }

    @Override
    public boolean isTupleType() { return false; }

    @Override
    public int getArity() { return 1; }

    @Override
    public int getTotalFields() { return 1; }

    @Override
    public Class<ArrayBlock> getTypeClass() { return ArrayBlock.class; }

    @Override
    public boolean isKeyType() { return false; }

    @Override
    public TypeSerializer<ArrayBlock> createSerializer(SerializerConfig config) {
        return ArrayBlockSerializer.INSTANCE;
    }

    @Override
    public String toString() { return "ArrayBlock"; }

    @Override
    public boolean equals(Object o) { return o instanceof ArrayBlockTypeInfo; }

    @Override
    public int hashCode() { return ArrayBlockTypeInfo.class.hashCode(); }

    @Override
    public boolean canEqual(Object o) { return o instanceof ArrayBlockTypeInfo; }
}
