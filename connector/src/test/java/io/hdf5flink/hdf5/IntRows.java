package io.hdf5flink.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A small growing int32 dataset, the one the append tests of h5py's files add and extend. */
final class IntRows {
    private IntRows() {}

    /** 1-D int32, unlimited, chunks of 4. */
    static DatasetSpec spec() {
        return DatasetSpec.builder(DataType.INT32, 0).maxShape(DatasetSpec.UNLIMITED).chunks(4).build();
    }

    /** {@code count} consecutive values from {@code from}, little-endian, ready to append. */
    static ByteBuffer ints(int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) b.putInt(from + i);
        return b.flip();
    }
}
