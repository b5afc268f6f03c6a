package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.AttributeMessage;
import io.hdf5flink.hdf5.format.ObjectHeader;
import io.hdf5flink.hdf5.format.ObjectHeader.Slot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A group or dataset: an object header at a fixed address, with attributes. Attributes can be
 * added or replaced at any time; each change is written immediately and is not part of a
 * dataset commit.
 */
public abstract class Hdf5Object {
    final Hdf5File file;
    final String path;
    final long headerAddress;
    /** Names this object in error messages. */
    final ErrorContext where;
    ObjectHeader header;

    Hdf5Object(Hdf5File file, String path, long headerAddress, ObjectHeader header) {
        this.file = file;
        this.path = path;
        this.headerAddress = headerAddress;
        this.where = ErrorContext.of(file.path()).object(path);
        this.header = header;
    }

    /** The object's absolute path, e.g. {@code "/acquisition/ephys/data"}. */
    public String path() { return path; }

    /** The names of this object's attributes, in header order. */
    public List<String> attributeNames() {
        List<String> names = new ArrayList<>();
        for (Slot s : header.findAll(AttributeMessage.TYPE)) names.add(readName(s));
        return names;
    }

    /**
     * Sets an attribute, replacing one of the same name. A replacement of the same stored size is
     * one write in place; otherwise the old message is freed and the new one added.
     */
    public void setAttribute(String name, AttributeValue value) {
        Hdf5Paths.checkName(name, "attribute name");
        file.checkOpen();
        AttributeMessage m = new AttributeMessage(name, value.datatype(), value.dataspace(), value.data());
        byte[] body = m.encodeBody();
        if (body.length > 0xFFF0) {
            throw where.error("attribute '" + name + "' of " + body.length
                    + " bytes exceeds the 64 KiB a compact attribute can hold");
        }
        try {
            Slot old = findAttribute(name);
            int stored = header.version() == 1 ? io.hdf5flink.hdf5.format.Bytes.pad8(body.length) : body.length;
            if (old != null && old.bodySize() == stored) {
                header = HeaderEditor.patch(file.storage(), header, old, 0, java.util.Arrays.copyOf(body, stored), path);
                return;
            }
            if (old != null) header = HeaderEditor.remove(file.storage(), header, old, path);
            header = HeaderEditor.add(file.storage(), header, AttributeMessage.TYPE, 0, body, path);
            headerChanged();
        } catch (IOException e) {
            throw where.failed("writing attribute '" + name + "'", e);
        }
    }

    /** Removes the attribute {@code name}; nothing happens when there is none. */
    public void removeAttribute(String name) {
        file.checkOpen();
        Slot old = findAttribute(name);
        if (old == null) return;
        try {
            header = HeaderEditor.remove(file.storage(), header, old, path);
            headerChanged();
        } catch (IOException e) {
            throw where.failed("removing attribute '" + name + "'", e);
        }
    }

    /** Called after the header was re-read, so subclasses can refresh what they located in it. */
    void headerChanged() {}

    Slot findAttribute(String name) {
        for (Slot s : header.findAll(AttributeMessage.TYPE)) {
            if (readName(s).equals(name)) return s;
        }
        return null;
    }

    private String readName(Slot s) {
        try {
            ByteBuffer b = file.storage().read(s.bodyAddress(), s.bodySize(), "attribute of " + path);
            return AttributeMessage.decodeName(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
