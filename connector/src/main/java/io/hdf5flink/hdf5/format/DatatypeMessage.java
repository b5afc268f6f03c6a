package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The datatype message, type 0x0003 (specification IV.A.2.d), version 1, for the classes this
 * engine writes: fixed-point (class 0) and IEEE floating-point (class 1) numbers, always
 * little-endian; fixed-length strings (class 3, NUL-padded, UTF-8) for attributes; and compound
 * (class 6) and enumerated (class 8) types made of those numbers, which is how h5py stores
 * complex numbers and booleans. Decoding recognizes the same classes in either byte order
 * (compound and enumerated types of versions 1 to 3) and leaves every other class opaque: its
 * class and size, for a message that names it.
 *
 * <p>Numbers are described by size, signedness and class, not by the engine's element type, so
 * that this package depends on nothing above it: a "plain number" is what numpy and the engine
 * call a numeric dtype (1-, 2-, 4- or 8-byte integers, IEEE binary16, binary32 or binary64, no
 * padding).
 */
public final class DatatypeMessage implements HeaderMessage {
    public static final int TYPE = 0x0003;
    static final int CLASS_FIXED = 0;
    static final int CLASS_FLOAT = 1;
    static final int CLASS_STRING = 3;
    static final int CLASS_COMPOUND = 6;
    static final int CLASS_ENUM = 8;

    /** A member of a compound type: its name, its byte offset in the element, and its type. */
    public record CompoundMember(String name, int offset, DatatypeMessage type) {}

    /** A member of an enumerated type: its name and its value in the base type. */
    public record EnumMember(String name, long value) {}

    private final int typeClass;
    private final int size;
    private final boolean signed;
    /** Whether this is a plain number: a fixed-point or IEEE type numpy has a dtype for. */
    private final boolean plainNumber;
    private final boolean bigEndian;
    /** The members of a compound type; empty for every other class. */
    private final List<CompoundMember> compoundMembers;
    /** The base type of an enumerated type; null for every other class. */
    private final DatatypeMessage enumBase;
    /** The members of an enumerated type; empty for every other class. */
    private final List<EnumMember> enumMembers;

    private DatatypeMessage(int typeClass, int size, boolean signed, boolean plainNumber, boolean bigEndian,
            List<CompoundMember> compoundMembers, DatatypeMessage enumBase, List<EnumMember> enumMembers) {
        this.typeClass = typeClass;
        this.size = size;
        this.signed = signed;
        this.plainNumber = plainNumber;
        this.bigEndian = bigEndian;
        this.compoundMembers = List.copyOf(compoundMembers);
        this.enumBase = enumBase;
        this.enumMembers = List.copyOf(enumMembers);
    }

    private static DatatypeMessage simple(int typeClass, int size, boolean signed, boolean plainNumber,
            boolean bigEndian) {
        return new DatatypeMessage(typeClass, size, signed, plainNumber, bigEndian, List.of(), null, List.of());
    }

    /** A little-endian integer of 1, 2, 4 or 8 bytes. */
    public static DatatypeMessage fixedPoint(int size, boolean signed) {
        if (!plainSize(CLASS_FIXED, size)) throw new IllegalArgumentException("no " + size + "-byte integer type");
        return simple(CLASS_FIXED, size, signed, true, false);
    }

    /** A little-endian IEEE binary16 ({@code size} 2), binary32 (4) or binary64 (8). */
    public static DatatypeMessage floatingPoint(int size) {
        if (!plainSize(CLASS_FLOAT, size)) throw new IllegalArgumentException("no " + size + "-byte IEEE type");
        return simple(CLASS_FLOAT, size, true, true, false);
    }

    /** A fixed-length, NUL-padded UTF-8 string of {@code size} bytes. */
    public static DatatypeMessage fixedString(int size) {
        return simple(CLASS_STRING, size, false, false, false);
    }

    /**
     * A compound type of {@code size} bytes with the given members, each a plain number inside
     * the element.
     */
    public static DatatypeMessage compound(int size, List<CompoundMember> members) {
        for (CompoundMember m : members) {
            if (!m.type().plainNumber || m.offset() < 0 || m.offset() + m.type().size > size) {
                throw new IllegalArgumentException("compound member " + m.name() + " is not a plain number inside "
                        + size + " bytes");
            }
        }
        return new DatatypeMessage(CLASS_COMPOUND, size, false, false, false, members, null, List.of());
    }

