/**
 * A pure-Java engine that creates and appends to chunked HDF5 datasets, crash-consistently, in
 * the format h5py writes by default (readable by libhdf5 1.8 and later, h5py, MATLAB and jhdf).
 * It has no Flink dependency: the Flink sink and sources build on it, and it can be used alone.
 *
 * <h2>API</h2>
 *
 * The classes a user touches; they keep their names and public methods from release to release:
 *
 * <ul>
 *   <li>{@link io.hdf5flink.hdf5.Hdf5File}: create or open a file ({@code create},
 *       {@code openForAppend}, {@code openReadOnly}), find or create groups and datasets,
 *       {@code commit}, {@code close}; its {@code Options} (fsync, open-chunk memory).
 *   <li>{@link io.hdf5flink.hdf5.Hdf5Dataset}: write chunks ({@code encodeChunk} from many threads,
 *       {@code writeChunk} from one), rows ({@code append}) or hyperslabs ({@code write});
 *       {@code read}, {@code resize}, the commit token. {@link io.hdf5flink.hdf5.Hdf5Group} and
 *       their common {@link io.hdf5flink.hdf5.Hdf5Object} (path, attributes).
 *   <li>{@link io.hdf5flink.hdf5.DatasetSpec} (built by its builder), {@link
 *       io.hdf5flink.hdf5.DataType}, {@link io.hdf5flink.hdf5.AttributeValue}: what a new dataset
 *       is; {@link io.hdf5flink.hdf5.DatasetSpecCodec}: a spec as bytes, for checkpoints.
 *   <li>Helpers for clients that assemble chunks themselves: {@link io.hdf5flink.hdf5.ChunkGrid},
 *       {@link io.hdf5flink.hdf5.BoxCopy}, {@link io.hdf5flink.hdf5.ParallelChunkEncoder}, and
 *       {@link io.hdf5flink.hdf5.Hdf5Paths} for path and name checks.
 *   <li>{@link io.hdf5flink.hdf5.Hdf5Exception}: every refusal and failure, its message naming
 *       the file and, where there is one, the object. After it, the file still holds its last
 *       commit.
 * </ul>
 *
 * The filters a dataset's chunks pass through, and the {@code EncodedChunk} they produce, are in
 * {@code io.hdf5flink.hdf5.filter}.
 *
 * <h2>Internal</h2>
 *
 * Everything package-private here, which may change at any time. {@code Hdf5File} resolves paths
 * through an {@code ObjectTree} ({@code FileOpener} creates and opens files); a dataset's chunks
 * go through {@code Hyperslabs} into {@code OpenChunks} (partly written chunks, within a memory
 * budget) or {@code StoredChunks} (filtered, written past the end of file, entered in the
 * copy-on-write {@code ChunkIndex}), and a commit publishes the {@code CommitFields} of the
 * dataset's header. {@code FileStorage} keeps the rules crash consistency rests on;
 * {@code HeaderEditor}, {@code SymbolTableGroup} and {@code LinkMessageGroup} (the two ways a
 * group stores its links, behind {@code GroupLinks}) change headers and groups in place, one
 * valid state after another. The on-disk structures themselves are in {@link
 * io.hdf5flink.hdf5.format}, which is internal too.
 *
 * <p>Dependencies point one way: this package uses {@code format} and {@code filter}; {@code
 * format} uses {@code filter} (for filter descriptions); {@code filter} uses neither. Nothing in
 * {@code io.hdf5flink.hdf5} and below imports Flink or the connector's other packages.
 */
package io.hdf5flink.hdf5;
