package io.hdf5flink.source.split;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Writes the enumerator's {@link PendingSplits} into checkpoints and reads them back. Version 1:
 * the {@link ArraySplitSerializer} version the splits were written with, their count, then each
 * split's bytes with their length, so split formats can evolve independently of this one.
 */
@Internal
public final class PendingSplitsSerializer implements SimpleVersionedSerializer<PendingSplits> {
    public static final PendingSplitsSerializer INSTANCE = new PendingSplitsSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PendingSplits pending) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + 256 * pending.splits().size());
        out.writeInt(ArraySplitSerializer.INSTANCE.getVersion());
        out.writeInt(pending.splits().size());
        for (ArraySplit split : pending.splits()) {
            byte[] bytes = ArraySplitSerializer.INSTANCE.serialize(split);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public PendingSplits deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) throw new IOException("unknown PendingSplits serialization version " + version);
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int splitVersion = in.readInt();
        int count = in.readInt();
        // Each split takes at least its 4-byte length, which bounds the count by the input size.
        if (count < 0 || count > serialized.length / 4) throw new IOException("corrupt PendingSplits: count " + count);
        List<ArraySplit> splits = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length < 0 || length > in.available()) throw new IOException("corrupt PendingSplits: split length " + length);
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            splits.add(ArraySplitSerializer.INSTANCE.deserialize(splitVersion, bytes));
        }
        if (in.available() != 0) throw new IOException("corrupt PendingSplits: " + in.available() + " trailing bytes");
        return new PendingSplits(splits);
    }
}
