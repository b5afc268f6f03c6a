package io.hdf5flink.sink.writer;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.sink.partition.ChunkRouting;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateFormat;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The binary form of {@link Hdf5WriterState}, one element per routing bucket. Version 3: a magic
 * number; bucket, writer id, whether it carries the writer, next epoch, adopted writer ids; per
 * dataset its file, path, {@link DatasetSpecCodec versioned spec}, append flag and cursor, extent,
 * published and stored shapes (each optional), and its open chunks (origin, elements needed and
 * covered, then either the bytes or the spill file reference). Version 2 (the same without magic
 * number, with a spec of version 0) is still read; version 1, one element per writer, was never
 * released.
 */
@Internal
public final class Hdf5WriterStateSerializer implements SimpleVersionedSerializer<Hdf5WriterState> {
    private static final StateFormat FORMAT = new StateFormat("writer state", 0x48355753 /* "H5WS" */, 3, 2);
    private static final int RAW = 0;
    private static final int SPILLED = 1;

    @Override
    public int getVersion() {
        return FORMAT.version();
    }

    @Override
    public byte[] serialize(Hdf5WriterState s) throws IOException {
        return FORMAT.write(out -> {
            out.writeInt(s.bucket());
            out.writeUTF(s.writerId());
            out.writeBoolean(s.carriesWriter());
            out.writeLong(s.nextEpoch());
            out.writeStrings(s.adoptedWriterIds());
            out.writeList(s.datasets(), Hdf5WriterStateSerializer::writeDataset);
        });
    }

    private static void writeDataset(StateWriter out, Hdf5WriterState.DatasetState d) throws IOException {
        out.writeUTF(d.file());
        out.writeUTF(d.dataset());
        DatasetSpecCodec.write(d.spec(), out);
        out.writeBoolean(d.append());
        out.writeLong(d.cursor());
        out.writeLongs(d.extent());
        writeOptionalLongs(out, d.publishedShape());
        writeOptionalLongs(out, d.storedShape());
        out.writeList(d.openChunks(), Hdf5WriterStateSerializer::writeChunk);
    }

    private static void writeOptionalLongs(StateWriter out, long[] v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) out.writeLongs(v);
    }

    private static void writeChunk(StateWriter out, Hdf5WriterState.ChunkState c) throws IOException {
        out.writeLongs(c.origin());
        out.writeLong(c.needed());
        out.writeLong(c.covered());
        if (c.raw() != null) {
            out.writeByte(RAW);
            out.writeBytes(c.raw());
        } else {
            out.writeByte(SPILLED);
            out.writeUTF(c.spilled().file());
            out.writeLong(c.spilled().position());
            out.writeInt(c.spilled().length());
        }
    }

    @Override
    public Hdf5WriterState deserialize(int version, byte[] serialized) throws IOException {
        StateReader in = FORMAT.open(version, serialized);
        StateReader.Item<DatasetSpec> spec = FORMAT.isCurrent(version) ? DatasetSpecCodec::read : DatasetSpecCodec::readVersion0;
        int bucket = in.readInt();
        if (bucket < 0 || bucket >= ChunkRouting.BUCKETS) throw in.corrupt("bucket " + bucket);
        String writerId = in.readUTF();
        boolean carriesWriter = in.readBoolean();
        long epoch = in.readLong();
        var adopted = in.readStrings("adopted writer count");
        var datasets = in.readList("dataset count", StateReader.MAX_COUNT, d -> readDataset(d, spec));
        in.expectEnd();
        return new Hdf5WriterState(bucket, writerId, carriesWriter, epoch, adopted, datasets);
    }

    private static Hdf5WriterState.DatasetState readDataset(StateReader in, StateReader.Item<DatasetSpec> spec)
            throws IOException {
        String file = in.readUTF();
        String dataset = in.readUTF();
        DatasetSpec s = spec.read(in);
        boolean append = in.readBoolean();
        long cursor = in.readLong();
        long[] extent = in.readLongs("extent");
        long[] published = in.readBoolean() ? in.readLongs("published shape") : null;
        long[] stored = in.readBoolean() ? in.readLongs("stored shape") : null;
        var chunks = in.readList("open chunk count", StateReader.MAX_COUNT, Hdf5WriterStateSerializer::readChunk);
        return new Hdf5WriterState.DatasetState(file, dataset, s, append, cursor, extent, published, stored, chunks);
    }

    private static Hdf5WriterState.ChunkState readChunk(StateReader in) throws IOException {
        long[] origin = in.readLongs("chunk origin");
        long needed = in.readLong();
        long covered = in.readLong();
        int kind = in.readByte();
        return switch (kind) {
            case RAW -> new Hdf5WriterState.ChunkState(origin, needed, covered,
                    in.readBytes("chunk length", (int) DatasetSpec.MAX_CHUNK_BYTES), null);
            case SPILLED -> new Hdf5WriterState.ChunkState(origin, needed, covered, null,
                    new OpenChunk.SpillRef(in.readUTF(), in.readLong(), in.readInt()));
            default -> throw in.corrupt("chunk kind " + kind);
        };
    }
}
