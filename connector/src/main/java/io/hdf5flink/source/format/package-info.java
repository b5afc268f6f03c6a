/**
 * What an array file is, by content: the {@code .npy} header (versions 1 to 3, its Python-literal
 * dictionary) and the raw format a user describes (dtype, byte order, header bytes, shape).
 * Internal ({@code @Internal}): used by the prober on the client.
 */
package io.hdf5flink.source.format;
