/**
 * Array blocks arriving as messages, one {@code .npy} array per message value, as an acquisition
 * system publishes them on Apache Kafka (or any other byte transport): the wire format
 * ({@link io.hdf5flink.source.message.NpyMessages}), deserializers for Flink's Kafka source and
 * for plain byte sources, and the parsing step that turns raw messages into blocks, failing on a
 * bad message or setting it aside in a side output. The Kafka classes need
 * {@code org.apache.flink:flink-connector-kafka} on the classpath (an optional dependency of the
 * connector); the rest does not.
 */
package io.hdf5flink.source.message;
