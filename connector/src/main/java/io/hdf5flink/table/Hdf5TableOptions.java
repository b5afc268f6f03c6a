package io.hdf5flink.table;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The options of {@code 'connector' = 'hdf5'} tables. A table may be written and read with the
 * same options: those of the other direction are accepted and ignored, so one {@code CREATE
 * TABLE} serves an {@code INSERT} and a later {@code SELECT}.
 */
@PublicEvolving
public final class Hdf5TableOptions {
    private Hdf5TableOptions() {}

    /** Columns of a table and the datasets that hold them; see {@link #LAYOUT}. */
    public enum Layout {
        /** One dataset per column: {@code <dataset>/<column>}, 1-D for a scalar, 2-D for an array. */
        COLUMNS,
        /** All scalar columns, of one type, as the columns of one 2-D dataset {@code <dataset>}. */
        MATRIX,
        /** The table's one data column (scalar or array) is the dataset {@code <dataset>} itself. */
        ARRAY
    }

    public static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue()
            .withDescription("The directory of the table's files. Files written never leave it (the sink's base directory).");

    public static final ConfigOption<String> FILE = ConfigOptions.key("file").stringType().defaultValue("output.h5")
            .withDescription("The HDF5 file, relative to 'path'.");

    public static final ConfigOption<String> FILE_COLUMN = ConfigOptions.key("file.column").stringType().noDefaultValue()
            .withDescription("Writing: a STRING column whose value names each row's file, relative to 'path' (which it"
                    + " may not leave); the column is not written. Reading: not supported.");

    public static final ConfigOption<String> DATASET = ConfigOptions.key("dataset").stringType().defaultValue("/data")
            .withDescription("The dataset (layouts 'matrix' and 'array') or the group of the columns' datasets"
                    + " (layout 'columns').");

    public static final ConfigOption<Layout> LAYOUT = ConfigOptions.key("layout").enumType(Layout.class)
            .defaultValue(Layout.COLUMNS)
            .withDescription("'columns': one dataset per column, <dataset>/<column>; 'matrix': all columns, scalars of one"
                    + " type, as one 2-D dataset; 'array': the one data column is the dataset itself.");

    public static final ConfigOption<String> ROW_INDEX_COLUMN = ConfigOptions.key("row-index.column").stringType()
            .noDefaultValue()
            .withDescription("A BIGINT column holding each row's index along axis 0. Reading: filled in, and filters on it"
                    + " are pushed down as a row range. Writing: not written (the position is the index).");

    public static final ConfigOption<String> CHUNKS = ConfigOptions.key("chunks").stringType().noDefaultValue()
            .withDescription("Chunk shape of the datasets written: rows, or rows,columns for 2-D datasets. Default: about"
                    + " 10 MB of whole rows per chunk.");

    public static final ConfigOption<String> COMPRESSION = ConfigOptions.key("compression").stringType()
            .defaultValue("gzip:4")
            .withDescription("Codec of the datasets written: none, gzip[:level], lzf, lz4, bzip2[:level], zstd[:level],"
                    + " bitshuffle:lz4, bitshuffle:zstd[:level], blosc:<codec>[:level][:shuffle|bitshuffle].");

    public static final ConfigOption<Boolean> SHUFFLE = ConfigOptions.key("shuffle").booleanType().defaultValue(true)
            .withDescription("The byte-shuffle filter before the codec (ignored for codecs that shuffle themselves).");

    public static final ConfigOption<Boolean> FLETCHER32 = ConfigOptions.key("fletcher32").booleanType()
            .defaultValue(false).withDescription("A Fletcher-32 checksum on every chunk written.");

    public static final ConfigOption<String> FILL_VALUE = ConfigOptions.key("fill-value").stringType().noDefaultValue()
            .withDescription("The fill value of the datasets written (a number; default 0).");

    public static final ConfigOption<MemorySize> SINK_BUFFER_BUDGET = ConfigOptions.key("sink.buffer-budget")
            .memoryType().defaultValue(MemorySize.ofMebiBytes(256))
            .withDescription("Memory per writer for chunks being assembled; beyond it chunks spill to disk.");

    public static final ConfigOption<Boolean> SINK_DIRECT_IO = ConfigOptions.key("sink.direct-io").booleanType()
            .defaultValue(true)
            .withDescription("Write each chunk's whole pages past the page cache (direct I/O) where the file system "
                    + "allows. Turn off when the output is read again at once on the same machine and fits in memory.");

    /** Prefix of the attributes every dataset written gets: {@code 'attribute.unit' = 'uV'}. */
    public static final String ATTRIBUTE_PREFIX = "attribute.";

    /** Prefix of per-column options: {@code 'columns.<name>.shape' = '64'}. */
    public static final String COLUMNS_PREFIX = "columns.";

    /** Suffix of the per-column option fixing an array column's length. */
    public static final String SHAPE_SUFFIX = ".shape";
}
