/**
 * The Flink sink that writes {@link io.hdf5flink.record.ArrayBlock}s into HDF5 files exactly once.
 *
 * <p>API ({@code @PublicEvolving}): {@link io.hdf5flink.sink.Hdf5Sink} and its builder, the
 * dataset declarations, the chunk-shape rule and the output codecs. Internal ({@code @Internal}):
 * the configuration the builder makes and the committable with its serializer, which sit here, above
 * the pipeline stages below, because both the writer and the committer use them, as Flink's
 * {@code FileSinkCommittable} does.
 *
 * <p>The stages, in the order a block meets them: {@code partition} (cut blocks on the chunk
 * grid and route them), {@code writer} (assemble and filter chunks, write them into the output
 * file, or stage them; checkpointed state), {@code committer} (index the chunks, or copy staged
 * ones, and publish). {@code staging} names the files in the staging directory: the output
 * files' space ledgers, spill files, markers and staged chunks. Writer and committer never import each other: both use
 * {@code sink} and {@code staging}, and the writer also the routing's functions, to check and
 * cut its state by the same buckets.
 */
package io.hdf5flink.sink;
