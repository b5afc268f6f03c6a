/**
 * The sink's pre-write topology, internal: cuts blocks at explicit offsets along the chunk grid
 * and routes every chunk's pieces, and every dataset's appends, to the writer subtask owning its
 * bucket (the buckets are also how the writers' state is cut, see
 * {@link io.hdf5flink.sink.partition.ChunkRouting}).
 */
package io.hdf5flink.sink.partition;
