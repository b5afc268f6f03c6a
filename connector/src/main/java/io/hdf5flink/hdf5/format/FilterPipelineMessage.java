package io.hdf5flink.hdf5.format;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Data Storage - Filter Pipeline message (type 0x000B, HDF5 File Format Specification 3.0,
 * section IV.A.2.l): the filters a chunked dataset's chunks pass through, in the order they apply
 * when writing.
 *
 * <p>Encoding writes version 1, which libhdf5 writes for files with a version 0 superblock and
 * every libhdf5 reads: each filter's name is null-terminated and padded with nulls to a multiple
 * of 8 bytes, and an odd number of client data values is followed by 4 zero bytes. Decoding reads
 * versions 1 and 2; version 2 drops the reserved bytes and all padding, and stores no name for
 * filters with ids below 256.
 */
public final class FilterPipelineMessage implements HeaderMessage {

    /** The message type number. */
    public static final int TYPE = 0x000B;

    private static final int VERSION_1 = 1;
    private static final int VERSION_2 = 2;
    /** Version 2 stores names only for filters outside the specification's own range. */
    private static final int FIRST_ID_WITH_NAME_IN_V2 = 256;

    private final List<FilterDescription> filters;

    /**
     * @param filters the filters in the order they apply when writing
     * @throws IllegalArgumentException when there are more than 32 filters, or a name has
     *     characters beyond one byte (names are meant to be ASCII; bytes decoded from a file are
     *     kept as ISO-8859-1 so they encode back unchanged), contains a null or is too long for
     *     its 16-bit length field
     */
    public FilterPipelineMessage(List<FilterDescription> filters) {
        if (filters.size() > FilterPipeline.MAX_FILTERS) {
            throw new IllegalArgumentException("a filter pipeline holds at most " + FilterPipeline.MAX_FILTERS
                    + " filters, got " + filters.size());
        }
        for (FilterDescription f : filters) {
            String name = f.name();
            if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(name) || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("filter " + f.id() + " name must be single-byte characters "
                        + "without nulls: " + name);
            }
            if (paddedNameLength(name) > 0xFFFF) {
                throw new IllegalArgumentException("filter " + f.id() + " name is too long: " + name.length());
            }
            if (f.clientDataCount() > 0xFFFF) {
                throw new IllegalArgumentException("filter " + f.id() + " has too many client data values: "
                        + f.clientDataCount());
            }
        }
        this.filters = List.copyOf(filters);
    }

    /** The filters in the order they apply when writing. */
    public List<FilterDescription> filters() {
        return filters;
    }

    @Override
    public int type() {
        return TYPE;
    }

    /** Name length field of version 1: name, null and padding to a multiple of 8; 0 for no name. */
    private static int paddedNameLength(String name) {
        return name.isEmpty() ? 0 : (name.length() + 1 + 7) & ~7;
    }

    /** The version 1 body. */
    @Override
    public byte[] encodeBody() {
        int size = 8;
        for (FilterDescription f : filters) {
            int cd = f.clientDataCount();
            size += 8 + paddedNameLength(f.name()) + 4 * (cd + (cd & 1));
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION_1).put((byte) filters.size()).putShort((short) 0).putInt(0);
        for (FilterDescription f : filters) {
            int nameLength = paddedNameLength(f.name());
            int cd = f.clientDataCount();
            b.putShort((short) f.id()).putShort((short) nameLength).putShort((short) f.flags()).putShort((short) cd);
            if (nameLength > 0) {
                byte[] name = f.name().getBytes(StandardCharsets.ISO_8859_1);
                b.put(name).position(b.position() + nameLength - name.length);
            }
            for (int i = 0; i < cd; i++) {
                b.putInt(f.clientData(i));
            }
            if ((cd & 1) != 0) {
                b.putInt(0);
            }
        }
        return b.array();
    }

    /**
     * Reads a version 1 or 2 body.
     *
     * @param body little-endian, position at the body's start, limit at its end
     * @throws IOException when the body is corrupt: an unknown version, more than 32 filters, a
     *     name without its terminating null, or any field running past the body's end; the
     *     message names the field
     */
    public static FilterPipelineMessage decode(ByteBuffer body) throws IOException {
        ByteBuffer b = body.slice().order(ByteOrder.LITTLE_ENDIAN);
        need(b, 2, "version and number of filters");
        int version = b.get() & 0xFF;
        int count = b.get() & 0xFF;
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException("filter pipeline message version " + version + " is not supported (1 or 2)");
        }
        if (count > FilterPipeline.MAX_FILTERS) {
            throw new IOException("filter pipeline message declares " + count + " filters, more than the "
                    + FilterPipeline.MAX_FILTERS + " allowed: corrupt message");
        }
        if (version == VERSION_1) {
            need(b, 6, "reserved bytes");
            b.position(b.position() + 6);
        }
        List<FilterDescription> filters = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            String which = "filter " + n;
            need(b, 2, which + " identification");
            int id = b.getShort() & 0xFFFF;
            int nameLength = 0;
            if (version == VERSION_1 || id >= FIRST_ID_WITH_NAME_IN_V2) {
                need(b, 2, which + " name length");
                nameLength = b.getShort() & 0xFFFF;
            }
            need(b, 4, which + " flags and number of client data values");
            int flags = b.getShort() & 0xFFFF;
            int cdCount = b.getShort() & 0xFFFF;
            String name = "";
            if (nameLength > 0) {
                need(b, nameLength, which + " name (" + nameLength + " bytes)");
                byte[] raw = new byte[nameLength];
                b.get(raw);
                int end = 0;
                while (end < nameLength && raw[end] != 0) {
                    end++;
                }
                if (end == nameLength) {
                    throw new IOException("filter pipeline message: " + which + " name is not null-terminated "
                            + "within its " + nameLength + " bytes: corrupt message");
                }
                name = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
            }
            int padding = version == VERSION_1 && (cdCount & 1) != 0 ? 4 : 0;
            need(b, 4L * cdCount + padding, which + " client data (" + cdCount + " values)");
            int[] cd = new int[cdCount];
            for (int i = 0; i < cdCount; i++) {
                cd[i] = b.getInt();
            }
            b.position(b.position() + padding);
            filters.add(new FilterDescription(id, name, flags, cd));
        }
        return new FilterPipelineMessage(filters);
    }

    private static void need(ByteBuffer b, long bytes, String field) throws IOException {
        if (b.remaining() < bytes) {
            throw new IOException("filter pipeline message is truncated: " + field + " needs " + bytes
                    + " bytes but only " + b.remaining() + " remain");
        }
    }

    /** Equal when the filters are equal, in order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FilterPipelineMessage other && filters.equals(other.filters);
    }

    @Override
    public int hashCode() {
        return filters.hashCode();
    }

    @Override
    public String toString() {
        return "FilterPipelineMessage" + filters;
    }
}
