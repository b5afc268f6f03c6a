/**
 * The one codec of the connector's checkpoint state: every serializer whose bytes Flink keeps in
 * checkpoints and savepoints (the sink's writer state and committables, the sources' splits and
 * pending splits, {@code ArrayBlock}s in state) writes with {@link io.hdf5flink.state.StateWriter}
 * and reads with {@link io.hdf5flink.state.StateReader}, so that they agree on how a vector, a
 * list, an enum or a nested {@link io.hdf5flink.hdf5.DatasetSpec} is stored, and on refusing
 * corrupt bytes with an {@link java.io.IOException} naming the field, before allocating anything
 * a corrupt count claims.
 *
 * <p>The rules every format here follows: a magic number first (a top-level format), enums by
 * name (never by ordinal: adding a constant must not change what old bytes mean), nested
 * structures with their own version ({@link io.hdf5flink.state.DatasetSpecCodec}), and every
 * version ever released still read, pinned by the golden-bytes fixtures under
 * {@code src/test/resources/serializer-fixtures}.
 *
 * <p>Everything here is internal to the connector ({@code @Internal}).
 */
package io.hdf5flink.state;