    /** An enumerated type over a plain integer {@code base}, with the given members. */
    public static DatatypeMessage enumeration(DatatypeMessage base, List<EnumMember> members) {
        if (!base.plainNumber || base.typeClass != CLASS_FIXED) {
            throw new IllegalArgumentException("an enumerated type needs an integer base type, not " + base.describe());
        }
        return new DatatypeMessage(CLASS_ENUM, base.size, base.signed, false, base.bigEndian, List.of(), base, members);
    }

    /** Integers come in the four numpy sizes; IEEE floats as binary16, binary32 and binary64. */
    static boolean plainSize(int typeClass, int size) {
        return typeClass == CLASS_FLOAT ? IeeeLayout.of(size) != null : size == 1 || size == 2 || size == 4 || size == 8;
    }

    @Override
    public int type() { return TYPE; }

    public int size() { return size; }

    /**
     * Whether numbers of this type are stored big-endian: for a compound type, whether any member
     * is; for an enumerated type, whether its base type is.
     */
    public boolean isBigEndian() {
        return bigEndian || compoundMembers.stream().anyMatch(m -> m.type().isBigEndian());
    }

    public boolean isFloatingPoint() { return typeClass == CLASS_FLOAT; }

    /** For fixed-point numbers: two's complement rather than unsigned. */
    public boolean isSigned() { return signed; }

    /** Whether this is a plain number: a fixed-point or IEEE type numpy has a dtype for. */
    public boolean isPlainNumber() { return plainNumber; }

    /** The members of a compound type, in stored order; empty for any other class. */
    public List<CompoundMember> compoundMembers() { return compoundMembers; }

    /** The base type of an enumerated type, or null for any other class. */
    public DatatypeMessage enumBase() { return enumBase; }

    /** The members of an enumerated type, in stored order; empty for any other class. */
    public List<EnumMember> enumMembers() { return enumMembers; }

    /** The class and size, as a message names the type: {@code "compound of 12 bytes"}. */
    public String describe() {
        return className() + " of " + size + (size == 1 ? " byte" : " bytes");
    }

    /**
     * The exception that says this type is not one {@code supported} lists.
     *
     * @param where the dataset or attribute the type belongs to, for the message
     */
    public Hdf5FormatException unsupported(String where, String supported) {
        return new UnsupportedFormatException(where + ": datatype class " + describe() + " is not supported ("
                + supported + " are)");
    }

    private String className() {
        return switch (typeClass) {
            case CLASS_FIXED -> "fixed-point";
            case CLASS_FLOAT -> "floating-point";
            case 2 -> "time";
            case CLASS_STRING -> "string";
            case 4 -> "bitfield";
            case 5 -> "opaque";
            case CLASS_COMPOUND -> "compound";
            case 7 -> "reference";
            case CLASS_ENUM -> "enumerated";
            case 9 -> "variable-length";
            case 10 -> "array";
            default -> "#" + typeClass;
        };
    }

    /**
     * Whether {@link #encodeBody()} can write this type: a string, a plain number, or a compound
     * or enumerated type built from plain numbers. A decoded type of another class or layout can
     * only be read.
     */
    public boolean writable() {
        return switch (typeClass) {
            case CLASS_STRING -> true;
            case CLASS_COMPOUND -> !compoundMembers.isEmpty()
                    && compoundMembers.stream().allMatch(m -> m.type().plainNumber && !m.type().bigEndian);
            case CLASS_ENUM -> enumBase != null && enumBase.plainNumber && !enumBase.bigEndian;
            default -> plainNumber && !bigEndian;
        };
    }

    @Override
    public byte[] encodeBody() {
        if (!writable()) throw new IllegalStateException("datatype " + describe() + " is read-only here");
        ByteBuffer b;
        switch (typeClass) {
            case CLASS_FIXED -> {
                b = header(12, CLASS_FIXED, signed ? 0x08 : 0x00, 0);
                b.putShort((short) 0); // bit offset
                b.putShort((short) (8 * size)); // bit precision
            }
            case CLASS_FLOAT -> {
                IeeeLayout layout = IeeeLayout.of(size);
                b = header(20, CLASS_FLOAT, 0x20, layout.signLocation()); // little-endian, msb implied
                b.putShort((short) 0); // bit offset
                b.putShort((short) (8 * size)); // bit precision
                layout.put(b);
            }
            case CLASS_STRING -> b = header(8, CLASS_STRING, 0x01 | 0x10, 0); // NUL pad, UTF-8
            case CLASS_COMPOUND -> {
                b = header(8 + DatatypeMembers.compoundLength(compoundMembers), CLASS_COMPOUND,
                        compoundMembers.size() & 0xFF, compoundMembers.size() >>> 8);
                DatatypeMembers.putCompound(b, compoundMembers);
            }
            default -> {
                byte[] base = enumBase.encodeBody();
                b = header(8 + DatatypeMembers.enumLength(base.length, size, enumMembers), CLASS_ENUM,
                        enumMembers.size() & 0xFF, enumMembers.size() >>> 8);
                b.put(base);
                DatatypeMembers.putEnum(b, size, enumMembers);
            }
        }
        return b.array();
    }

