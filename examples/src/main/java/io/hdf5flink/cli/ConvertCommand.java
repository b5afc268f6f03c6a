package io.hdf5flink.cli;

import io.hdf5flink.sink.Hdf5Sink;
import io.hdf5flink.source.MultiFileArraySource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flink-hdf5 convert}: a {@code .npy} file, a raw memory-mapped array, or many files forming
 * one array (one per column or one per range of rows), into one resizable, chunked, compressed
 * dataset, exactly once, resumable after a kill.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        description = {"Converts a .npy file, a raw memory-mapped array, or many files that form one array into "
                + "one resizable, chunked, compressed HDF5 dataset (maxshape unlimited along axis 0).", "",
                "Checkpoints are kept in OUT.h5.checkpoints/; if the run is killed, running the same command "
                        + "again resumes from the last completed checkpoint, and the result equals that of an "
                        + "uninterrupted run. A run that completes removes its checkpoints."},
        footer = {"", "Examples:",
                "  convert --input rec.npy --output rec.h5 --codec gzip:4 --shuffle",
                "  convert --input rec.bin --dtype '<i2' --shape -1,384 --output rec.h5",
                "  convert --input old.h5:/entry/data --output new.h5 --chunks 131072,8 --codec gzip:4 --shuffle",
                "  convert --input 'ch*.npy' --layout columns --output rec.h5",
                "  convert --input part2.npy --output rec.h5 --append",
                "  convert --input frames.npy --output scan.h5 --rows-per-file 1000 --chunks 1,512,512", "",
                "Exit codes: 0 success, 2 usage error (nothing written), 1 failure (re-run to resume)."})
public final class ConvertCommand implements Callable<Integer> {

    /** How several inputs form the output array. */
    public enum Layout {
        columns, segments;

