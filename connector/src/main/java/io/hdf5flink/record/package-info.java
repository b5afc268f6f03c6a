/**
 * The record both the sources and the sink speak: {@link io.hdf5flink.record.ArrayBlock}, a block
 * of one array bound for one dataset, at an explicit offset or appended along axis 0, with its
 * Flink type information.
 *
 * <p>API ({@code @PublicEvolving}): {@code ArrayBlock} and {@code ArrayBlockTypeInfo} (a user map
 * returning blocks names it). Internal: the {@code TypeSerializer}, versioned through its snapshot,
 * and the type-information factory.
 */
package io.hdf5flink.record;
