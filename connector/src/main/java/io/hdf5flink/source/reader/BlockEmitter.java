package io.hdf5flink.source.reader;

import io.hdf5flink.record.ArrayBlock;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits a block and advances its split's state past it, in the task thread, between checkpoints. */
@Internal
final class BlockEmitter implements RecordEmitter<PositionedBlock, ArrayBlock, ArraySplitState> {

    @Override
    public void emitRecord(PositionedBlock element, SourceOutput<ArrayBlock> output, ArraySplitState state) {
        output.collect(element.block());
        state.setNextRow(element.nextRow());
    }
}
