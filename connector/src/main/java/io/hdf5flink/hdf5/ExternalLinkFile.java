package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.GroupInfoMessage;
import io.hdf5flink.hdf5.format.HeaderMessage;
import io.hdf5flink.hdf5.format.LinkInfoMessage;
import io.hdf5flink.hdf5.format.LinkMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.Superblock;
import io.hdf5flink.hdf5.format.SymbolTableEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A new file of groups that hold external links, the master file DECTRIS EIGER detectors write
 * ({@code /entry/data/data_000001 -> series_data_000001.h5:/entry/data/data}): for readers without
 * virtual-dataset support (jhdf, older libhdf5), which follow external links. Superblock version 0
 * (h5py's default format), every group stored with link messages in a version 1 object header, as
 * libhdf5 stores a group holding an external link. Written whole, in one pass; never appended to.
 */
public final class ExternalLinkFile {
    private ExternalLinkFile() {}

    /** Where an external link leads: an object path in a file (relative names resolve against the linking file's directory). */
    public record Target(String file, String objectPath) {}

    /** A group being laid out: its subgroups and external links, in the order given. */
    private static final class Group {
        final Map<String, Group> groups = new LinkedHashMap<>();
        final Map<String, Target> links = new LinkedHashMap<>();
    }

    /**
     * Creates {@code path} (which must not exist) holding the external links {@code links}, keyed
     * by their absolute paths ({@code /entry/data/data_000001}); groups on the way are created.
     */
    public static void create(Path path, Map<String, Target> links, boolean fsync) throws IOException {
        Group root = new Group();
        for (Map.Entry<String, Target> e : links.entrySet()) {
            List<String> parts = Hdf5Paths.split(Hdf5Paths.normalize(e.getKey()));
            if (parts.isEmpty()) throw new IllegalArgumentException("an external link cannot be the root group");
            Group g = root;
            for (String part : parts.subList(0, parts.size() - 1)) {
                if (g.links.containsKey(part)) throw new IllegalArgumentException(e.getKey() + " lies below the link " + part);
                g = g.groups.computeIfAbsent(part, k -> new Group());
            }
            String name = parts.get(parts.size() - 1);
            if (g.groups.containsKey(name) || g.links.put(name, e.getValue()) != null) {
                throw new IllegalArgumentException(e.getKey() + " is named twice");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[Superblock.V0_SIZE]);
        long rootAddress = write(root, out);
        byte[] file = out.toByteArray();
        byte[] superblock = Superblock.v0(file.length, SymbolTableEntry.forObject(0, rootAddress)).encode();
        System.arraycopy(superblock, 0, file, 0, superblock.length);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(file);
            while (b.hasRemaining()) ch.write(b);
            if (fsync) ch.force(true);
        }
    }

    /** Writes a group's subgroups, then its own header (children first: it names their addresses); returns its address. */
    private static long write(Group group, ByteArrayOutputStream out) {
        List<HeaderMessage> messages = new ArrayList<>();
        messages.add(new LinkInfoMessage());
        messages.add(new GroupInfoMessage());
        for (Map.Entry<String, Group> g : group.groups.entrySet()) messages.add(LinkMessage.hard(g.getKey(), write(g.getValue(), out)));
        for (Map.Entry<String, Target> l : group.links.entrySet()) {
            messages.add(LinkMessage.external(l.getKey(), l.getValue().file(), l.getValue().objectPath()));
        }
        byte[] header = ObjectHeader.encode(messages, 0, new int[messages.size()]);
        long address = out.size();
        out.writeBytes(header);
        return address;
    }
}
