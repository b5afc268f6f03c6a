package io.hdf5flink.source.message;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.record.ArrayBlock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes {@link ArrayMessage}s into {@link ArrayBlock}s, keyed by the file and dataset they go
 * to ({@link #byDestination}), and checks each against its dataset's row type: the declared one,
 * else the one the dataset's first message had (kept in keyed state, so it survives a restore). A
 * message that is not a {@code .npy} array, carries an unknown {@code hdf5.*} header, or does not
 * match its dataset is a bad message: it fails the job with a {@link BadMessageException} naming
 * topic, partition and offset ({@link OnBadMessage#FAIL}, the default), or is counted in the
 * {@code hdf5.badMessages} metric and emitted to the side output {@link #REJECTED}
 * ({@link OnBadMessage#SET_ASIDE}). Checking here, before the sink, is what lets a bad message
 * be set aside: the sink fails the job on a block it cannot write.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<ArrayBlock> blocks = env
 *         .fromSource(kafkaSource(new ArrayMessageKafkaDeserializer()), WatermarkStrategy.noWatermarks(), "kafka")
 *         .keyBy(ParseArrayMessages.byDestination("/data"))
 *         .process(new ParseArrayMessages("/data").setAside(), ArrayBlockTypeInfo.INSTANCE);
 * blocks.getSideOutput(ParseArrayMessages.REJECTED).sinkTo(deadLetters);
 * blocks.sinkTo(hdf5Sink);
 * }</pre>
 */
@PublicEvolving
public final class ParseArrayMessages extends KeyedProcessFunction<String, ArrayMessage, ArrayBlock> {
    private static final long serialVersionUID = 1L;

    /** The side output of bad messages, with {@link OnBadMessage#SET_ASIDE}. */
    public static final OutputTag<RejectedMessage> REJECTED =
            new OutputTag<>("rejected-messages", TypeInformation.of(RejectedMessage.class));

    /** What a bad message does. */
    public enum OnBadMessage {
        /** Fails the job, naming the message. */
        FAIL,
        /** Counts it and emits it to {@link #REJECTED}. */
        SET_ASIDE
    }

    private final String defaultDataset;
    private OnBadMessage onBadMessage = OnBadMessage.FAIL;
    /** Declared element types, by destination. */
    private final Map<String, DataType> declaredTypes = new HashMap<>();
    /** Declared row types (element type and row shape), by destination. */
    private final Map<String, String> declaredRowTypes = new HashMap<>();
    private boolean onlyDeclared;
    private boolean appendOnly;

    private transient ValueState<String> rowType;
    private transient Counter badMessages;

    /** @param defaultDataset the dataset of messages without a {@value NpyMessages#DATASET} header (null: such messages are bad) */
    public ParseArrayMessages(String defaultDataset) {
        this.defaultDataset = defaultDataset == null ? null : Hdf5Paths.normalize(defaultDataset);
    }

    /** The key the input must be keyed by: the file and dataset a message goes to. */
    public static KeySelector<ArrayMessage, String> byDestination(String defaultDataset) {
        String fallback = defaultDataset == null ? null : Hdf5Paths.normalize(defaultDataset);
        return m -> destination(m.file, normalizedOrAsIs(m.datasetOr(fallback)));
    }

    /** Sets bad messages aside instead of failing the job. */
    public ParseArrayMessages setAside() {
        this.onBadMessage = OnBadMessage.SET_ASIDE;
        return this;
    }

    /**
     * Declares the row type of {@code dataset} of {@code file} (null: the default file): its element
     * type and the shape of one row (every axis but the first), e.g. those of a dataset the output
     * already holds; with {@code rowShape} null, its element type only, the row shape being that of
     * its first message. Messages for it of another row type are bad.
     */
    public ParseArrayMessages declare(String file, String dataset, DataType type, long[] rowShape) {
        String destination = destination(file, Hdf5Paths.normalize(dataset));
        declaredTypes.put(destination, type);
        if (rowShape != null) declaredRowTypes.put(destination, rowType(type, rowShape));
        return this;
    }

    /** Makes messages for datasets not {@linkplain #declare declared} bad (a job that writes only those). */
    public ParseArrayMessages onlyDeclared() {
        this.onlyDeclared = true;
        return this;
    }

    /** Makes messages with an {@value NpyMessages#OFFSET} header bad (a job whose datasets take appended blocks only). */
    public ParseArrayMessages appendOnly() {
        this.appendOnly = true;
        return this;
    }

    @Override
    public void open(OpenContext openContext) {
        rowType = getRuntimeContext().getState(new ValueStateDescriptor<>("row-type", Types.STRING));
        badMessages = getRuntimeContext().getMetricGroup().addGroup("hdf5").counter("badMessages");
    }

    @Override
    public void processElement(ArrayMessage message, Context ctx, Collector<ArrayBlock> out) throws Exception {
        ArrayBlock block;
        try {
            block = message.toBlock(defaultDataset);
            check(message, block);
        } catch (BadMessageException e) {
            if (onBadMessage == OnBadMessage.FAIL) throw e;
            badMessages.inc();
            ctx.output(REJECTED, RejectedMessage.of(message, e.reason()));
            return;
        }
        if (block.shape()[0] > 0) out.collect(block);
    }

    private void check(ArrayMessage message, ArrayBlock block) throws Exception {
        String destination = destination(block.file(), block.dataset());
        String where = (block.file() == null ? "" : block.file() + ":") + block.dataset();
        if (appendOnly && !block.isAppend()) {
            throw new BadMessageException(message.where(), NpyMessages.OFFSET + " given for " + where
                    + ", but this job appends every block (its datasets are not declared with a chunk grid)");
        }
        if (onlyDeclared && !declaredTypes.containsKey(destination)) {
            throw new BadMessageException(message.where(), "it goes to " + where + ", which this job does not write");
        }
        DataType declaredType = declaredTypes.get(destination);
        if (declaredType != null && declaredType != block.type()) {
            throw new BadMessageException(message.where(), "the array is " + block.type().numpyName() + ", " + where + " takes "
                    + declaredType.numpyName());
        }
        long[] shape = block.shape();
        String actual = rowType(block.type(), Arrays.copyOfRange(shape, 1, shape.length));
        String expected = rowType.value();
        if (expected == null) expected = declaredRowTypes.get(destination);
        if (expected == null) {
            rowType.update(actual);
        } else if (!expected.equals(actual)) {
            throw new BadMessageException(message.where(), "the array has rows of " + actual + ", " + where + " takes rows of "
                    + expected);
        }
    }

    private static String destination(String file, String dataset) {
        return (file == null ? "" : file) + "\0" + dataset;
    }

    private static String normalizedOrAsIs(String dataset) {
        if (dataset == null) return "";
        try {
            return Hdf5Paths.normalize(dataset);
        } catch (IllegalArgumentException e) {
            return dataset; // a bad name: the message is refused when decoded
        }
    }

    private static String rowType(DataType type, long[] rowShape) {
        return type.numpyName() + " " + Arrays.toString(rowShape);
    }
}
