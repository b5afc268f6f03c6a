package io.hdf5flink.hdf5.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The superblock, versions 0 and 1 (specification II.A): the file's signature, field sizes,
 * B-tree K values, end-of-file address and the root group's symbol table entry. This engine
 * writes version 0, the format h5py writes by default, and reads 0 and 1. The end-of-file
 * address is the only field that changes after creation: it is raised in place, before anything
 * that points past the old value is published (readers refuse addresses beyond it).
 */
public final class Superblock {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** Size of a version 0 superblock with 8-byte offsets and lengths. */
    public static final int V0_SIZE = 96;
    /** File offset of the end-of-file address field in a version 0 superblock. */
    public static final long V0_EOF_FIELD = 40;
    public static final int GROUP_LEAF_NODE_K = 4;
    public static final int GROUP_INTERNAL_NODE_K = 16;
    static final int INDEXED_STORAGE_NODE_K = 32;

    private final int version;
    private final int groupLeafNodeK;
    private final int groupInternalNodeK;
    private final int indexedStorageNodeK;
    private final long endOfFileAddress;
    private final long endOfFileFieldOffset;
    private final SymbolTableEntry rootGroup;

    Superblock(int version, int groupLeafNodeK, int groupInternalNodeK, int indexedStorageNodeK,
            long endOfFileAddress, long endOfFileFieldOffset, SymbolTableEntry rootGroup) {
        this.version = version;
        this.groupLeafNodeK = groupLeafNodeK;
        this.groupInternalNodeK = groupInternalNodeK;
        this.indexedStorageNodeK = indexedStorageNodeK;
        this.endOfFileAddress = endOfFileAddress;
        this.endOfFileFieldOffset = endOfFileFieldOffset;
        this.rootGroup = rootGroup;
    }

    /** A new version 0 superblock with libhdf5's default K values. */
    public static Superblock v0(long endOfFileAddress, SymbolTableEntry rootGroup) {
        return new Superblock(0, GROUP_LEAF_NODE_K, GROUP_INTERNAL_NODE_K, INDEXED_STORAGE_NODE_K,
                endOfFileAddress, V0_EOF_FIELD, rootGroup);
    }

    public byte[] encode() {
        if (version != 0) {
            throw new IllegalStateException("only version 0 superblocks are written");
        }
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

    /**
     * Decodes the superblock at offset 0 from {@code b} (at least 128 bytes or the whole file).
     * Versions 2 and 3 (libver='latest') and non-8-byte field sizes are refused, by name.
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
        if (version > 1) {
            throw new UnsupportedFormatException(file + ": superblock version " + version
                    + " (files written with libver='latest' or HDF5 >= 1.10 defaults) is not supported;"
                    + " only versions 0 and 1 (h5py's default format) can be appended to");
        }
        int needed = version == 0 ? V0_SIZE : V0_SIZE + 4;
        if (b.remaining() < needed) {
            throw new Hdf5FormatException(file + " is truncated: the superblock needs " + needed + " bytes");
        }
        b.position(13);
        int sizeOfOffsets = Bytes.u8(b);
        int sizeOfLengths = Bytes.u8(b);
        if (sizeOfOffsets != 8 || sizeOfLengths != 8) {
            throw new UnsupportedFormatException(file + ": offsets of " + sizeOfOffsets + " bytes and lengths of "
                    + sizeOfLengths + " bytes are not supported (only 8)");
        }
        b.position(16);
        int leafK = Bytes.u16(b);
        int internalK = Bytes.u16(b);
        b.getInt(); // file consistency flags
        int istoreK = INDEXED_STORAGE_NODE_K;
        if (version == 1) {
            istoreK = Bytes.u16(b);
            b.getShort(); // reserved
        }
        long base = b.getLong();
        if (base != 0) {
            throw new UnsupportedFormatException(file + ": a base address of " + base + " (user block) is not supported");
        }
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
        return new Superblock(version, leafK, internalK, istoreK, eof, eofField, root);
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
    /** Where the end-of-file address is stored, for raising it in place. */
    public long endOfFileFieldOffset() { return endOfFileFieldOffset; }
    public SymbolTableEntry rootGroup() { return rootGroup; }
}
