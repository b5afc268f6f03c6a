package io.hdf5flink.source.message;

import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.record.ArrayBlockTypeInfo;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/**
 * Byte messages of any source (a socket, a message queue, a file of records) that carry one
 * {@code .npy} array each, as {@link ArrayBlock}s appended to one dataset: the
 * {@link NpyMessages} format without headers. A bad message fails the job with a
 * {@link BadMessageException} that counts it ("message 12 of /acquisition/data"), since plain
 * byte sources know no partition or offset.
 */
@PublicEvolving
public final class NpyBlockDeserializationSchema implements DeserializationSchema<ArrayBlock> {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String dataset;
    private transient long messages;

    /** Blocks appended to {@code dataset} of the sink's default file. */
    public NpyBlockDeserializationSchema(String dataset) {
        this(null, dataset);
    }

    /** Blocks appended to {@code dataset} of {@code file} (relative to the sink's base directory; null: the default file). */
    public NpyBlockDeserializationSchema(String file, String dataset) {
        this.file = file;
        this.dataset = Hdf5Paths.normalize(dataset);
    }

    @Override
    public ArrayBlock deserialize(byte[] message) throws BadMessageException {
        long n = ++messages;
        return NpyMessages.decode("message " + n + " (since this task started) of " + dataset, message, file, dataset, null);
    }

    @Override
    public void deserialize(byte[] message, Collector<ArrayBlock> out) throws BadMessageException {
        ArrayBlock block = deserialize(message);
        if (block.shape()[0] > 0) out.collect(block);
    }

    @Override
    public boolean isEndOfStream(ArrayBlock nextElement) {
        return false;
    }

    @Override
    public TypeInformation<ArrayBlock> getProducedType() {
        return ArrayBlockTypeInfo.INSTANCE;
    }
}
