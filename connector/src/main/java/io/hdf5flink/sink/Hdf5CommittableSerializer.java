package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpecCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Version 1 of the binary form of {@link Hdf5Committable}, as Flink stores it in checkpoints. */
@Internal
public final class Hdf5CommittableSerializer implements SimpleVersionedSerializer<Hdf5Committable> {
    private static final int VERSION = 1;
    private static final int MAX_COUNT = 1 << 26;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(Hdf5Committable c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeUTF(c.writerId());
        out.writeLong(c.epoch());
        writeStrings(out, c.adoptedWriterIds());
        out.writeBoolean(c.stagingFile() != null);
        if (c.stagingFile() != null) out.writeUTF(c.stagingFile());
        out.writeInt(c.parts().size());
        for (Hdf5Committable.DatasetPart p : c.parts()) {
            out.writeUTF(p.file());
            out.writeUTF(p.dataset());
            DatasetSpecCodec.write(p.spec(), out);
            writeLongs(out, p.visibleShape());
            out.writeInt(p.chunks().size());
            for (Hdf5Committable.ChunkRef r : p.chunks()) {
                writeLongs(out, r.origin());
                out.writeLong(r.position());
                out.writeInt(r.length());
                out.writeInt(r.filterMask());
            }
        }
        writeStrings(out, c.liveSpillFiles());
        return out.getCopyOfBuffer();
    }

    @Override
    public Hdf5Committable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) throw new IOException("unknown Hdf5Committable version " + version);
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String writerId = in.readUTF();
        long epoch = in.readLong();
        List<String> adopted = readStrings(in);
        String staging = in.readBoolean() ? in.readUTF() : null;
        int partCount = count(in);
        List<Hdf5Committable.DatasetPart> parts = new ArrayList<>(Math.min(partCount, 1 << 10));
        for (int i = 0; i < partCount; i++) {
            String file = in.readUTF();
            String dataset = in.readUTF();
            var spec = DatasetSpecCodec.read(in);
            long[] shape = readLongs(in);
            int chunkCount = count(in);
            List<Hdf5Committable.ChunkRef> chunks = new ArrayList<>(Math.min(chunkCount, 1 << 16));
            for (int j = 0; j < chunkCount; j++) {
                chunks.add(new Hdf5Committable.ChunkRef(readLongs(in), in.readLong(), in.readInt(), in.readInt()));
            }
            parts.add(new Hdf5Committable.DatasetPart(file, dataset, spec, shape, chunks));
        }
        return new Hdf5Committable(writerId, epoch, adopted, staging, parts, readStrings(in));
    }

    static void writeStrings(DataOutputView out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String v : values) out.writeUTF(v);
    }

    static List<String> readStrings(DataInputView in) throws IOException {
        int n = count(in);
        List<String> values = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) values.add(in.readUTF());
        return values;
    }

    /** Writes a rank-prefixed vector (also used by the writer state's serializer). */
    public static void writeLongs(DataOutputView out, long[] v) throws IOException {
        out.writeByte(v.length);
        for (long x : v) out.writeLong(x);
    }

    /** Reads a vector written by {@link #writeLongs}, refusing ranks above 32. */
    public static long[] readLongs(DataInputView in) throws IOException {
        int n = in.readByte();
        if (n < 0 || n > 32) throw new IOException("corrupt state: a vector of rank " + n);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = in.readLong();
        return v;
    }

    private static int count(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) throw new IOException("corrupt state: a count of " + n);
        return n;
    }
}
