/**
 * The source readers (TaskManagers): read a split's rows, memory-mapped a window at a time
 * ({@code MappedRows}) or decoded from a stream ({@code StreamedRows}), and emit them as blocks of
 * whole chunk row-bands at explicit offsets ({@code BlockEmitter}); a split's next row is its
 * checkpointed state. Internal ({@code @Internal}).
 */
package io.hdf5flink.source.reader;
