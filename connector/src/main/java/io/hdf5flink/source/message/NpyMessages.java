package io.hdf5flink.source.message;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.source.format.NpyHeader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The wire format of array blocks on a message bus: each message value is one block in numpy's
 * {@code .npy} format (what {@code np.save} writes to a byte buffer; self-describing: dtype,
 * shape, C order), appended along axis 0 of its dataset, or written at an explicit offset.
 * Where it goes is said by message headers (UTF-8 strings), leaving the key free for the
 * producer's partitioning:
 *
 * <ul>
 *   <li>{@value #DATASET} the dataset's absolute path, e.g. {@code /acquisition/data} (absent: the
 *       consumer's default dataset);
 *   <li>{@value #FILE} the output file, relative to the sink's base directory (absent: the
 *       sink's default file);
 *   <li>{@value #OFFSET} the block's first index on every axis, comma-separated (absent: appended).
 * </ul>
 *
 * <p>A single frame of a stack of frames is sent with a leading axis of 1 (shape
 * {@code (1, 512, 512)}), since the array's first axis is the rows it appends. Other headers whose
 * names start with {@value #PREFIX} are refused (a misspelt {@code hdf5.datset} must not send
 * blocks to the default dataset); headers outside that prefix are the producer's own and ignored.
 */
@PublicEvolving
public final class NpyMessages {
    /** The prefix of the headers this format reads. */
    public static final String PREFIX = "hdf5.";
    /** Header: the dataset's absolute path. */
    public static final String DATASET = "hdf5.dataset";
    /** Header: the output file, relative to the sink's base directory. */
    public static final String FILE = "hdf5.file";
    /** Header: the block's first index on every axis, comma-separated. */
    public static final String OFFSET = "hdf5.offset";

    private NpyMessages() {}

    /**
     * Decodes one message value into a block.
     *
     * @param where where the message came from, for errors
     * @param value the message value, a {@code .npy} array
     * @param file the {@value #FILE} header, or null
     * @param dataset the {@value #DATASET} header, or the default dataset
     * @param offset the {@value #OFFSET} header, or null for an appended block
     * @throws BadMessageException saying where the message came from and what is wrong with it
     */
    public static ArrayBlock decode(String where, byte[] value, String file, String dataset, String offset)
            throws BadMessageException {
        if (value == null) throw new BadMessageException(where, "the message has no value (a tombstone), not a .npy array");
        if (dataset == null || dataset.isEmpty()) {
            throw new BadMessageException(where, "the message has no " + DATASET + " header and there is no default dataset");
        }
        try {
            dataset = Hdf5Paths.normalize(dataset);
        } catch (IllegalArgumentException e) {
            throw new BadMessageException(where, DATASET + " header: " + e.getMessage());
        }
        if (dataset.equals("/")) throw new BadMessageException(where, DATASET + " header names the root group, not a dataset");
        if (file != null && file.isBlank()) throw new BadMessageException(where, FILE + " header is empty");
        NpyHeader header;
        try {
            header = NpyHeader.read(new ByteArrayInputStream(value));
        } catch (IOException e) {
            throw new BadMessageException(where, "the value is not a .npy array: " + e.getMessage());
        }
        long elements = 1;
        for (long extent : header.shape()) elements = Math.multiplyExact(elements, extent);
        long bytes = elements * header.type().size();
        long actual = value.length - header.dataOffset();
        if (actual != bytes) {
            throw new BadMessageException(where, String.format(Locale.ROOT, "the .npy array %s of %s needs %d data bytes, the value"
                    + " holds %d after its header", Arrays.toString(header.shape()), header.type().numpyName(), bytes, actual));
        }
        byte[] data = Arrays.copyOfRange(value, (int) header.dataOffset(), value.length);
        if (header.bigEndian()) header.type().swapByteOrder(data);
        long[] start = offset == null ? null : offset(where, offset, header.shape().length);
        ArrayBlock block = new ArrayBlock(file, dataset, header.type(), header.shape(), start, data);
        try {
            return block.validate();
        } catch (IllegalArgumentException e) {
            throw new BadMessageException(where, e.getMessage());
        }
    }

    private static long[] offset(String where, String header, int rank) throws BadMessageException {
        String[] parts = header.split(",", -1);
        if (parts.length != rank) {
            throw new BadMessageException(where, OFFSET + " '" + header + "' has " + parts.length + " indices, the array "
                    + rank + " axes");
        }
        long[] offset = new long[rank];
        for (int d = 0; d < rank; d++) {
            try {
                offset[d] = Long.parseLong(parts[d].strip());
            } catch (NumberFormatException e) {
                offset[d] = -1;
            }
            if (offset[d] < 0) throw new BadMessageException(where, OFFSET + " '" + header + "' is not " + rank + " indices >= 0");
        }
        return offset;
    }

    /**
     * Encodes an array as a {@code .npy} (format 1.0) value: what {@code np.save} writes, so that
     * producers in Java and in Python send the same bytes.
     *
     * @param data the elements, little-endian, C order
     */
    public static byte[] encode(DataType type, long[] shape, byte[] data) {
        StringBuilder tuple = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) tuple.append(shape[d]).append(d + 1 < shape.length ? ", " : shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + type.numpyStr() + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        // numpy pads the header with spaces and a newline so the data starts at a multiple of 64.
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        byte[] header = (dict + " ".repeat(padded - unpadded) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        if (header.length > 0xFFFF) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " makes too long a .npy header");
        ByteBuffer out = ByteBuffer.allocate(10 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header).put(data);
        return out.array();
    }
}
