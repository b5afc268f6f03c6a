package io.hdf5flink.hdf5;

import java.util.ArrayList;
import java.util.List;

/** Validation and splitting of HDF5 object paths ("/a/b/data") and names. */
public final class Hdf5Paths {
    private Hdf5Paths() {}

    /**
     * Checks one link or attribute name: not empty, no '/', no NUL, not "." or "..", at most 1024
     * bytes of UTF-8.
     */
    public static String checkName(String name, String what) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " is empty");
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " '" + name + "' contains '/' or NUL");
        }
        if (name.equals(".") || name.equals("..")) throw new IllegalArgumentException(what + " '" + name + "' is not allowed");
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw new IllegalArgumentException(what + " '" + name.substring(0, 32) + "...' is longer than 1024 bytes");
        }
        return name;
    }

    /** The names along an absolute or relative path; "/" and "" give none. */
    static List<String> split(String path) {
        if (path == null) throw new IllegalArgumentException("path is null");
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/", -1)) {
            if (!p.isEmpty()) parts.add(checkName(p, "name in path '" + path + "'"));
        }
        return parts;
    }

    /**
     * The canonical absolute form of a path.
     *
     * @throws IllegalArgumentException when a name on the path is invalid (contains NUL, is "."
     *     or "..", is longer than 1024 bytes)
     */
    public static String normalize(String path) {
        return "/" + String.join("/", split(path));
    }
}
