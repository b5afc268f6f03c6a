/**
 * Internal: the on-disk structures of the HDF5 File Format Specification 3.0, one class per
 * structure, named as the specification names it (as jhdf's {@code object.message} does), each
 * encoding and decoding its bytes and nothing else. The engine in {@code io.hdf5flink.hdf5}
 * decides what to write and when; these classes only know the layout.
 *
 * <p>Versions written, and read back:
 *
 * <ul>
 *   <li>{@link io.hdf5flink.hdf5.format.Superblock} (II.A): reads versions 0 to 3, writes 0, 2 and 3 (new files 0 or 3)
 *       (2 and 3 checksummed, with the file-consistency flags of SWMR writing).
 *   <li>{@link io.hdf5flink.hdf5.format.BTreeNode} (III.A.1): version 1 B-tree nodes, type 0
 *       (groups) and type 1 (chunk indexes). {@link io.hdf5flink.hdf5.format.V2BTree}
 *       (III.A.2): version 2 B-trees, read and written at any depth: a dense group's name
 *       (type 5) and creation-order (type 6) indexes, and a {@code libver='latest'} dataset's
 *       chunk index (types 10 and 11), written packed with unchanged nodes reused.
 *   <li>{@link io.hdf5flink.hdf5.format.FractalHeap} (III.G): read, managed objects in direct and
 *       indirect blocks and tiny objects; written as libhdf5 lays out a dense group's link heap (one
 *       root direct block, or a doubling table under a root indirect block).
 *   <li>{@link io.hdf5flink.hdf5.format.ExtensibleArray} (III.H): read, paged data blocks
 *       included; its {@code Geometry} lays out and seals the blocks the engine writes when it
 *       appends to a {@code libver='latest'} dataset's array.
 *   <li>{@link io.hdf5flink.hdf5.format.SymbolTableNode} (III.B), {@link
 *       io.hdf5flink.hdf5.format.SymbolTableEntry} (III.C), {@link
 *       io.hdf5flink.hdf5.format.LocalHeap} (III.D, version 0): "old-style" groups.
 *   <li>{@link io.hdf5flink.hdf5.format.ObjectHeader} (IV.A.1.a and b): version 1 written and
 *       read; version 2 ({@code OHDR}/{@code OCHK} chunks, checksummed) read, and its chunks
 *       rewritten whole by the engine.
 *   <li>Header messages (IV.A.2), each a {@link io.hdf5flink.hdf5.format.HeaderMessage}:
 *       dataspace (writes 1, reads 1 and 2), datatype (writes version 1: integers, IEEE
 *       half, single and double floats, fixed-length strings, and compound and enumerated
 *       types of those numbers; reads compound and enumerated types of versions 1 to 3), fill value (writes 2, reads 1 to 3), data layout (version 3,
 *       chunked; version 4 read, its index address rewritten), filter pipeline (writes 1, reads 1 and 2), attribute (writes 1, reads the name
 *       of 1 to 3), object header continuation, symbol table, and for groups stored with link
 *       messages link info (version 0), group info (version 0) and link (version 1: hard, soft,
 *       external and user-defined links read, hard, soft and external written).
 * </ul>
 *
 * <p>Decoding throws {@link io.hdf5flink.hdf5.format.Hdf5FormatException} for bytes that are not
 * what the specification requires, and a subclass naming the feature for valid files that use
 * something unsupported; the engine turns both into {@code Hdf5Exception}s that name the file.
 *
 * <p>Not API. The classes are public only because the engine's package needs them; users must
 * not rely on any of them: names, signatures and which versions are accepted may change in any
 * release. This package depends on nothing above it: it describes numbers by size, signedness
 * and class rather than by the engine's {@code DataType}.
 */
package io.hdf5flink.hdf5.format;
