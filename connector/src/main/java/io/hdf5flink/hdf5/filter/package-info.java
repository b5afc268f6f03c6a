/**
 * HDF5 filters: what a dataset's chunks pass through on their way to disk (shuffle, a
 * compressor, a Fletcher-32 checksum) and back, byte for byte as libhdf5 and the filter plugins
 * h5py and hdf5plugin use write them.
 *
 * <h2>API</h2>
 *
 * <ul>
 *   <li>{@link io.hdf5flink.hdf5.filter.KnownFilter}: the registry of the filters this engine
 *       applies; per filter its id, names, level range and default, the options users add to its
 *       name (bitshuffle's and Blosc's inner compressor, Blosc's shuffle), client data and factory.
 *       Everything that knows filters asks it: the pipeline below, {@code DatasetSpec.Builder},
 *       the sink's {@code ChunkFilters} and the command line's {@code --codec}.
 *   <li>{@link io.hdf5flink.hdf5.filter.FilterDescription}: one entry of a dataset's pipeline as
 *       the file records it, with factories for the entries h5py records.
 *   <li>{@link io.hdf5flink.hdf5.filter.FilterPipeline}: a dataset's filters, applied to chunks
 *       from many threads at once; {@link io.hdf5flink.hdf5.filter.EncodedChunk}, a chunk ready
 *       to be stored with its filter mask.
 *   <li>{@link io.hdf5flink.hdf5.filter.UnsupportedFilterException}: a file asks for a filter, or
 *       client data, this engine cannot apply.
 * </ul>
 *
 * <h2>Internal</h2>
 *
 * {@link io.hdf5flink.hdf5.filter.Filter} and its implementations, one class per filter named
 * after it ({@code DeflateFilter}, {@code LzfFilter}, {@code BitshuffleFilter}, {@code
 * BloscFilter}, ...), and their package-private helpers ({@code ThreadScratch}, {@code
 * BitTranspose}, {@code BlockCodec}, {@code BloscLz}, {@code BigEndian}), and the native
 * deflaters {@code DeflateFilter} chooses between per level ({@code IsalDeflate} for level 1,
 * {@code LibdeflateDeflate} for the others, each checked by {@code DeflateSelfTest} before use,
 * the JDK's zlib where neither loads). The filters are public for benchmarks and tests only; reach
 * them through a {@code FilterPipeline}.
 *
 * <h2>Adding a codec</h2>
 *
 * Write its {@code Filter} (encode, decode within the given bound, and the bound on its encoded
 * length) and add its constant to {@code KnownFilter} (id, names, levels, client data, factory).
 * Nothing else changes: the pipeline reads and writes files that use it, {@code
 * DatasetSpec.Builder.compressor(KnownFilter, int)} and {@code ChunkFilters} apply it, {@code
 * --codec} accepts its user name and the summary names it. A named builder method such as
 * {@code DatasetSpec.Builder.zstd(int)} and a {@code ChunkFilters} factory are optional
 * conveniences, as is a {@code FilterDescription} factory.
 *
 * <p>This package depends on nothing else of the project, and on no Flink class.
 */
package io.hdf5flink.hdf5.filter;
