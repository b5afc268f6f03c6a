package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.ObjectHeader;
import java.io.IOException;
import java.util.List;

/**
 * A group: named links to datasets and other groups, plus attributes. Its links are stored in a
 * symbol table or in link messages; see {@link GroupLinks}.
 */
public final class Hdf5Group extends Hdf5Object {
    private GroupLinks links;

    Hdf5Group(Hdf5File file, String path, long headerAddress, ObjectHeader header, GroupLinks links) {
        super(file, path, headerAddress, header);
        this.links = links;
    }

    /** The names of this group's members, in libhdf5's name order. */
    public List<String> memberNames() {
        return links.names();
    }

    GroupLink link(String name) {
        return links.link(name);
    }

    /** Refuses, before anything is written, a link this group cannot take. */
    void checkCanAdd(String name) {
        links.checkCanAdd(header, name);
    }

    /** Writes the links the group keeps for the next commit. */
    void flush() throws IOException {
        header = links.flush(header);
    }

    /** Links an object that exists; {@code newGroup} is its symbol table when it is a group just created. */
    void addHardLink(String name, long address, SymbolTableGroup newGroup) throws IOException {
        // A new object was written past the published end of file: libhdf5 refuses to open an
        // object there ("address of object past end of allocation"), so the end of file covers it
        // before a link points at it, whatever instant a reader looks or a kill leaves.
        file.storage().publishEof();
        if (links instanceof SymbolTableGroup && SymbolTableGroup.needsLinkMessage(name)) {
            LinkMessageGroup.Converted c = LinkMessageGroup.fromSymbolTable(file.storage(), path, header, links, name, address);
            links = c.links();
            header = c.header();
            return;
        }
        header = links.addHardLink(header, name, address, newGroup);
    }
}