    /** A buffer of {@code length} bytes holding the version 1 header: class, bit fields, size. */
    private ByteBuffer header(int length, int typeClass, int bits0, int bits1) {
        ByteBuffer b = Bytes.allocate(length);
        b.put((byte) (0x10 | typeClass));
        b.put((byte) bits0);
        b.put((byte) bits1);
        b.put((byte) 0);
        b.putInt(size);
        return b;
    }

    /**
     * Decodes a datatype message. A class this package does not model is returned opaque (its
     * class and size only), and so is a compound or enumerated type with such a member.
     */
    public static DatatypeMessage decode(ByteBuffer b) {
        return decode(b, false);
    }

    /**
     * Decodes one datatype. {@code nested} (a member or base type inside another) must consume
     * exactly its own bytes, so a class whose properties it cannot skip is an
     * {@link UnsupportedFormatException} there; at the top level it is opaque.
     */
    static DatatypeMessage decode(ByteBuffer b, boolean nested) {
        Bytes.require(b, 8, "datatype message");
        int classAndVersion = Bytes.u8(b);
        int version = classAndVersion >>> 4;
        int typeClass = classAndVersion & 0x0F;
        int bits0 = Bytes.u8(b);
        int bits1 = Bytes.u8(b);
        b.get();
        int size = b.getInt();
        switch (typeClass) {
            case CLASS_FIXED, CLASS_FLOAT -> {
                return number(b, typeClass, bits0, bits1, size);
            }
            case CLASS_STRING -> {
                return simple(CLASS_STRING, size, false, false, false);
            }
            case CLASS_COMPOUND, CLASS_ENUM -> {
                int members = bits0 | bits1 << 8;
                try {
                    if (typeClass == CLASS_COMPOUND) {
                        return new DatatypeMessage(CLASS_COMPOUND, size, false, false, false,
                                DatatypeMembers.compound(b, version, members, size), null, List.of());
                    }
                    DatatypeMessage base = decode(b, true);
                    return new DatatypeMessage(CLASS_ENUM, size, base.signed, false, base.bigEndian, List.of(), base,
                            DatatypeMembers.enumeration(b, version, members, base));
                } catch (UnsupportedFormatException e) {
                    if (nested) throw e;
                    return simple(typeClass, size, false, false, false);
                }
            }
            default -> {
                if (nested) {
                    throw new UnsupportedFormatException("a member of datatype class " + simple(typeClass, size, false,
                            false, false).describe() + " is not supported");
                }
                return simple(typeClass, size, false, false, false);
            }
        }
    }

    /** A fixed-point or floating-point number: its properties are read whole. */
    private static DatatypeMessage number(ByteBuffer b, int typeClass, int bits0, int bits1, int size) {
        if (typeClass == CLASS_FLOAT && (bits0 & 0x40) != 0) {
            throw new UnsupportedFormatException("VAX-ordered floating point is not supported");
        }
        Bytes.require(b, typeClass == CLASS_FLOAT ? 12 : 4, "datatype properties");
        int bitOffset = Bytes.u16(b);
        int precision = Bytes.u16(b);
        boolean signed = typeClass == CLASS_FLOAT || (bits0 & 0x08) != 0;
        // Padded or partial-precision numbers are not plain numpy types.
        boolean plain = plainSize(typeClass, size) && bitOffset == 0 && precision == 8 * size;
        if (typeClass == CLASS_FLOAT) {
            IeeeLayout stored = IeeeLayout.read(b, bits1);
            boolean impliedMsb = ((bits0 >> 4) & 3) == 2;
            // A float of the right size with another layout (exponent, mantissa, bias) is not IEEE.
            plain &= impliedMsb && stored.equals(IeeeLayout.of(size));
        }
        return simple(typeClass, size, signed, plain, (bits0 & 1) != 0);
    }
}
