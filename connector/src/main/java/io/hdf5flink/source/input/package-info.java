/**
 * Where an input array's bytes are and how to open them: a file or an archive member
 * ({@code Location}), its stream compression ({@code StreamCompression}: gzip, bzip2, xz, zstd),
 * the array's element range in it ({@code ArrayInput}), and the natural order of file names.
 * Internal ({@code @Internal}): shared by the prober (client) and the readers (TaskManagers).
 */
package io.hdf5flink.source.input;
