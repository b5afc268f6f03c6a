/**
 * FLIP-27 bounded sources of {@link io.hdf5flink.record.ArrayBlock}s read from numeric arrays in
 * files: {@link io.hdf5flink.source.ArraySource} (one {@code .npy} or raw file, memory-mapped) and
 * {@link io.hdf5flink.source.MultiFileArraySource} (many files, compressed or in archives, forming
 * one array by columns or by segments), both {@link io.hdf5flink.source.ArrayBlockSource}s.
 *
 * <p>API ({@code @PublicEvolving}): those three and their builders. Internal: everything in the
 * stages below, in the order a source meets them: {@code format} (what an array file is),
 * {@code input} (where its bytes are and how to open them), {@code probe} (check every input on
 * the client before the job), {@code enumerate} (plan and hand out splits), {@code split} (a
 * split and its checkpointed form), {@code reader} (read splits into blocks).
 */
package io.hdf5flink.source;
