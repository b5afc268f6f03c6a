package io.hdf5flink.examples;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Tutorial "Alternative Approach: User-defined dataset write", with the append engine directly
 * (no Flink): declare an empty float64 dataset {@code (0, 10)} with maxshape {@code (None, 10)},
 * 2 MB chunks {@code (131072, 2)}, gzip 4 + shuffle and fill value NaN; then resize to
 * {@code (8, 10)}, write rows 0-2 as 1 and rows 3-5 as 2, and leave rows 6-7 unwritten: they read
 * back as NaN.
 *
 * <pre>java -cp flink-hdf5-examples.jar io.hdf5flink.examples.UserDefinedWriteExample [OUT.h5]</pre>
 */
public final class UserDefinedWriteExample {
    static final String DATASET = "/acquisition/synthetic_timeseries/data";

    private UserDefinedWriteExample() {}

    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "basic_alternative_custom_write.h5"), System.out);
    }

    public static double[][] run(Path out, PrintStream print) throws Exception {
        Files.deleteIfExists(out);
        // Step 1: allocate the data as empty.
        try (Hdf5File file = Hdf5File.create(out)) {
            file.createDataset(DATASET, DatasetSpec.builder(DataType.FLOAT64, 0, 10)
                    .maxShape(DatasetSpec.UNLIMITED, 10)   // <-- make the time dimension resizable
                    .chunks(131072, 2)                     // <-- use 2 MB chunks
                    .deflate(4)                            // <-- enable gzip compression, level 4
                    .shuffle()                             // <-- enable the shuffle filter
                    .fillValue(Double.NaN)                 // <-- use NaN as fill value
                    .build());
        }
        // Step 2: get the dataset to be updated.
        try (Hdf5File file = Hdf5File.openForAppend(out)) {
            Hdf5Dataset data = file.dataset(DATASET);
            print.printf("Shape %s, Chunks: %s, Maxshape=%s%n", ExampleSupport.tuple(data.shape()),
                    ExampleSupport.tuple(data.chunkShape()), ExampleSupport.tuple(data.maxShape()));
            // Step 3: implement the custom write.
            data.resize(8, 10);                           // <-- allocate the space we need
            data.write(new long[] {0, 0}, new long[] {3, 10}, filled(3 * 10, 1));  // <-- timesteps 0, 1, 2
            data.write(new long[] {3, 0}, new long[] {3, 10}, filled(3 * 10, 2));  // <-- timesteps 3, 4, 5; 6, 7 not written
        }                                                 // <-- close (commits)

        // Check the results.
        double[][] rows;
        try (Hdf5File file = Hdf5File.openReadOnly(out)) {
            Hdf5Dataset data = file.dataset(DATASET);
            long[] shape = data.shape();
            ByteBuffer b = data.read(new long[] {0, 0}, shape).order(ByteOrder.LITTLE_ENDIAN);
            rows = new double[(int) shape[0]][(int) shape[1]];
            for (double[] row : rows) for (int c = 0; c < row.length; c++) row[c] = b.getDouble();
        }
        print.println(format(rows));
        return rows;
    }

    private static ByteBuffer filled(int count, double value) {
        double[] v = new double[count];
        Arrays.fill(v, value);
        ByteBuffer b = ByteBuffer.allocate(count * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return b.flip();
    }

    /** Like numpy prints a float matrix. */
    static String format(double[][] rows) {
        StringBuilder s = new StringBuilder("[");
        for (int r = 0; r < rows.length; r++) {
            s.append(r == 0 ? "[" : " [");
            for (int c = 0; c < rows[r].length; c++) {
                double v = rows[r][c];
                s.append(String.format(Locale.ROOT, "%4s", Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.0f.", v)));
                if (c < rows[r].length - 1) s.append(' ');
            }
            s.append(']').append(r == rows.length - 1 ? "]" : "\n");
        }
        return s.toString();
    }
}
