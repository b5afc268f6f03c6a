package io.hdf5flink.examples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What the examples share: a Flink environment with checkpoints, and writing test inputs. */
final class ExampleSupport {
    private ExampleSupport() {}

    /**
     * The environment an example runs in: embedded when started with {@code java}, the cluster's
     * under {@code flink run}. The sink commits at checkpoints (and at the end of input, at the
     * final checkpoint), so checkpointing is on; the writers' state holds the chunks being filled,
     * so checkpoints go to files (in {@code checkpoints}), not to the JobManager's memory.
     */
    static StreamExecutionEnvironment environment(int parallelism, Path checkpoints) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    /** Writes doubles as a raw little-endian file, the way {@code np.memmap(..., dtype='float64')} stores them. */
    static void writeRawDoubles(Path file, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putDouble(v);
        b.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) ch.write(b);
        }
    }

    /** Writes a 2-D int16 array as a {@code .npy} file (format 1.0), as {@code np.save} does. */
    static void writeNpyInt16(Path file, short[] values, long rows, long cols) throws IOException {
        String dict = "{'descr': '<i2', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (short v : values) b.putShort(v);
        b.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (b.hasRemaining()) ch.write(b);
        }
    }


    /** A shape as Python prints a tuple. */
    static String tuple(long... shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shape[i] < 0 ? "None" : Long.toString(shape[i]));
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
