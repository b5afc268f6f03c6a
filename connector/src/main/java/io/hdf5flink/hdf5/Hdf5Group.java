package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A group: named links to datasets and other groups, plus attributes. */
public final class Hdf5Group extends Hdf5Object {
    private final SymbolTableGroup table;

    Hdf5Group(Hdf5File file, String path, long headerAddress, ObjectHeader header, SymbolTableGroup table) {
        super(file, path, headerAddress, header);
        this.table = table;
    }

    /** The names of this group's members, in libhdf5's order. */
    public List<String> memberNames() {
        return new ArrayList<>(table.links().keySet());
    }

    SymbolTableEntry link(String name) {
        return table.links().get(name);
    }

    /** The target path of a soft link in this group. */
    String softLinkTarget(SymbolTableEntry e) {
        return table.linkValue(e.softLinkValueOffset());
    }

    void addLink(String name, SymbolTableEntry entry) throws IOException {
        table.insert(name, entry);
    }
}
