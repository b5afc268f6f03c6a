/**
 * Table API and SQL: {@code 'connector' = 'hdf5'} as a sink and as a bounded source, the top
 * layer of the connector. {@link io.hdf5flink.table.Hdf5DynamicTableFactory} (found through
 * {@code META-INF/services}) validates a table's options and columns and makes an
 * {@link io.hdf5flink.table.Hdf5DynamicTableSink}, which turns rows into appended
 * {@link io.hdf5flink.record.ArrayBlock}s for the exactly-once {@link io.hdf5flink.sink.Hdf5Sink},
 * or an {@link io.hdf5flink.table.Hdf5DynamicTableSource}, which reads row bands through the
 * engine's dataset reader. Everything but the factory and the options is internal.
 */
package io.hdf5flink.table;
