package io.hdf5flink.table;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;

/**
 * The bounded scan of an {@code 'connector' = 'hdf5'} table: the rows its datasets held when the
 * query was planned, in bands of whole chunks read in parallel by {@link BandReader}s. Projection
 * is pushed down (only the datasets, and the column window of a {@code matrix} dataset, that the
 * query uses are read), and so are comparisons of the row-index column with whole numbers, as a
 * row range. The pushed comparisons are also left for the planner to apply, so a filter is never
 * trusted to the range alone.
 */
@Internal
final class Hdf5DynamicTableSource implements ScanTableSource, SupportsProjectionPushDown, SupportsFilterPushDown {
    /** About this many bytes of the datasets read per band: a unit of parallel work. */
    static final long BAND_BYTES = 8L << 20;

    private final ScanPlan plan;
    private DataType produced;
    private int[] fields;
    private RowRange range;

    Hdf5DynamicTableSource(ScanPlan plan, DataType physical) {
        this.plan = plan;
        this.produced = physical;
        this.fields = new int[plan.layout().arity()];
        for (int i = 0; i < fields.length; i++) fields[i] = i;
        this.range = RowRange.all(plan.rows());
    }

    private Hdf5DynamicTableSource(Hdf5DynamicTableSource other) {
        this.plan = other.plan;
        this.produced = other.produced;
        this.fields = other.fields.clone();
        this.range = other.range;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TypeInformation<RowData> type = context.createTypeInformation(produced);
        long bandRows = plan.bandRows(BandReader.datasetsRead(plan, fields), BAND_BYTES);
        BandReader reader = new BandReader(plan, fields, range, bandRows);
        long firstBand = range.first() / bandRows;
        long lastBand = range.isEmpty() ? firstBand : (range.end() - 1) / bandRows;
        String name = "HDF5 scan of " + plan.file() + " rows [" + range.first() + ", " + range.end() + ")";
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(ProviderContext provider, StreamExecutionEnvironment env) {
                DataStreamSource<Long> bands = env.fromSequence(firstBand, lastBand);
                bands.name(name + " bands");
                provider.generateUid("hdf5-bands").ifPresent(bands::uid);
                var rows = bands.flatMap(reader, type).name(name);
                provider.generateUid("hdf5-band-reader").ifPresent(rows::uid);
                return rows;
            }

            @Override
            public boolean isBounded() {
                return true;
            }
        };
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projected, DataType producedDataType) {
        int[] physical = new int[projected.length];
        for (int i = 0; i < projected.length; i++) physical[i] = fields[projected[i][0]];
        this.fields = physical;
        this.produced = producedDataType;
    }

    @Override
    public Result applyFilters(List<ResolvedExpression> filters) {
        int rowIndex = plan.layout().rowIndexField();
        List<ResolvedExpression> accepted = new ArrayList<>();
        if (rowIndex >= 0) {
            String name = plan.layout().fieldName(rowIndex);
            for (ResolvedExpression f : filters) {
                RowRange narrowed = range.narrowedBy(f, name);
                if (narrowed != null) {
                    range = narrowed;
                    accepted.add(f);
                }
            }
        }
        return Result.of(accepted, filters);
    }

    @Override
    public DynamicTableSource copy() {
        return new Hdf5DynamicTableSource(this);
    }

    @Override
    public String asSummaryString() {
        return "HDF5";
    }
}
