package io.hdf5flink.record;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.state.DataTypeOrdinals;
import io.hdf5flink.state.StateReader;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link ArrayBlock}s on the wire and in state: a flags byte (file
 * present, offset present), file and dataset as UTF strings, the type by name, rank, shape,
 * offset, then the data bytes with their length. Blocks are immutable, so copies are the block
 * itself. Lengths read back are checked before anything is allocated from them.
 *
 * <p>Record format 1, of snapshot version 3, stored the type by ordinal; a serializer restored
 * from such a snapshot still reads (and writes) it, and {@link Snapshot} asks Flink to migrate
 * state written with it.
 */
@Internal
public final class ArrayBlockSerializer extends TypeSerializer<ArrayBlock> {
    private static final long serialVersionUID = 1L;
    static final int TYPE_BY_ORDINAL = 1;
    static final int TYPE_BY_NAME = 2;
    public static final ArrayBlockSerializer INSTANCE = new ArrayBlockSerializer(TYPE_BY_NAME);
    private static final int HAS_FILE = 1;
    private static final int HAS_OFFSET = 2;
    private static final String FORMAT = "ArrayBlock";

    /** The record format this serializer reads and writes. */
    private final int recordFormat;

    ArrayBlockSerializer(int recordFormat) {
        this.recordFormat = recordFormat;
    }

    @Override
    public boolean isImmutableType() { return true; }

    @Override
    public TypeSerializer<ArrayBlock> duplicate() { return this; }

    @Override
    public ArrayBlock createInstance() { return null; }

    @Override
    public ArrayBlock copy(ArrayBlock from) { return from; }

    @Override
    public ArrayBlock copy(ArrayBlock from, ArrayBlock reuse) { return from; }

    @Override
    public int getLength() { return -1; }

    @Override
    public void serialize(ArrayBlock b, DataOutputView target) throws IOException {
        StateWriter out = new StateWriter(target);
        long[] offset = b.offset();
        out.writeByte((b.file() != null ? HAS_FILE : 0) | (offset != null ? HAS_OFFSET : 0));
        if (b.file() != null) out.writeUTF(b.file());
        out.writeUTF(b.dataset());
        if (recordFormat == TYPE_BY_ORDINAL) DataTypeOrdinals.write(b.type(), out);
        else out.writeEnum(b.type());
        long[] shape = b.shape();
        out.writeLongs(shape);
        if (offset != null) for (long o : offset) out.writeLong(o);
        out.writeBytes(b.data());
    }

    @Override
    public ArrayBlock deserialize(DataInputView source) throws IOException {
        StateReader in = StateReader.of(source, FORMAT);
        int flags = in.readByte();
        String file = (flags & HAS_FILE) != 0 ? in.readUTF() : null;
        String dataset = in.readUTF();
        DataType type = recordFormat == TYPE_BY_ORDINAL ? DataTypeOrdinals.read(in) : in.readEnum(DataType.class);
        int rank = in.byteCount("rank", DatasetSpec.MAX_RANK);
        long[] shape = in.readLongs(rank);
        long[] offset = (flags & HAS_OFFSET) != 0 ? in.readLongs(rank) : null;
        byte[] data = in.readBytes("data length", StateReader.MAX_ARRAY_LENGTH);
        return new ArrayBlock(file, dataset, type, shape, offset, data);
    }

    @Override
    public ArrayBlock deserialize(ArrayBlock reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) { return o instanceof ArrayBlockSerializer s && s.recordFormat == recordFormat; }

    @Override
    public int hashCode() { return 31 * ArrayBlockSerializer.class.hashCode() + recordFormat; }

    @Override
    public TypeSerializerSnapshot<ArrayBlock> snapshotConfiguration() {
        return new Snapshot(recordFormat);
    }

    /**
     * Configuration snapshot: the record format, after a magic number. Version 3 was Flink's
     * {@code SimpleTypeSerializerSnapshot}, which stored nothing, for record format 1; its class
     * name is kept, since savepoints name the snapshot class they hold.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<ArrayBlock> {
        private static final int VERSION = 4;
        private static final int SIMPLE_SNAPSHOT_VERSION = 3;
        private static final int MAGIC = 0x48354142; // "H5AB"

        private int recordFormat;

        /** For Flink, which restores a snapshot by this constructor and {@link #readSnapshot}. */
        public Snapshot() {
            this(TYPE_BY_NAME);
        }

        Snapshot(int recordFormat) {
            this.recordFormat = recordFormat;
        }

        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(MAGIC);
            out.writeInt(recordFormat);
        }

        @Override
        public void readSnapshot(int version, DataInputView source, ClassLoader classLoader) throws IOException {
            if (version == SIMPLE_SNAPSHOT_VERSION) {
                recordFormat = TYPE_BY_ORDINAL;
            } else if (version == VERSION) {
                StateReader in = StateReader.of(source, "ArrayBlockSerializer snapshot");
                in.expectMagic(MAGIC);
                int format = in.readInt();
                if (format != TYPE_BY_ORDINAL && format != TYPE_BY_NAME) throw in.corrupt("record format " + format);
                recordFormat = format;
            } else {
                throw new IOException("unknown ArrayBlockSerializer snapshot version " + version);
            }
        }

        @Override
        public TypeSerializer<ArrayBlock> restoreSerializer() {
            return recordFormat == TYPE_BY_NAME ? INSTANCE : new ArrayBlockSerializer(recordFormat);
        }

        /**
         * The same record format is compatible as is; an older one after migration, which Flink
         * does by reading with the {@linkplain #restoreSerializer restored} old serializer and
         * writing with the new one.
         */
        @Override
        public TypeSerializerSchemaCompatibility<ArrayBlock> resolveSchemaCompatibility(
                TypeSerializerSnapshot<ArrayBlock> oldSnapshot) {
            if (!(oldSnapshot instanceof Snapshot old) || old.recordFormat > recordFormat) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return old.recordFormat == recordFormat ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