        MultiFileArraySource.Layout source() {
            return this == columns ? MultiFileArraySource.Layout.COLUMNS : MultiFileArraySource.Layout.SEGMENTS;
        }
    }

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = {"Input: a .npy file (any file starting with numpy's magic, whatever its name), a raw file "
                    + "(with --dtype), an HDF5 dataset (FILE.h5:/path/to/dataset, or FILE.h5 when it holds one), "
                    + "or several files or datasets, a directory or a quoted glob "
                    + "(with --layout). Inputs may be .gz/.bz2/.xz/.zst compressed or in .npz/.zip/.tar archives."})
    List<String> inputs;

    @Option(names = "--output", required = true, paramLabel = "OUT.h5", description = "The HDF5 file to write.")
    Path output;

    @Option(names = "--dataset", defaultValue = "/data", paramLabel = "PATH",
            description = "Dataset path in the output (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--chunks", split = ",", paramLabel = "R,C,...", hideParamSyntax = true,
            description = "Chunk shape, one extent per output axis. Default: whole rows, about 10 MB per chunk "
                    + "(a multiple of 1024 rows), whatever the input's length: later appends keep them.")
    List<Long> chunks;

    @Option(names = "--codec", paramLabel = "CODEC",
            description = "gzip[:LEVEL] (1-9, default 4), lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL], bitshuffle[:lz4|zstd[:LEVEL]], "
                    + "blosc[:lz4|zstd|zlib|snappy][:LEVEL][:shuffle|bitshuffle|noshuffle] (default blosc:lz4:5:shuffle) or "
                    + "none. Default: gzip:4, with --shuffle.")
    String codec;

    @Option(names = "--shuffle", negatable = true,
            description = "Byte shuffle before compressing (better ratios and speed for integers and floats). On by "
                    + "default with a codec, off with --codec none and with bitshuffle and blosc, which shuffle as "
                    + "their codec says; --no-shuffle turns it off.")
    Boolean shuffle;

    @Option(names = "--fletcher32", description = "A Fletcher-32 checksum on every chunk.")
    Boolean fletcher32;

    @Option(names = "--fill", paramLabel = "VALUE", description = "Fill value of unwritten elements (default 0; nan, inf "
            + "for floats; the real part for complex; 0, 1, false, true for bool).")
    String fill;

    @Option(names = "--parallelism", paramLabel = "N",
            description = "Flink parallelism: readers and writers, 1 to 128 (default: the number of cores).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION",
            description = "Checkpoint interval, e.g. 500ms, 10s, 2min (default ${DEFAULT-VALUE}). Data becomes "
                    + "visible in the output at each checkpoint; a run ends at the first checkpoint after the "
                    + "last block, and resumes from the last one.")
    String checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints are kept (default OUT.h5.checkpoints beside the output): a new or empty "
                    + "directory, or one an earlier convert left. convert deletes only what it put there.")
    Path checkpointDir;

    @Option(names = "--append",
            description = "Append to the dataset if it exists (same dtype and trailing shape; its chunks and "
                    + "filters are kept), instead of refusing an existing output.")
    boolean append;

    @Option(names = "--rows-per-file", paramLabel = "N",
            description = "Roll the output over data files of N rows each, OUT_000001.h5, OUT_000002.h5, ... (each a "
                    + "complete file, final once the next begins), with OUT.h5 the master file (see --master). N must be a "
                    + "multiple of the chunk rows; without --chunks, the chunk rows are chosen to divide N.")
    Long rowsPerFile;

    @Option(names = "--master", paramLabel = "vds|links",
            description = "With --rows-per-file, what OUT.h5 holds: vds (default), a virtual dataset that libhdf5 1.10+ "
                    + "(h5py, h5dump) reads as one dataset over every data file; links, an external link per data file "
                    + "beside the dataset's path (DATASET_000001, ...), as DECTRIS EIGER masters, for readers without "
                    + "virtual datasets (jhdf).")
    String master;

    @Option(names = "--format", paramLabel = "default|latest",
            description = "The format of a new output: default, h5py's default (superblock 0; every HDF5 reader, any "
                    + "reader may open it while convert runs); latest, superblock 3 with version 2 object headers (libhdf5 "
                    + "1.10+), flagged for SWMR writing while convert runs: read it live with h5py.File(OUT, 'r', swmr=True) "
                    + "and dataset.refresh(). An existing output keeps its format.")
    String format;

    @Option(names = "--no-direct-io", description = SinkJobs.NO_DIRECT_IO_HELP)
    boolean noDirectIo;

    @Option(names = "--copy-attributes",
            description = "With an HDF5 input: copy its dataset's attributes to the new output dataset (strings, "
                    + "numbers and numeric arrays; others are listed as not copied).")
    boolean copyAttributes;

    @Option(names = "--append-again",
            description = "With --append: append inputs the dataset already holds. convert records each input it "
                    + "wrote in the dataset, and by default refuses to append the same input twice.")
    boolean appendAgain;

    @Option(names = "--layout", paramLabel = "columns|segments",
            description = "How several files form one array: columns (each file a 1-D column) or segments "
                    + "(each file a range of rows, concatenated).")
    Layout layout;

    @Option(names = "--dtype", paramLabel = "D",
            description = "Element type of raw inputs in numpy notation, e.g. <f8, >i2, u1, int16, <f2, b1, <c8. A .npy "
                    + "input states its own: a --dtype given for it must agree.")
    String dtype;

    @Option(names = "--shape", split = ",", paramLabel = "R,C,...", hideParamSyntax = true,
            description = "Shape of each raw input in C order; the first extent may be -1 (as many rows as the file "
                    + "holds). A raw file must hold exactly this shape. Default: 1-D, the whole file.")
    List<Long> shape;

    @Option(names = "--header-bytes", paramLabel = "N", description = "Bytes to skip at the start of each raw input.")
    Long headerBytes;

    @CommandLine.Mixin ProgressOptions printing = new ProgressOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConvertPlan plan = ConvertPlan.make(this);
        ConvertJob.Result result = ConvertJob.run(plan, spec.commandLine().getErr(), !printing.noProgress);
        spec.commandLine().getOut().println(result.summaryLine());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The checkpoint interval as a duration. */
    Duration interval() {
        return checkpointInterval(checkpointInterval);
    }

    /** {@code --checkpoint-interval}'s value as a duration, of at least 10 ms. */
    static Duration checkpointInterval(String text) {
        return duration("--checkpoint-interval", text, Duration.ofMillis(10));
    }

    /** An option's duration ({@code 500ms}, {@code 10s}, {@code 2min}), of at least {@code min}. */
    static Duration duration(String option, String text, Duration min) {
        Duration d;
        try {
            d = TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " '" + text + "' is not a duration such as 500ms, 10s or 2min");
        }
        if (d.compareTo(min) < 0) throw new UsageException(option + " " + text + " is below " + TimeUtils.formatWithHighestUnit(min));
        return d;
    }

    /** The parallelism to run with. */
    int parallelismOrDefault() {
        return parallelismOrDefault(parallelism);
    }

    /** {@code --parallelism}, checked, or the number of cores when not given. */
    static int parallelismOrDefault(Integer parallelism) {
        if (parallelism == null) return Math.min(Hdf5Sink.MAX_WRITER_PARALLELISM, Runtime.getRuntime().availableProcessors());
        if (parallelism < 1 || parallelism > Hdf5Sink.MAX_WRITER_PARALLELISM) {
            throw new UsageException("--parallelism " + parallelism + " is not 1 to " + Hdf5Sink.MAX_WRITER_PARALLELISM);
        }
        return parallelism;
    }

    /**
     * The options that shape the output, in one canonical line: a resumed run must have the same
     * (parallelism, interval and progress may differ).
     */
    String canonicalOptions(List<String> resolvedInputs) {
        // Written only when set, so that plans recorded before the option existed still match.
        return String.join(" ", "inputs=" + resolvedInputs, "dataset=" + dataset, "chunks=" + chunks, "codec=" + codec,
                "shuffle=" + shuffle, "fletcher32=" + fletcher32, "fill=" + fill, "append=" + append, "layout=" + layout,
                "dtype=" + (dtype == null ? null : dtype.toLowerCase(Locale.ROOT)), "shape=" + shape,
                "headerBytes=" + headerBytes) + (copyAttributes ? " copyAttributes=true" : "")
                + (rowsPerFile != null ? " rowsPerFile=" + rowsPerFile + " master=" + master : "")
                + FileFormat.canonical(format);
    }
}
