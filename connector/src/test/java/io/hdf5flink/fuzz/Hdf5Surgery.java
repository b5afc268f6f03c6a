package io.hdf5flink.fuzz;

import io.hdf5flink.hdf5.format.BTreeNode;
import io.hdf5flink.hdf5.format.BlockReader;
import io.hdf5flink.hdf5.format.LocalHeap;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.Superblock;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import io.hdf5flink.hdf5.format.SymbolTableMessage;
import io.hdf5flink.hdf5.format.SymbolTableNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Finds structures in an HDF5 file held in memory (with the engine's own decoders) and changes
 * them, to build the corrupt files that regression tests of fuzz findings need without checking
 * binaries in. Only for version 0/1 superblocks and symbol-table groups, as the engine writes.
 */
final class Hdf5Surgery {
    byte[] bytes;
    private final Superblock superblock;

    Hdf5Surgery(byte[] file) {
        this.bytes = file.clone();
        this.superblock = Superblock.decode(buffer(0, bytes.length), "file");
    }

    private ByteBuffer buffer(long address, int length) {
        return ByteBuffer.wrap(bytes, (int) address, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private final BlockReader reader = (address, length, what) -> {
        if (address < 0 || length < 0 || address + length > bytes.length) throw new IOException(what + " out of range");
        return buffer(address, length);
    };

    /** The object header at {@code path}. */
    ObjectHeader header(String path) {
        return read(headerAddress(path), path);
    }

    ObjectHeader read(long address, String what) {
        try {
            return ObjectHeader.read(reader, address, what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of the first message of {@code type} in {@code path}'s header. */
    ObjectHeader.Slot slot(String path, int type) {
        ObjectHeader.Slot s = header(path).find(type);
        if (s == null) throw new IllegalArgumentException(path + " has no message of type " + type);
        return s;
    }

    /** The group at {@code path}'s symbol table message (B-tree and local heap addresses). */
    SymbolTableMessage symbolTable(String group) {
        return SymbolTableMessage.decode(body(slot(group, SymbolTableMessage.TYPE)));
    }

    ByteBuffer body(ObjectHeader.Slot s) {
        return buffer(s.bodyAddress(), s.bodySize());
    }

    long headerAddress(String path) {
        long address = superblock.rootObjectHeaderAddress();
        String current = "";
        for (String name : path.split("/")) {
            if (name.isEmpty()) continue;
            SymbolTableMessage table = symbolTable(current.isEmpty() ? "/" : current);
            address = find(table, name, current + "/" + name);
            current = current + "/" + name;
        }
        return address;
    }

    private long find(SymbolTableMessage table, String name, String path) {
        try {
            byte[] heap = LocalHeap.read(reader, table.localHeapAddress(), path).readData(reader, path);
            Long found = find(table.bTreeAddress(), heap, name, path);
            if (found == null) throw new IllegalArgumentException("no " + path);
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Long find(long node, byte[] heap, String name, String path) throws IOException {
        BTreeNode n = BTreeNode.read(reader, node, BTreeNode.GROUP_NODES, 8, 2 * superblock.groupInternalNodeK(), path);
        for (int i = 0; i < n.entries; i++) {
            if (n.level > 0) {
                Long found = find(n.children[i], heap, name, path);
                if (found != null) return found;
            } else {
                List<SymbolTableEntry> entries = SymbolTableNode.read(reader, n.children[i], superblock.groupLeafNodeK(), path);
                for (SymbolTableEntry e : entries) {
                    if (LocalHeap.nameAt(heap, e.linkNameOffset(), path).equals(name)) return e.objectHeaderAddress();
                }
            }
        }
        return null;
    }

    BTreeNode node(long address, int type, int keySize, int maxEntries) {
        try {
            return BTreeNode.read(reader, address, type, keySize, maxEntries, "node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int groupInternalK() {
        return superblock.groupInternalNodeK();
    }

    int chunkK() {
        return superblock.indexedStorageNodeK();
    }

    void putLong(long address, long value) {
        buffer(address, 8).putLong(0, value);
    }

    void putInt(long address, int value) {
        buffer(address, 4).putInt(0, value);
    }

    long getLong(long address) {
        return buffer(address, 8).getLong(0);
    }

    /** Appends {@code block} at the end of the file, raising the superblock's end of file; returns its address. */
    long append(byte[] block) {
        long address = bytes.length;
        bytes = Arrays.copyOf(bytes, bytes.length + block.length);
        System.arraycopy(block, 0, bytes, (int) address, block.length);
        putLong(superblock.endOfFileFieldOffset(), bytes.length);
        return address;
    }

    /** Where the first occurrence of {@code pattern} at or after {@code from} starts. */
    int indexOf(byte[] pattern, int from) {
        outer:
        for (int i = from; i + pattern.length <= bytes.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (bytes[i + j] != pattern[j]) continue outer;
            return i;
        }
        throw new IllegalArgumentException("pattern not found");
    }
}
