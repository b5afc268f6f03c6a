package io.hdf5flink.sink.writer;

import static io.hdf5flink.sink.Hdf5CommittableSerializer.readLongs;
import static io.hdf5flink.sink.Hdf5CommittableSerializer.writeLongs;

import io.hdf5flink.hdf5.DatasetSpecCodec;
import io.hdf5flink.sink.partition.ChunkRouting;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Version 2 of the binary form of {@link Hdf5WriterState}: one element per routing bucket (version
 * 1, one element per writer, was never released).
 */
@Internal
public final class Hdf5WriterStateSerializer implements SimpleVersionedSerializer<Hdf5WriterState> {
    private static final int VERSION = 2;
    private static final int MAX_COUNT = 1 << 26;
    private static final int MAX_CHUNK = Integer.MAX_VALUE - 8;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(Hdf5WriterState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        out.writeInt(s.bucket());
        out.writeUTF(s.writerId());
        out.writeBoolean(s.carriesWriter());
        out.writeLong(s.nextEpoch());
        out.writeInt(s.adoptedWriterIds().size());
        for (String id : s.adoptedWriterIds()) out.writeUTF(id);
        out.writeInt(s.datasets().size());
        for (Hdf5WriterState.DatasetState d : s.datasets()) {
            out.writeUTF(d.file());
            out.writeUTF(d.dataset());
            DatasetSpecCodec.write(d.spec(), out);
            out.writeBoolean(d.append());
            out.writeLong(d.cursor());
            writeLongs(out, d.extent());
            out.writeBoolean(d.publishedShape() != null);
            if (d.publishedShape() != null) writeLongs(out, d.publishedShape());
            out.writeBoolean(d.storedShape() != null);
            if (d.storedShape() != null) writeLongs(out, d.storedShape());
            out.writeInt(d.openChunks().size());
            for (Hdf5WriterState.ChunkState c : d.openChunks()) {
                writeLongs(out, c.origin());
                out.writeLong(c.needed());
                out.writeLong(c.covered());
                if (c.raw() != null) {
                    out.writeByte(0);
                    out.writeInt(c.raw().length);
                    out.write(c.raw());
                } else {
                    out.writeByte(1);
                    out.writeUTF(c.spilled().file());
                    out.writeLong(c.spilled().position());
                    out.writeInt(c.spilled().length());
                }
            }
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public Hdf5WriterState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) throw new IOException("unknown Hdf5WriterState version " + version);
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int bucket = in.readInt();
        if (bucket < 0 || bucket >= ChunkRouting.BUCKETS) throw new IOException("corrupt writer state: bucket " + bucket);
        String writerId = in.readUTF();
        boolean carriesWriter = in.readBoolean();
        long epoch = in.readLong();
        int adoptedCount = count(in);
        List<String> adopted = new ArrayList<>();
        for (int i = 0; i < adoptedCount; i++) adopted.add(in.readUTF());
        int datasetCount = count(in);
        List<Hdf5WriterState.DatasetState> datasets = new ArrayList<>();
        for (int i = 0; i < datasetCount; i++) {
            String file = in.readUTF();
            String dataset = in.readUTF();
            var spec = DatasetSpecCodec.read(in);
            boolean append = in.readBoolean();
            long cursor = in.readLong();
            long[] extent = readLongs(in);
            long[] published = in.readBoolean() ? readLongs(in) : null;
            long[] stored = in.readBoolean() ? readLongs(in) : null;
            int chunkCount = count(in);
            List<Hdf5WriterState.ChunkState> chunks = new ArrayList<>(Math.min(chunkCount, 1 << 16));
            for (int j = 0; j < chunkCount; j++) {
                long[] origin = readLongs(in);
                long needed = in.readLong();
                long covered = in.readLong();
                int kind = in.readByte();
                if (kind == 0) {
                    int n = in.readInt();
                    if (n < 0 || n > MAX_CHUNK || n > in.available()) throw new IOException("corrupt writer state: a chunk of " + n + " bytes");
                    byte[] raw = new byte[n];
                    in.readFully(raw);
                    chunks.add(new Hdf5WriterState.ChunkState(origin, needed, covered, raw, null));
                } else {
                    chunks.add(new Hdf5WriterState.ChunkState(origin, needed, covered, null,
                            new OpenChunk.SpillRef(in.readUTF(), in.readLong(), in.readInt())));
                }
            }
            datasets.add(new Hdf5WriterState.DatasetState(file, dataset, spec, append, cursor, extent, published, stored, chunks));
        }
        return new Hdf5WriterState(bucket, writerId, carriesWriter, epoch, adopted, datasets);
    }

    private static int count(DataInputDeserializer in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) throw new IOException("corrupt writer state: a count of " + n);
        return n;
    }
}
