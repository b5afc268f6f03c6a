package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.Bytes;
import io.hdf5flink.hdf5.format.DataLayoutMessage;
import io.hdf5flink.hdf5.format.DataspaceMessage;
import io.hdf5flink.hdf5.format.DatatypeMessage;
import io.hdf5flink.hdf5.format.FillValueMessage;
import io.hdf5flink.hdf5.format.FilterPipelineMessage;
import io.hdf5flink.hdf5.format.HeaderMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import io.hdf5flink.hdf5.format.VirtualLayoutMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A dataset's object header as the engine writes and reads it: the messages that describe a new
 * dataset from its {@link DatasetSpec}, and the {@link Layout} read back from an existing header,
 * refusing (by name) what the engine cannot append to.
 */
final class DatasetHeader {
    private static final int EXTERNAL_DATA_FILES = 0x0007;

    private DatasetHeader() {}

    /**
     * Everything read from (or written into) the header when the dataset is opened.
     *
     * @param reindexedFrom the index a version 4 layout names (the dataset is then re-indexed with a
     *     version 1 B-tree holding {@code inherited}, published with its first commit), else null
     * @param inherited the chunks that index lists, inside the shape; empty when not re-indexed
     * @param keptIndex for a version 4 layout whose index is kept: {@link DataLayoutMessage#EXTENSIBLE_ARRAY}
     *     (one unlimited axis) or {@link DataLayoutMessage#VERSION_2_BTREE} (several), {@code
     *     indexRoot} being its header (undefined while the dataset has none); 0 for a version 1
     *     B-tree, kept or re-indexed into
     * @param indexParameters the layout message's parameters of a kept index, for a new one
     * @param indexAddressOffset where the index address lies in the layout message's body;
     *     negative when the first commit re-indexes the dataset
     */
    record Layout(DataType type, long[] dims, long[] maxDims, long[] chunkDims, List<FilterDescription> filters,
            byte[] fillElement, long indexRoot, String reindexedFrom, List<Hdf5DatasetReader.StoredChunk> inherited,
            int keptIndex, byte[] indexParameters, int indexAddressOffset) {
        Layout {
            if (fillElement == null) fillElement = new byte[type.size()];
        }

        /** Bytes of one uncompressed chunk; refuses chunks over the 2 GiB the engine supports. */
        int chunkBytes(ErrorContext where) {
            long bytes = type.size();
            for (long c : chunkDims) bytes = c > 0 && bytes > DatasetSpec.MAX_CHUNK_BYTES / c ? Long.MAX_VALUE : bytes * c;
            if (bytes > DatasetSpec.MAX_CHUNK_BYTES) {
                throw where.error("chunks of " + Arrays.toString(chunkDims) + " " + type
                        + " exceed the 2 GiB this engine supports");
            }
            return (int) bytes;
        }
    }

    /**
     * The messages of a new dataset's header, in the order that puts dims, index root and commit
     * token next to each other, so a commit publishes them in one write.
     */
    static List<HeaderMessage> messagesFor(DatasetSpec spec) {
        List<HeaderMessage> messages = new ArrayList<>();
        messages.add(new DataspaceMessage(spec.shape(), spec.maxShape()));
        messages.add(new DataLayoutMessage(Bytes.UNDEFINED_ADDRESS, spec.chunks(), spec.type().size()));
        if (spec.commitTokenCapacity() > 0) messages.add(CommitFields.tokenAttribute(spec.commitTokenCapacity()));
        messages.add(DataTypeMessages.of(spec.type()));
        messages.add(new FillValueMessage(spec.fillValue()));
        if (!spec.filters().isEmpty()) messages.add(new FilterPipelineMessage(spec.filters()));
        messages.addAll(attributeMessages(spec));
        return messages;
    }

    /**
     * The messages that say what a dataset holds, whatever its storage: datatype, fill value,
     * attributes (what a virtual dataset's header has besides dataspace and layout).
     */
    static List<HeaderMessage> describingMessages(DatasetSpec spec) {
        List<HeaderMessage> messages = new ArrayList<>();
        messages.add(DataTypeMessages.of(spec.type()));
        messages.add(new FillValueMessage(spec.fillValue()));
        messages.addAll(attributeMessages(spec));
        return messages;
    }

    private static List<HeaderMessage> attributeMessages(DatasetSpec spec) {
        List<HeaderMessage> messages = new ArrayList<>();
        for (Map.Entry<String, AttributeValue> a : spec.attributes().entrySet()) {
            AttributeValue v = a.getValue();
            messages.add(new AttributeMessage(a.getKey(), v.datatype(), v.dataspace(), v.data()));
        }
        return messages;
    }

    /** The layout of a new dataset, as {@link #messagesFor} describes it, with an empty chunk index. */
    static Layout layoutOf(DatasetSpec spec) {
        return new Layout(spec.type(), spec.shape(), spec.maxShape(), spec.chunks(), spec.filters(), spec.fillValue(),
                Bytes.UNDEFINED_ADDRESS, null, List.of(), 0, null, DataLayoutMessage.BTREE_ADDRESS_OFFSET);
    }

