package io.hdf5flink.source.split;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.state.StateFormat;
import io.hdf5flink.state.StateReader;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes {@link ArraySplit}s into checkpoints and reads them back. Version 2: a magic number;
 * split id; the location (path, compression, archive, member name if any, member compression);
 * mapped flag, data offset, element type, big-endian flag; dataset; offset and row shape; next
 * and end row. Enums are written by name, so reordering them cannot corrupt a checkpoint.
 * Version 1 (no magic number, the vectors' lengths as ints) is still read.
 */
@Internal
public final class ArraySplitSerializer implements SimpleVersionedSerializer<ArraySplit> {
    public static final ArraySplitSerializer INSTANCE = new ArraySplitSerializer();

    private static final StateFormat FORMAT = new StateFormat("ArraySplit", 0x48355350 /* "H5SP" */, 2, 1);

    @Override
    public int getVersion() {
        return FORMAT.version();
    }

    @Override
    public byte[] serialize(ArraySplit split) throws IOException {
        return FORMAT.write(out -> {
            out.writeUTF(split.splitId());
            ArrayInput input = split.input();
            Location location = input.location();
            out.writeUTF(location.path());
            out.writeEnum(location.compression());
            out.writeEnum(location.archive());
            out.writeOptionalUTF(location.member());
            out.writeEnum(location.memberCompression());
            out.writeBoolean(input.mapped());
            out.writeLong(input.dataOffset());
            out.writeEnum(input.type());
            out.writeBoolean(input.bigEndian());
            out.writeUTF(split.dataset());
            out.writeLongs(split.offset());
            out.writeLongs(split.rowShape());
            out.writeLong(split.nextRow());
            out.writeLong(split.endRow());
        });
    }

    @Override
    public ArraySplit deserialize(int version, byte[] serialized) throws IOException {
        StateReader in = FORMAT.open(version, serialized);
        String id = in.readUTF();
        String path = in.readUTF();
        StreamCompression compression = in.readEnum(StreamCompression.class);
        Archive archive = in.readEnum(Archive.class);
        String member = in.readOptionalUTF();
        StreamCompression memberCompression = in.readEnum(StreamCompression.class);
        boolean mapped = in.readBoolean();
        long dataOffset = in.readLong();
        DataType type = in.readEnum(DataType.class);
        boolean bigEndian = in.readBoolean();
        String dataset = in.readUTF();
        long[] offset = readVector(in, version, "offset");
        long[] rowShape = readVector(in, version, "row shape");
        long nextRow = in.readLong();
        long endRow = in.readLong();
        in.expectEnd();
        try {
            Location location = new Location(path, compression, archive, member, memberCompression);
            return new ArraySplit(id, new ArrayInput(location, mapped, dataOffset, type, bigEndian), dataset, offset,
                    rowShape, nextRow, endRow);
        } catch (IllegalArgumentException e) {
            throw in.corrupt(e.getMessage());
        }
    }

    /** Version 1 stored a vector's length as an int. */
    private static long[] readVector(StateReader in, int version, String field) throws IOException {
        if (FORMAT.isCurrent(version)) return in.readLongs(field);
        return in.readLongs(in.count(field + " rank", DatasetSpec.MAX_RANK));
    }
}
