package io.hdf5flink.hdf5;

/**
 * One link of a group, whatever way the group stores it.
 *
 * @param address the object header a hard link points to (undefined for other links)
 * @param target what a link that is not hard points to, for messages: a soft link's path, an
 *     external link's {@code file:path}
 */
record GroupLink(String name, Kind kind, long address, String target) {
    enum Kind { HARD, SOFT, EXTERNAL, USER_DEFINED }

    static GroupLink hard(String name, long address) {
        return new GroupLink(name, Kind.HARD, address, null);
    }
}
