package io.hdf5flink.table;

import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.Hdf5Sink;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;

/**
 * The sink of an {@code 'connector' = 'hdf5'} table: rows go through {@link RowsToBlocks} into
 * appended blocks, one dataset per column (or one for all, as the layout says), and into the
 * exactly-once {@link Hdf5Sink}, which publishes them at each completed checkpoint (in batch
 * mode, at the end). Insert-only: HDF5 datasets are appended, never updated.
 */
@Internal
final class Hdf5DynamicTableSink implements DynamicTableSink {
    private final TableLayout layout;
    private final SinkSettings settings;

    Hdf5DynamicTableSink(TableLayout layout, SinkSettings settings) {
        this.layout = layout;
        this.settings = settings;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requested) {
        return ChangelogMode.insertOnly();
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        Hdf5Sink sink = buildSink();
        TableLayout layout = this.layout;
        Integer parallelism = settings.parallelism();
        return new DataStreamSinkProvider() {
            @Override
            public DataStreamSink<?> consumeDataStream(ProviderContext provider, DataStream<RowData> rows) {
                SingleOutputStreamOperator<ArrayBlock> blocks = rows.transform("HDF5 rows to blocks",
                        TypeInformation.of(ArrayBlock.class), new RowsToBlocks(layout));
                provider.generateUid("rows-to-blocks").ifPresent(blocks::uid);
                if (layout.byDataset().size() > 1) {
                    // Row i of every column's dataset must come from the same row. Each dataset's
                    // blocks reach its writer over one channel per upstream subtask, and writers
                    // interleave channels in no fixed order: with one upstream subtask, every
                    // dataset receives the rows in the one order it sent them.
                    blocks.setParallelism(1).setMaxParallelism(1);
                } else if (parallelism != null) {
                    blocks.setParallelism(parallelism);
                }
                DataStreamSink<ArrayBlock> written = blocks.sinkTo(sink).name("HDF5 " + settings.describe());
                provider.generateUid("hdf5-sink").ifPresent(written::uid);
                if (parallelism != null) written.setParallelism(parallelism);
                return written;
            }
        };
    }

    private Hdf5Sink buildSink() {
        Hdf5Sink.Builder b = Hdf5Sink.builder(settings.baseDirectory()).defaultFile(settings.file())
                .defaultCompression(settings.filters()).bufferBudgetBytes(settings.bufferBudgetBytes())
                .directIo(settings.directIo());
        for (Map.Entry<String, List<ColumnBinding>> e : layout.byDataset().entrySet()) {
            DatasetDeclaration d = settings.declaration(e.getKey(), e.getValue());
            b.declare(layout.fileField() >= 0 ? d.inEveryFile() : d);
        }
        return b.build();
    }

    @Override
    public DynamicTableSink copy() {
        return new Hdf5DynamicTableSink(layout, settings);
    }

    @Override
    public String asSummaryString() {
        return "HDF5 " + settings.describe();
    }
}
