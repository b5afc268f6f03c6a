package io.hdf5flink.source;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.source.format.NpyHeader;
import io.hdf5flink.source.probe.ArrayProber;
import io.hdf5flink.source.probe.ProbedArray;
import io.hdf5flink.source.format.RawFormat;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A bounded source reading one array from a memory-mapped file, a {@code .npy} file or a raw
 * binary file, into blocks of rows at offsets {@code {row, 0, ...}} of one output dataset:
 *
 * <pre>{@code
 * ArraySource source = ArraySource.npy(Path.of("/data/rec.npy"))
 *         .dataset("/data").chunkRows(16384).blockBytes(8 << 20).build();
 * ArraySource raw = ArraySource.raw(Path.of("/data/rec.bin"), DataType.INT16, ByteOrder.LITTLE_ENDIAN)
 *         .shape(-1, 64).headerBytes(0).dataset("/data").chunkRows(16384).build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "rec.npy")
 * }</pre>
 *
 * <p>{@code .npy} format versions 1.0, 2.0 and 3.0 are read, with the dtypes of {@code DataType}
 * (int8 to uint64, float16 to float64, bool, complex64, complex128) in either byte order;
 * big-endian data is emitted little-endian (each part of a complex number swapped on its own).
 * Fortran-order arrays and string, object, datetime and structured dtypes are refused when the source
 * is built, as is a file shorter than its header says. The file is mapped a window at a time, so
 * it may be larger than 2 GiB and than memory.
 *
 * <p>A file is read as {@code .npy} when it starts with numpy's magic, whatever its name and
 * whichever factory built the source: a raw format given for such a file must agree with its
 * header. Any other file is raw and must hold exactly the shape given (or whole rows when its
 * first extent is {@code -1}).
 */
@PublicEvolving
public final class ArraySource extends ArrayBlockSource {
    private static final long serialVersionUID = 1L;

    private ArraySource(Builder builder, ProbedArray array) {
        super(builder, array.input().type(), array.shape(), List.of(new Placement(array.input(), array.rows(),
                new long[array.shape().length], array.rowShape())));
    }

    /**
     * Whether {@code file} starts with numpy's magic {@code \x93NUMPY}: how the sources tell a
     * {@code .npy} file from a raw one, whatever its name.
     */
    public static boolean isNpyFile(Path file) throws IOException {
        return NpyHeader.startsWithMagic(file);
    }

    /** A source reading the {@code .npy} file {@code file} (whatever its name); a raw file is refused. */
    public static Builder npy(Path file) {
        return new Builder(file, null);
    }

    /**
     * A source reading the raw binary file {@code file}: elements of {@code type} in byte order
     * {@code order}, by default a 1-D array of all bytes after the header. A {@code .npy} file
     * (numpy's raw {@code np.memmap} files are not) is read by its header instead, which must
     * agree with the type, order and any shape given.
     */
    public static Builder raw(Path file, DataType type, ByteOrder order) {
        return new Builder(file, RawFormat.vector(type, order));
    }

    /** Builds an {@link ArraySource}; {@link #build()} reads and checks the file's header. */
    @PublicEvolving
    public static final class Builder extends ArrayBlockSource.Builder<Builder> {
        private final Path file;

        private Builder(Path file, RawFormat raw) {
            this.file = file;
            this.raw = raw;
        }

        /**
         * Reads and checks the file's header and length.
         *
         * @throws IllegalArgumentException naming the file, when it is missing or unreadable, its
         *     header is malformed, its dtype unsupported, it is shorter than its header says, its
         *     header contradicts the raw format given, or a raw file's size is not its shape's
         */
        public ArraySource build() {
            requireDataset();
            return new ArraySource(this, ArrayProber.probeMapped(file, raw));
        }
    }
}
