package io.hdf5flink.hdf5.format;

import io.hdf5flink.hdf5.format.DatatypeMessage.CompoundMember;
import io.hdf5flink.hdf5.format.DatatypeMessage.EnumMember;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The member lists of compound (class 6) and enumerated (class 8) datatype properties
 * (specification IV.A.2.d). Names are NUL-terminated, padded to a multiple of 8 bytes in versions
 * 1 and 2 and unpadded in version 3. A compound member then states its byte offset (4 bytes; in
 * version 3 as few as the type's size needs), in version 1 array dimensions (none here), and its
 * own datatype. An enumerated type's values follow all its names, each in the base type. Writes
 * version 1, as libhdf5 does in h5py's default file format.
 */
final class DatatypeMembers {
    /** Version 1 compound members: 4 bytes of offset, 28 of dimensionality, permutation and sizes. */
    private static final int V1_MEMBER_FIELDS = 32;

    private DatatypeMembers() {}

    static int compoundLength(List<CompoundMember> members) {
        int length = 0;
        for (CompoundMember m : members) length += nameLength(m.name()) + V1_MEMBER_FIELDS + m.type().encodeBody().length;
        return length;
    }

    static void putCompound(ByteBuffer b, List<CompoundMember> members) {
        for (CompoundMember m : members) {
            putName(b, m.name());
            b.putInt(m.offset());
            // Dimensionality 0 (not an array), reserved, permutation, reserved, four dimension sizes.
            b.put(new byte[V1_MEMBER_FIELDS - 4]);
            b.put(m.type().encodeBody());
        }
    }

    static int enumLength(int baseLength, int valueSize, List<EnumMember> members) {
        int length = baseLength + members.size() * valueSize;
        for (EnumMember m : members) length += nameLength(m.name());
        return length;
    }

    /** Writes the names, then the values, little-endian in {@code valueSize} bytes. */
    static void putEnum(ByteBuffer b, int valueSize, List<EnumMember> members) {
        for (EnumMember m : members) putName(b, m.name());
        for (EnumMember m : members) {
            for (int i = 0; i < valueSize; i++) b.put((byte) (m.value() >>> (8 * i)));
        }
    }

    static List<CompoundMember> compound(ByteBuffer b, int version, int count, int size) {
        requireVersion(version, "compound");
        List<CompoundMember> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = name(b, version, "compound member name");
            long offset;
            if (version == 3) {
                int width = (31 - Integer.numberOfLeadingZeros(Math.max(1, size))) / 8 + 1;
                Bytes.require(b, width, "compound member offset");
                offset = unsigned(b, width, false);
            } else {
                Bytes.require(b, 4, "compound member offset");
                offset = Bytes.u32(b);
            }
            if (version == 1) {
                Bytes.require(b, V1_MEMBER_FIELDS - 4, "compound member dimensions");
                int dimensions = Bytes.u8(b);
                b.position(b.position() + V1_MEMBER_FIELDS - 5);
                if (dimensions != 0) {
                    throw new UnsupportedFormatException("compound member " + name + " is an array of " + dimensions
                            + " dimensions");
                }
            }
            if (offset > size) throw new Hdf5FormatException("compound member " + name + " at byte " + offset
                    + " lies outside its " + size + "-byte type");
            members.add(new CompoundMember(name, (int) offset, DatatypeMessage.decode(b, true)));
        }
        return members;
    }

    static List<EnumMember> enumeration(ByteBuffer b, int version, int count, DatatypeMessage base) {
        requireVersion(version, "enumerated");
        if (!base.isPlainNumber() || base.isFloatingPoint()) {
            throw new UnsupportedFormatException("an enumerated type over " + base.describe() + " is not supported");
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) names.add(name(b, version, "enumerated member name"));
        int size = base.size();
        Bytes.require(b, count * size, "enumerated values");
        List<EnumMember> members = new ArrayList<>(count);
        for (String name : names) {
            long value = unsigned(b, size, base.isBigEndian());
            if (base.isSigned() && size < 8) value = value << (64 - 8 * size) >> (64 - 8 * size);
            members.add(new EnumMember(name, value));
        }
        return members;
    }

    private static void requireVersion(int version, String what) {
        if (version < 1 || version > 3) {
            throw new UnsupportedFormatException(what + " datatype version " + version + " is not supported");
        }
    }

    private static int nameLength(String name) {
        return Bytes.pad8(name.getBytes(StandardCharsets.UTF_8).length + 1);
    }

    private static void putName(ByteBuffer b, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        b.put(bytes);
        b.put(new byte[nameLength(name) - bytes.length]);
    }

    private static String name(ByteBuffer b, int version, String what) {
        int start = b.position();
        String name = Bytes.cString(b, b.remaining(), what);
        if (version < 3) {
            int padded = start + Bytes.pad8(b.position() - start);
            Bytes.require(b, padded - b.position(), what + " padding");
            b.position(padded);
        }
        return name;
    }

    /** An unsigned number of {@code width} bytes (at most 8) in the given byte order. */
    private static long unsigned(ByteBuffer b, int width, boolean bigEndian) {
        byte[] bytes = new byte[width];
        b.get(bytes);
        long value = 0;
        for (int i = 0; i < width; i++) {
            int at = bigEndian ? i : width - 1 - i;
            value = value << 8 | (bytes[at] & 0xFF);
        }
        return value;
    }
}
