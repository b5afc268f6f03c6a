package io.hdf5flink.hdf5.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A symbol table node, "SNOD" (specification III.B): up to 2K symbol table entries of one
 * group, sorted by name. Allocated at full size, as libhdf5 does, so libhdf5 can later insert
 * into nodes this engine wrote.
 */
public final class SymbolTableNode {
    private static final byte[] SIGNATURE = {'S', 'N', 'O', 'D'};

    private SymbolTableNode() {}

    public static int size(int leafK) {
        return 8 + 2 * leafK * SymbolTableEntry.SIZE;
    }

    public static byte[] encode(List<SymbolTableEntry> entries, int leafK) {
        if (entries.size() > 2 * leafK) throw new IllegalArgumentException("too many entries for one node");
        ByteBuffer b = Bytes.allocate(size(leafK));
        b.put(SIGNATURE);
        b.put((byte) 1);
        b.put((byte) 0);
        b.putShort((short) entries.size());
        for (SymbolTableEntry e : entries) e.encode(b);
        return b.array();
    }

    public static List<SymbolTableEntry> read(BlockReader r, long address, int leafK, String group) throws IOException {
        ByteBuffer b = r.read(address, 8, "symbol table node of " + group);
        for (byte s : SIGNATURE) {
            if (b.get() != s) throw new Hdf5FormatException(group + ": no symbol table node signature at " + address);
        }
        int version = Bytes.u8(b);
        if (version != 1) throw new Hdf5FormatException(group + ": symbol table node version " + version + " at " + address);
        b.get();
        int n = Bytes.u16(b);
        if (n > 2 * leafK) {
            throw new Hdf5FormatException(group + ": symbol table node at " + address + " holds " + n
                    + " entries, more than 2K = " + 2 * leafK);
        }
        ByteBuffer e = r.read(address + 8, n * SymbolTableEntry.SIZE, "symbol table node of " + group);
        List<SymbolTableEntry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(SymbolTableEntry.decode(e));
        return out;
    }
}
