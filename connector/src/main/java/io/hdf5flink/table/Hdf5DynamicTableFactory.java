package io.hdf5flink.table;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/**
 * The factory of {@code 'connector' = 'hdf5'} tables, as a sink and as a bounded source:
 *
 * <pre>{@code
 * CREATE TABLE recording (
 *   idx BIGINT, samples ARRAY<SMALLINT> NOT NULL
 * ) WITH (
 *   'connector' = 'hdf5', 'path' = '/data/run1', 'file' = 'recording.h5',
 *   'dataset' = '/acquisition', 'columns.samples.shape' = '384',
 *   'row-index.column' = 'idx', 'compression' = 'gzip:4', 'attribute.unit' = 'uV'
 * );
 * }</pre>
 *
 * <p>Options are {@link Hdf5TableOptions}; unknown options, and columns or option values that
 * cannot be mapped, are refused when the table is planned, naming the option or column. A scan
 * opens the file then, so a missing dataset, a dtype a column cannot hold exactly or a shape that
 * does not fit the columns fails before the job starts.
 */
@PublicEvolving
public final class Hdf5DynamicTableFactory implements DynamicTableSinkFactory, DynamicTableSourceFactory {
    /** The {@code 'connector'} option's value. */
    public static final String IDENTIFIER = "hdf5";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(Hdf5TableOptions.PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(Hdf5TableOptions.FILE, Hdf5TableOptions.FILE_COLUMN, Hdf5TableOptions.DATASET, Hdf5TableOptions.LAYOUT,
                Hdf5TableOptions.ROW_INDEX_COLUMN, Hdf5TableOptions.CHUNKS, Hdf5TableOptions.COMPRESSION,
                Hdf5TableOptions.SHUFFLE, Hdf5TableOptions.FLETCHER32, Hdf5TableOptions.FILL_VALUE,
                FactoryUtil.SINK_PARALLELISM, Hdf5TableOptions.SINK_BUFFER_BUDGET, Hdf5TableOptions.SINK_DIRECT_IO);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = validated(context);
        ReadableConfig options = helper.getOptions();
        TableLayout layout = layout(context, options);
        return new Hdf5DynamicTableSink(layout, SinkSettings.of(options, prefixed(context, Hdf5TableOptions.ATTRIBUTE_PREFIX, "")));
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = validated(context);
        ReadableConfig options = helper.getOptions();
        TableLayout layout = layout(context, options);
        Path file = Path.of(options.get(Hdf5TableOptions.PATH)).resolve(options.get(Hdf5TableOptions.FILE));
        return new Hdf5DynamicTableSource(ScanPlan.of(file, layout), context.getPhysicalRowDataType());
    }

    private FactoryUtil.TableFactoryHelper validated(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validateExcept(Hdf5TableOptions.ATTRIBUTE_PREFIX, Hdf5TableOptions.COLUMNS_PREFIX);
        for (String key : context.getCatalogTable().getOptions().keySet()) {
            if (key.startsWith(Hdf5TableOptions.COLUMNS_PREFIX) && !key.endsWith(Hdf5TableOptions.SHAPE_SUFFIX)) {
                throw new ValidationException("Unsupported option '" + key + "': per-column options are 'columns.<name>.shape'");
            }
            if (key.equals(Hdf5TableOptions.ATTRIBUTE_PREFIX)) {
                throw new ValidationException("Option '" + key + "' names no attribute: 'attribute.<name>' = '<value>'");
            }
        }
        return helper;
    }

    private static TableLayout layout(Context context, ReadableConfig options) {
        RowType physical = (RowType) context.getPhysicalRowDataType().getLogicalType();
        if (context.getCatalogTable().isPartitioned()) {
            throw new ValidationException("hdf5 tables are not partitioned: route rows to files with 'file.column'");
        }
        return TableLayout.of(physical, options, prefixed(context, Hdf5TableOptions.COLUMNS_PREFIX, Hdf5TableOptions.SHAPE_SUFFIX));
    }

    /** The options {@code <prefix><name><suffix>}, by name, in name order. */
    private static Map<String, String> prefixed(Context context, String prefix, String suffix) {
        Map<String, String> values = new TreeMap<>();
        context.getCatalogTable().getOptions().forEach((key, value) -> {
            if (key.startsWith(prefix) && key.endsWith(suffix) && key.length() > prefix.length() + suffix.length()) {
                values.put(key.substring(prefix.length(), key.length() - suffix.length()), value);
            }
        });
        return values;
    }
}
