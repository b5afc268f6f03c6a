package io.hdf5flink.source.reader;

import io.hdf5flink.record.ArrayBlock;
import org.apache.flink.annotation.Internal;

/**
 * A block on its way from the fetcher thread to the output, with the split position after it:
 * the emitter records that position as the block leaves, so a checkpoint taken between blocks
 * says exactly which rows were emitted.
 */
@Internal
record PositionedBlock(ArrayBlock block, long nextRow) {}
