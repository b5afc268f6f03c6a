package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateFormat;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The binary form of {@link Hdf5Committable}, as Flink stores it in checkpoints. Version 3: a
 * magic number; writer id, epoch, adopted writer ids, the staging file (optional), whether the
 * chunks are in place (in the output file); per dataset part its file, path,
 * {@link DatasetSpecCodec versioned spec}, visible shape and chunks (origin, position, length,
 * filter mask); the live spill files. Version 2 (without the in-place flag: staged) and version 1
 * (also without magic number, with a spec of version 0) are still read.
 */
@Internal
public final class Hdf5CommittableSerializer implements SimpleVersionedSerializer<Hdf5Committable> {
    private static final StateFormat FORMAT = new StateFormat("committable", 0x4835434d /* "H5CM" */, 3, 1);

    @Override
    public int getVersion() {
        return FORMAT.version();
    }

    @Override
    public byte[] serialize(Hdf5Committable c) throws IOException {
        return FORMAT.write(out -> {
            out.writeUTF(c.writerId());
            out.writeLong(c.epoch());
            out.writeStrings(c.adoptedWriterIds());
            out.writeOptionalUTF(c.stagingFile());
            out.writeBoolean(c.chunksInPlace());
            out.writeList(c.parts(), Hdf5CommittableSerializer::writePart);
            out.writeStrings(c.liveSpillFiles());
        });
    }

    private static void writePart(StateWriter out, Hdf5Committable.DatasetPart p) throws IOException {
        out.writeUTF(p.file());
        out.writeUTF(p.dataset());
        DatasetSpecCodec.write(p.spec(), out);
        out.writeLongs(p.visibleShape());
        out.writeList(p.chunks(), (o, r) -> {
            o.writeLongs(r.origin());
            o.writeLong(r.position());
            o.writeInt(r.length());
            o.writeInt(r.filterMask());
        });
    }

    @Override
    public Hdf5Committable deserialize(int version, byte[] serialized) throws IOException {
        StateReader in = FORMAT.open(version, serialized);
        StateReader.Item<DatasetSpec> spec = version >= 2 ? DatasetSpecCodec::read : DatasetSpecCodec::readVersion0;
        String writerId = in.readUTF();
        long epoch = in.readLong();
        var adopted = in.readStrings("adopted writer count");
        String staging = in.readOptionalUTF();
        boolean inPlace = version >= 3 && in.readBoolean();
        var parts = in.readList("part count", StateReader.MAX_COUNT, p -> readPart(p, spec));
        var liveSpillFiles = in.readStrings("live spill file count");
        in.expectEnd();
        return new Hdf5Committable(writerId, epoch, adopted, staging, inPlace, parts, liveSpillFiles);
    }

    private static Hdf5Committable.DatasetPart readPart(StateReader in, StateReader.Item<DatasetSpec> spec)
            throws IOException {
        String file = in.readUTF();
        String dataset = in.readUTF();
        DatasetSpec s = spec.read(in);
        long[] shape = in.readLongs("visible shape");
        var chunks = in.readList("chunk count", StateReader.MAX_COUNT, c -> new Hdf5Committable.ChunkRef(
                c.readLongs("chunk origin"), c.readLong(), c.readInt(), c.readInt()));
        return new Hdf5Committable.DatasetPart(file, dataset, s, shape, chunks);
    }
}
