package io.hdf5flink.record;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Lets Flink's type extraction find {@link ArrayBlockTypeInfo} from the {@code @TypeInfo} annotation. */
@Internal
public final class ArrayBlockTypeInfoFactory extends TypeInfoFactory<ArrayBlock> {
    @Override
    public TypeInformation<ArrayBlock> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return ArrayBlockTypeInfo.INSTANCE;
    }
}
