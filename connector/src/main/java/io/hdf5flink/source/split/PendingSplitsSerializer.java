package io.hdf5flink.source.split;

import io.hdf5flink.state.StateFormat;
import io.hdf5flink.state.StateReader;
import java.io.IOException;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes the enumerator's {@link PendingSplits} into checkpoints and reads them back. Version 2:
 * a magic number, the {@link ArraySplitSerializer} version the splits were written with, their
 * count, then each split's bytes with their length, so split formats can evolve independently of
 * this one. Version 1 (the same without magic number) is still read.
 */
@Internal
public final class PendingSplitsSerializer implements SimpleVersionedSerializer<PendingSplits> {
    public static final PendingSplitsSerializer INSTANCE = new PendingSplitsSerializer();

    private static final StateFormat FORMAT = new StateFormat("PendingSplits", 0x48355053 /* "H5PS" */, 2, 1);

    @Override
    public int getVersion() {
        return FORMAT.version();
    }

    @Override
    public byte[] serialize(PendingSplits pending) throws IOException {
        ArraySplitSerializer splits = ArraySplitSerializer.INSTANCE;
        return FORMAT.write(out -> {
            out.writeInt(splits.getVersion());
            out.writeList(pending.splits(), (o, split) -> o.writeBytes(splits.serialize(split)));
        });
    }

    @Override
    public PendingSplits deserialize(int version, byte[] serialized) throws IOException {
        StateReader in = FORMAT.open(version, serialized);
        int splitVersion = in.readInt();
        // Each split takes at least its 4-byte length, which bounds the count by the input size.
        List<ArraySplit> splits = in.readList("split count", serialized.length / 4, s -> ArraySplitSerializer.INSTANCE
                .deserialize(splitVersion, s.readBytes("split length", StateReader.MAX_ARRAY_LENGTH)));
        in.expectEnd();
        return new PendingSplits(splits);
    }
}
