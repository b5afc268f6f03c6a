/**
 * The sink's writer subtask, internal. {@link io.hdf5flink.sink.writer.Hdf5SinkWriter} follows
 * Flink's writer lifecycle and hands each role to one class: who the writer is
 * ({@code WriterIdentity}), which datasets it assembles ({@code DatasetCatalog}, one
 * {@link io.hdf5flink.sink.writer.DatasetAssembler} each, of
 * {@link io.hdf5flink.sink.writer.OpenChunk}s), where open chunks' bytes live under the buffer
 * budget ({@code ChunkResidency}), filtering complete chunks ({@code ChunkFiltering}), where the
 * filtered chunks of the next committable go ({@code EpochChunks}: written in place,
 * {@code InPlaceEpoch}, or staged, {@code StagedEpoch}), and its state cut by routing bucket
 * ({@code BucketedState}, as {@link io.hdf5flink.sink.writer.Hdf5WriterState} elements).
 */
package io.hdf5flink.sink.writer;
