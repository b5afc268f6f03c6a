package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The superblock (specification II.A): the file's signature, field sizes, end-of-file address and
 * where the root group is.
 *
 * <ul>
 *   <li>Versions 0 and 1 (h5py's default format) also hold the B-tree K values and the root
 *       group's symbol table entry. The end-of-file address is the only field that changes after
 *       creation: its 8 bytes are raised in place.
 *   <li>Versions 2 and 3 ({@code libver='latest'}; 3 from libhdf5 1.10 on) are 48 bytes with a
 *       lookup3 checksum and hold the root group's object header address. Any change rewrites all
 *       48 bytes with the new checksum, one write within the file's first sector. Version 3 adds
 *       the file-consistency flags that libhdf5 sets while a writer has the file open: {@link
 *       #WRITE_ACCESS} and {@link #SWMR_WRITE_ACCESS}. A reader in SWMR mode opens a file flagged
 *       with both; any other libhdf5 open is refused while a flag is set (and after a writer was
 *       killed, until {@code h5clear -s} clears them).
 * </ul>
 *
 * <p>In every version the end-of-file address is raised before anything that points past the old
 * value is published (readers refuse addresses beyond it).
 */
public final class Superblock {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** Size of a version 0 superblock with 8-byte offsets and lengths. */
    public static final int V0_SIZE = 96;
    /** Size of a version 2 or 3 superblock with 8-byte offsets and lengths, its checksum included. */
    public static final int V2_SIZE = 48;
    /** File offset of the end-of-file address field in a version 0 superblock. */
    public static final long V0_EOF_FIELD = 40;
    /** Where versions 2 and 3 keep the end-of-file address. */
    private static final long V2_EOF_FIELD = 28;
    /** Version 3's flag: a writer has the file open. */
    public static final int WRITE_ACCESS = 0x01;
    /** Version 3's flag: that writer follows SWMR's order of writes, so SWMR readers may open the file. */
    public static final int SWMR_WRITE_ACCESS = 0x04;
    public static final int GROUP_LEAF_NODE_K = 4;
    public static final int GROUP_INTERNAL_NODE_K = 16;
    static final int INDEXED_STORAGE_NODE_K = 32;

    private final int version;
    private final int groupLeafNodeK;
    private final int groupInternalNodeK;
    private final int indexedStorageNodeK;
    private final long endOfFileAddress;
    private final long endOfFileFieldOffset;
    /** Versions 0 and 1: the root group's entry; null for 2 and 3. */
    private final SymbolTableEntry rootGroup;
    private final long rootObjectHeaderAddress;
    /** Version 3's file-consistency flags (0 in the other versions). */
    private final int flags;

    private Superblock(int version, int groupLeafNodeK, int groupInternalNodeK, int indexedStorageNodeK,
            long endOfFileAddress, long endOfFileFieldOffset, SymbolTableEntry rootGroup, long rootObjectHeaderAddress,
            int flags) {
        this.version = version;
        this.groupLeafNodeK = groupLeafNodeK;
        this.groupInternalNodeK = groupInternalNodeK;
        this.indexedStorageNodeK = indexedStorageNodeK;
        this.endOfFileAddress = endOfFileAddress;
        this.endOfFileFieldOffset = endOfFileFieldOffset;
        this.rootGroup = rootGroup;
        this.rootObjectHeaderAddress = rootObjectHeaderAddress;
        this.flags = flags;
    }

    /** A new version 0 superblock with libhdf5's default K values. */
    public static Superblock v0(long endOfFileAddress, SymbolTableEntry rootGroup) {
        return new Superblock(0, GROUP_LEAF_NODE_K, GROUP_INTERNAL_NODE_K, INDEXED_STORAGE_NODE_K,
                endOfFileAddress, V0_EOF_FIELD, rootGroup, rootGroup.objectHeaderAddress(), 0);
    }

    /** A new version 3 superblock, no flags set: K values are libhdf5's defaults (there is no superblock extension). */
    public static Superblock v3(long endOfFileAddress, long rootObjectHeaderAddress) {
        return new Superblock(3, GROUP_LEAF_NODE_K, GROUP_INTERNAL_NODE_K, INDEXED_STORAGE_NODE_K,
                endOfFileAddress, V2_EOF_FIELD, null, rootObjectHeaderAddress, 0);
    }

    /** This superblock with another end-of-file address. */
    public Superblock withEndOfFile(long eof) {
        return new Superblock(version, groupLeafNodeK, groupInternalNodeK, indexedStorageNodeK, eof, endOfFileFieldOffset,
                rootGroup, rootObjectHeaderAddress, flags);
    }

    /** This superblock with other file-consistency flags; only version 3 has them. */
    public Superblock withFlags(int newFlags) {
        if (version != 3 && newFlags != 0) throw new IllegalStateException("superblock version " + version + " has no file-consistency flags");
        return new Superblock(version, groupLeafNodeK, groupInternalNodeK, indexedStorageNodeK, endOfFileAddress,
                endOfFileFieldOffset, rootGroup, rootObjectHeaderAddress, newFlags);
    }

    /** Whether changes are written as the whole checksummed superblock rather than one field. */
    private boolean checksummed() {
        return version >= 2;
    }

    /** Where {@link #changedBytes} go. */
    public long changedBytesOffset() {
        return checksummed() ? 0 : endOfFileFieldOffset;
    }

    /**
     * What to write at {@link #changedBytesOffset} to store this superblock over an earlier state of
     * the same one that differs in end of file or flags only: the 8-byte end-of-file field of
     * versions 0 and 1, the whole of versions 2 and 3.
     */
    public byte[] changedBytes() {
        if (checksummed()) return encode();
        ByteBuffer b = Bytes.allocate(8);
        b.putLong(0, endOfFileAddress);
        return b.array();
    }

    public byte[] encode() {
        if (version == 0) return encodeV0();
        if (version >= 2) return encodeV2();
        throw new IllegalStateException("superblock version 1 is read and raised in place, never written whole");
    }

    private byte[] encodeV0() {
        ByteBuffer b = Bytes.allocate(V0_SIZE);
        b.put(SIGNATURE);
        b.put((byte) 0); // superblock version
        b.put((byte) 0); // free-space storage version
        b.put((byte) 0); // root group symbol table entry version
        b.put((byte) 0); // reserved
        b.put((byte) 0); // shared header message format version
        b.put((byte) 8); // size of offsets
        b.put((byte) 8); // size of lengths
        b.put((byte) 0); // reserved
        b.putShort((short) groupLeafNodeK);
        b.putShort((short) groupInternalNodeK);
        b.putInt(0); // file consistency flags
        b.putLong(0); // base address
        b.putLong(Bytes.UNDEFINED_ADDRESS); // free-space info address
        b.putLong(endOfFileAddress);
        b.putLong(Bytes.UNDEFINED_ADDRESS); // driver information block
        rootGroup.encode(b);
        return b.array();
    }

    private byte[] encodeV2() {
        ByteBuffer b = Bytes.allocate(V2_SIZE);
        b.put(SIGNATURE);
        b.put((byte) version);
        b.put((byte) 8); // size of offsets
        b.put((byte) 8); // size of lengths
        b.put((byte) flags);
        b.putLong(0); // base address
        b.putLong(Bytes.UNDEFINED_ADDRESS); // superblock extension
        b.putLong(endOfFileAddress);
        b.putLong(rootObjectHeaderAddress);
        byte[] out = b.array();
        b.putInt(V2_SIZE - 4, Lookup3.checksum(out, 0, V2_SIZE - 4));
        return out;
    }

    /**
     * Decodes the superblock at offset 0 from {@code b} (at least 128 bytes or the whole file).
     * Non-8-byte field sizes, base addresses, driver blocks and superblock extensions are refused,
     * by name.
     */
    public static Superblock decode(ByteBuffer b, String file) {
        if (b.remaining() < 9 || !Arrays.equals(slice(b, 0, 8), SIGNATURE)) {
            for (int at = 512; at + 8 <= b.limit(); at *= 2) {
                if (Arrays.equals(slice(b, at, 8), SIGNATURE)) {
                    throw new UnsupportedFormatException(file + " starts with a user block of " + at
                            + " bytes; files with a user block are not supported");
                }
            }
            throw new Hdf5FormatException(file + " is not an HDF5 file (no HDF5 signature at offset 0)");
        }
        int version = b.get(8) & 0xFF;
        if (version > 3) {
            throw new UnsupportedFormatException(file + ": superblock version " + version + " is not supported (only 0 to 3)");
        }
        return version >= 2 ? decodeV2(b, version, file) : decodeV0(b, version, file);
    }

    private static Superblock decodeV0(ByteBuffer b, int version, String file) {
        int needed = version == 0 ? V0_SIZE : V0_SIZE + 4;
        if (b.remaining() < needed) {
            throw new Hdf5FormatException(file + " is truncated: the superblock needs " + needed + " bytes");
        }
        b.position(13);
        requireEightByteFields(Bytes.u8(b), Bytes.u8(b), file);
        b.position(16);
        int leafK = Bytes.u16(b);
        int internalK = Bytes.u16(b);
        b.getInt(); // file consistency flags
        int istoreK = INDEXED_STORAGE_NODE_K;
        if (version == 1) {
            istoreK = Bytes.u16(b);
            b.getShort(); // reserved
        }
        requireNoBaseAddress(b.getLong(), file);
        b.getLong(); // free-space info
        long eofField = b.position();
        long eof = b.getLong();
        long driver = b.getLong();
        if (driver != Bytes.UNDEFINED_ADDRESS) {
            throw new UnsupportedFormatException(file + ": files with a driver information block (family/multi drivers) are not supported");
        }
        if (leafK <= 0 || internalK <= 0 || istoreK <= 0) {
            throw new Hdf5FormatException(file + ": superblock has a zero B-tree K value");
        }
        SymbolTableEntry root = SymbolTableEntry.decode(b);
        return new Superblock(version, leafK, internalK, istoreK, eof, eofField, root, root.objectHeaderAddress(), 0);
    }

    private static Superblock decodeV2(ByteBuffer b, int version, String file) {
        if (b.remaining() < V2_SIZE) {
            throw new Hdf5FormatException(file + " is truncated: the superblock needs " + V2_SIZE + " bytes");
        }
        Lookup3.verify(b, V2_SIZE, file + ": superblock version " + version);
        b.position(9);
        requireEightByteFields(Bytes.u8(b), Bytes.u8(b), file);
        int flags = Bytes.u8(b);
        requireNoBaseAddress(b.getLong(), file);
        long extension = b.getLong();
        if (extension != Bytes.UNDEFINED_ADDRESS) {
            // It holds non-default file creation properties (B-tree K values, shared messages,
            // file space strategy) that new objects of this engine would have to follow.
            throw new UnsupportedFormatException(file + ": a superblock extension at " + extension
                    + " (non-default file creation properties: shared messages, file space strategy, B-tree K values)"
                    + " is not supported");
        }
        long eof = b.getLong();
        long root = b.getLong();
        return new Superblock(version, GROUP_LEAF_NODE_K, GROUP_INTERNAL_NODE_K, INDEXED_STORAGE_NODE_K, eof, V2_EOF_FIELD,
                null, root, version == 3 ? flags : 0);
    }

    private static void requireEightByteFields(int sizeOfOffsets, int sizeOfLengths, String file) {
        if (sizeOfOffsets != 8 || sizeOfLengths != 8) {
            throw new UnsupportedFormatException(file + ": offsets of " + sizeOfOffsets + " bytes and lengths of "
                    + sizeOfLengths + " bytes are not supported (only 8)");
        }
    }

    private static void requireNoBaseAddress(long base, String file) {
        if (base != 0) {
            throw new UnsupportedFormatException(file + ": a base address of " + base + " (user block) is not supported");
        }
    }

    private static byte[] slice(ByteBuffer b, int from, int len) {
        byte[] out = new byte[len];
        b.get(from, out);
        return out;
    }

    public int version() { return version; }
    public int groupLeafNodeK() { return groupLeafNodeK; }
    public int groupInternalNodeK() { return groupInternalNodeK; }
    public int indexedStorageNodeK() { return indexedStorageNodeK; }
    public long endOfFileAddress() { return endOfFileAddress; }
    /** Where the end-of-file address is stored. */
    public long endOfFileFieldOffset() { return endOfFileFieldOffset; }
    public long rootObjectHeaderAddress() { return rootObjectHeaderAddress; }
    /** Version 3's file-consistency flags ({@link #WRITE_ACCESS}, {@link #SWMR_WRITE_ACCESS}); 0 in other versions. */
    public int flags() { return flags; }
}