    /** Reads the layout of an existing dataset, refusing what this engine cannot append to. */
    static Layout read(FileStorage storage, ObjectHeader header, ErrorContext where) throws IOException {
        String path = where.object();
        ErrorContext file = ErrorContext.of(where.file());
        if (header.find(EXTERNAL_DATA_FILES) != null) throw file.error(path + " stores its data in external files; not supported");
        Slot spaceSlot = require(header, DataspaceMessage.TYPE, "dataspace", where);
        Slot typeSlot = require(header, DatatypeMessage.TYPE, "datatype", where);
        Slot layoutSlot = require(header, DataLayoutMessage.TYPE, "data layout", where);
        ByteBuffer layoutBody = body(storage, layoutSlot, path);
        if (VirtualLayoutMessage.isVirtual(layoutBody)) {
            throw file.error(path + " is a virtual dataset (a master file's view of datasets in other files);"
                    + " it cannot be appended to: append to the datasets it maps");
        }
        DataLayoutMessage layout = DataLayoutMessage.decode(layoutBody, where.file() + ": " + path);
        DataspaceMessage space = DataspaceMessage.decode(body(storage, spaceSlot, path));
        DatatypeMessage dt = DatatypeMessage.decode(body(storage, typeSlot, path));
        DataType type = DataTypeMessages.typeOf(dt, where.file() + ": " + path);
        if (dt.isBigEndian() && type.size() > 1) {
            throw file.error(path + " is stored big-endian; only little-endian datasets can be appended to");
        }
        if (layout.chunkDims().length != space.dims().length || layout.elementSize() != type.size()) {
            throw where.error("layout rank/element size do not match dataspace/datatype");
        }
        List<FilterDescription> filters = List.of();
        Slot filterSlot = header.find(FilterPipelineMessage.TYPE);
        if (filterSlot != null) filters = FilterPipelineMessage.decode(body(storage, filterSlot, path)).filters();
        byte[] fill = null;
        Slot fillSlot = header.find(FillValueMessage.TYPE);
        if (fillSlot != null) fill = FillValueMessage.decodeValue(body(storage, fillSlot, path));
        if (fill != null && fill.length != type.size()) {
            throw where.error("fill value of " + fill.length + " bytes for " + type);
        }
        long[] max = space.effectiveMaxDims();
        for (int i = 0; i < max.length; i++) if (max[i] == DataspaceMessage.UNLIMITED) max[i] = DatasetSpec.UNLIMITED;
        long[] dims = space.dims();
        for (int i = 0; i < dims.length; i++) {
            // Unsigned 64-bit sizes past 2^63 read as negative; a current size beyond the maximum
            // is corrupt (libhdf5 never writes one).
            if (dims[i] < 0 || (max[i] != DatasetSpec.UNLIMITED && (max[i] < 0 || max[i] < dims[i]))) {
                throw where.error("dataspace of shape " + Arrays.toString(dims) + " and maximum shape "
                        + Arrays.toString(max) + " is corrupt (axis " + i + ")");
            }
        }
        if (layout.version4Index() == null) {
            return new Layout(type, dims, max, layout.chunkDims(), filters, fill, layout.indexAddress(), null, List.of(), 0, null,
                    DataLayoutMessage.BTREE_ADDRESS_OFFSET);
        }
        if (header.version() != 2) throw file.error(path + ": a version 4 data layout in a version 1 object header is not supported");
        Layout empty = new Layout(type, dims, max, layout.chunkDims(), filters, fill, Bytes.UNDEFINED_ADDRESS, layout.version4Index(), List.of(),
                0, null, -1);
        int type4 = layout.version4IndexType();
        if (type4 == DataLayoutMessage.EXTENSIBLE_ARRAY || type4 == DataLayoutMessage.VERSION_2_BTREE) {
            // Kept as it is: appended to copy-on-write (ExtensibleArrayChunkIndex, V2BTreeChunkIndex).
            return new Layout(type, dims, max, layout.chunkDims(), filters, fill, layout.indexAddress(), null, List.of(), type4,
                    layout.version4Parameters(), layout.addressOffset());
        }
        List<Hdf5DatasetReader.StoredChunk> inherited = Version4Chunks.list(storage, where, layout, dims, max, !filters.isEmpty(),
                empty.chunkBytes(where));
        return new Layout(type, dims, max, layout.chunkDims(), filters, fill, Bytes.UNDEFINED_ADDRESS, layout.version4Index(), inherited,
                0, null, -1);
    }

    private static Slot require(ObjectHeader header, int type, String what, ErrorContext where) {
        Slot s = header.find(type);
        if (s == null) throw ErrorContext.of(where.file()).error(where.object() + " has no " + what + " message");
        return s;
    }

    private static ByteBuffer body(FileStorage storage, Slot s, String path) throws IOException {
        return storage.read(s.bodyAddress(), s.bodySize(), "header message of " + path);
    }
}
