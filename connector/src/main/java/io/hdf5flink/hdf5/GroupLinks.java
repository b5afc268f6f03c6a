package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.ObjectHeader;
import java.io.IOException;
import java.util.List;

/**
 * How a group stores its links: in a symbol table (h5py's default format, {@link
 * SymbolTableGroup}) or in link messages ({@link LinkMessageGroup}). Reading is the same for
 * both; each adds a link its own way, keeping every instant valid.
 */
interface GroupLinks {
    /** The link named {@code name}, or null. */
    GroupLink link(String name);

    /** The links' names in libhdf5's name order (strcmp of their UTF-8 bytes). */
    List<String> names();

    /**
     * Refuses, naming the group, a link this group cannot take (its name taken, or a way of
     * storing links the engine does not change): called before anything of a new object is written.
     */
    void checkCanAdd(ObjectHeader header, String name);

    /**
     * Adds a hard link to the object header at {@code address}, which exists already.
     *
     * @param newGroup the symbol table of a group just created at {@code address}, which a symbol
     *     table caches in the link; null for a dataset
     * @param header the group's object header as it is now
     * @return the group's object header after the change
     */
    ObjectHeader addHardLink(ObjectHeader header, String name, long address, SymbolTableGroup newGroup) throws IOException;

    /**
     * Writes what {@link #addHardLink} left for the next commit; called by each commit before
     * any dataset publishes. Returns the group's object header after the change.
     */
    default ObjectHeader flush(ObjectHeader header) throws IOException {
        return header;
    }
}
