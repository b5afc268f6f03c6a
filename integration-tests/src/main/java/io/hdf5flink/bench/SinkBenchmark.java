package io.hdf5flink.bench;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.Hdf5Sink;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The sink on an embedded Flink: a memory-mapped int16 (rows, channels) recording read in
 * chunk-aligned blocks of {@code chunkRows} rows at explicit offsets (as a chunk-aligned source
 * emits them, so no shuffle), written through Hdf5Sink with deflate 4 + shuffle in
 * (chunkRows, channels) chunks, checkpointing every 2 s. Prints rows/s and MB/s of raw input.
 *
 * <p>usage: SinkBenchmark IN DATA_OFFSET ROWS CHANNELS OUT_DIR PARALLELISM [CHUNK_ROWS]
 */
public final class SinkBenchmark {
    private SinkBenchmark() {}

    public static void main(String[] args) throws Exception {
        String in = args[0];
        long offset = Long.parseLong(args[1]);
        long rows = Long.parseLong(args[2]);
        int channels = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        int parallelism = Integer.parseInt(args[5]);
        int chunkRows = args.length > 6 ? Integer.parseInt(args[6]) : 16384;
        Files.deleteIfExists(out.resolve("bench.h5"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(parallelism);
        env.enableCheckpointing(2000);
        long chunks = (rows + chunkRows - 1) / chunkRows;
        env.fromSource(new NumberSequenceSource(0, chunks - 1), WatermarkStrategy.noWatermarks(), "chunks")
                .map(new ReadRows(in, offset, rows, channels, chunkRows))
                .returns(TypeInformation.of(ArrayBlock.class))
                .sinkTo(Hdf5Sink.builder(out).defaultFile("bench.h5").chunkAlignedInput(true)
                        .declare("/data", DatasetSpec.builder(DataType.INT16, rows, channels)
                                .maxShape(DatasetSpec.UNLIMITED, channels).chunks(chunkRows, channels).shuffle().deflate(4).build())
                        .build());
        long started = System.nanoTime();
        env.execute("sink benchmark");
        double seconds = (System.nanoTime() - started) / 1e9;
        double rawMb = rows * channels * 2 / 1e6;
        System.out.printf("sink parallelism=%d rows=%d raw_MB=%.1f file_MB=%.1f seconds=%.2f rows_per_s=%.0f MBps=%.1f%n",
                parallelism, rows, rawMb, Files.size(out.resolve("bench.h5")) / 1e6, seconds, rows / seconds, rawMb / seconds);
    }

    /** Maps a chunk index to its rows of the memory-mapped input. */
    static final class ReadRows extends RichMapFunction<Long, ArrayBlock> {
        private final String in;
        private final long offset;
        private final long rows;
        private final int channels;
        private final int chunkRows;
        private transient FileChannel channel;

        ReadRows(String in, long offset, long rows, int channels, int chunkRows) {
            this.in = in;
            this.offset = offset;
            this.rows = rows;
            this.channels = channels;
            this.chunkRows = chunkRows;
        }

        @Override
        public ArrayBlock map(Long chunk) throws Exception {
            if (channel == null) channel = FileChannel.open(Path.of(in));
            long first = chunk * chunkRows;
            int n = (int) Math.min(chunkRows, rows - first);
            long rowBytes = 2L * channels;
            MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, offset + first * rowBytes, n * rowBytes);
            byte[] data = new byte[(int) (n * rowBytes)];
            window.get(data);
            return ArrayBlock.at("/data", DataType.INT16, new long[] {first, 0}, new long[] {n, channels}, data);
        }

        @Override
        public void close() throws Exception {
            if (channel != null) channel.close();
        }
    }
}
