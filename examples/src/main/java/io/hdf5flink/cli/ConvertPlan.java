package io.hdf5flink.cli;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.Hdf5Paths;
import io.hdf5flink.hdf5.Profile;
import io.hdf5flink.sink.ChunkFilters;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.RolledMaster;
import io.hdf5flink.source.ArrayBlockSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Everything {@code convert} decides before it starts a job, checked up front so that a command
 * that cannot run fails with one line (exit 2) before anything is written: the inputs and the
 * source that reads them, the dataset spec (dtype and trailing shape from the input, or from the
 * existing dataset for {@code --append}; chunks given or chosen; filters; fill), the rows the
 * dataset already holds, whether the sink can take the blocks without a shuffle, and whether a
 * killed run is to be resumed.
 */
final class ConvertPlan {
    final Path output;
    final String dataset;
    final ArrayBlockSource source;
    final DatasetSpec spec;
    /** The dataset exists and is appended to. */
    final boolean appending;
    /** Whether {@code --append} was given: the output file may exist, with or without the dataset. */
    final boolean appendRequested;
    /** Rows the dataset held when the conversion (first) started; new rows go after them. */
    final long baseRows;
    /** The existing rows of the partial last chunk, re-emitted with the first new rows (null: aligned). */
    /** Blocks cover whole chunks, each chunk from one reader: the sink needs no shuffle. */
    final boolean chunkAligned;
    final String chunkChoice;
    final int parallelism;
    final Duration checkpointInterval;
    final CheckpointDirectory checkpoints;
    /** The checkpoint to resume from, or null for a fresh run. */
    final CheckpointDirectory.Completed resumeFrom;
    final Properties planFile;
    final String inputDescription;
    /** The attribute recording this input in the dataset once it is written ({@link InputIdentity}). */
    final String inputAttribute;
    /** Lines to print before the job starts: the conversion will run, but not as well as it could. */
    final List<String> warnings;
    /**
     * With {@code --copy-attributes}, the attributes of the input dataset's enclosing groups, by
     * the output group they go to (set when the input is recorded, after the job); else empty.
     */
    final Map<String, Map<String, AttributeValue>> groupAttributes;
    /** Rows per data file with {@code --rows-per-file} (the output is a master file then), else 0. */
    final long rowsPerFile;
    /** What the master holds, with {@code --rows-per-file}. */
    final RolledMaster master;
    /** The format of the files the conversion creates ({@code --format}). */
    final Profile profile;
    /** Whether writers go past the page cache where they can (not {@code --no-direct-io}); the output is the same either way. */
    final boolean directIo;

    private ConvertPlan(Builder b) {
        this.rowsPerFile = b.rowsPerFile;
        this.master = b.master;
        this.profile = b.profile;
        this.directIo = !b.o.noDirectIo;
        this.output = b.output;
        this.dataset = b.dataset;
        this.source = b.source;
        this.spec = b.spec;
        this.appending = b.appending;
        this.appendRequested = b.appendRequested;
        this.baseRows = b.baseRows;
        this.chunkAligned = b.chunkAligned;
        this.chunkChoice = b.chunkChoice;
        this.parallelism = b.parallelism;
        this.checkpointInterval = b.interval;
        this.checkpoints = b.checkpoints;
        this.resumeFrom = b.resumeFrom;
        this.planFile = b.planFile;
        this.inputDescription = b.inputDescription;
        this.warnings = List.copyOf(b.warnings);
        this.inputAttribute = b.inputAttribute;
        this.groupAttributes = b.groupAttributes;
    }

    /**
     * Checks again, once this run holds the checkpoint directory's lock, that the output is as the
     * plan found it: another convert of the same command that ended in between (its checkpoints
     * gone, its output written) would otherwise get the input appended a second time. Then an
     * append marks the dataset as its own until it completes ({@link AppendClaim}).
     */
    void recheckOutput() {
        if (resumeFrom == null) recheckFreshOutput(); // else the checkpoint decides, and a run that ended removed it
        if (appending) AppendClaim.take(output, dataset, checkpoints.path(), baseRows);
    }

    /** Whether the output rolls over data files ({@code --rows-per-file}). */
    boolean rolled() {
        return rowsPerFile > 0;
    }

    private void recheckFreshOutput() {
        if (rolled()) {
            if (RolledOutput.exists(output)) {
                throw new UsageException(output + " or its data files were created while this convert started (by another run?):"
                        + " choose another --output");
            }
            return;
        }
        ExistingOutput now = ExistingOutput.read(output, dataset);
        if (!appendRequested && Files.exists(output)) {
            throw new UsageException(output + " was created while this convert started (by another run?): pass --append"
                    + " to add to it, or choose another --output");
        }
        if (!appending && now.spec() != null) {
            throw new UsageException(output + ":" + dataset + " was created while this convert started (by another run?):"
                    + " run the command again to append after its rows");
        }
        if (appending && (now.spec() == null || now.rows() != baseRows)) {
            throw new UsageException(output + ":" + dataset + " changed while this convert started (by another run?): it"
                    + " holds " + now.rows() + " rows, not " + baseRows + "; run the command again to append after them");
        }
    }

    /** Raw bytes of the input: what the job hands to the sink. */
    long inputBytes() {
        long n = source.getDataType().size();
        for (long s : source.getShape()) n *= s;
        return n;
    }

    /** Bytes of one output row. */
    long rowBytes() {
        long[] shape = source.getShape();
        long n = source.getDataType().size();
        for (int d = 1; d < shape.length; d++) n *= shape[d];
        return n;
    }

    long inputRows() {
        return source.getShape()[0];
    }

    /** {@code s} in quotes, with control characters written as escapes, on one line. */
    private static String escaped(String s) {
        StringBuilder b = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c == '\n') b.append("\\n");
            else if (c == '\t') b.append("\\t");
            else if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append("'").toString();
    }

    /** The codec as the summary names it. */
    String codecName() {
        return OutputSummary.filterNames(spec.filters());
    }

    static ConvertPlan make(ConvertCommand o) throws IOException {
        return new Builder(o).build();
    }

    private static final class Builder {
        private final ConvertCommand o;
        Path output;
        String dataset;
        ArrayBlockSource source;
        DatasetSpec spec;
        boolean appending;
        boolean appendRequested;
        long baseRows;
        boolean chunkAligned;
        String chunkChoice;
        int parallelism;
        Duration interval;
        CheckpointDirectory checkpoints;
        CheckpointDirectory.Completed resumeFrom;
        Properties planFile;
        String inputDescription;
        final List<String> warnings = new ArrayList<>();
        String inputAttribute;
        Map<String, Map<String, AttributeValue>> groupAttributes = Map.of();
        long rowsPerFile;
        RolledMaster master = RolledMaster.VIRTUAL_DATASET;
        Profile profile = Profile.DEFAULT;

        Builder(ConvertCommand o) {
            this.o = o;
        }

        ConvertPlan build() throws IOException {
            parallelism = o.parallelismOrDefault();
            interval = o.interval();
            output = o.output.toAbsolutePath().normalize();
            if (Files.isDirectory(output)) throw new UsageException("--output " + o.output + " is a directory; name an HDF5 file");
            checkOutputPlace();
            try {
                if (o.dataset.chars().anyMatch(Character::isISOControl)) {
                    // Legal in HDF5, but it would break the one-line summary and every message naming it.
                    throw new UsageException("--dataset " + escaped(o.dataset) + " holds a control character (newline, tab,"
                            + " ...): refused, since every line naming the dataset would break");
                }
                dataset = Hdf5Paths.normalize(o.dataset);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--dataset '" + o.dataset + "': " + e.getMessage());
            }
            if (dataset.equals("/")) throw new UsageException("--dataset / is the root group; name a dataset, e.g. /data");
            checkRolling();
            profile = FileFormat.profile(o.format);
            ChunkFilters filters = NewDatasetOptions.filters(o);
            ConvertInputs inputs = ConvertInputs.resolve(o, dataset);
            checkpoints = new CheckpointDirectory(o.checkpointDir != null ? o.checkpointDir.toAbsolutePath().normalize()
                    : output.resolveSibling(output.getFileName() + ".checkpoints"));
            checkpoints.requireUsable();
            String canonical = o.canonicalOptions(inputs.names());
            Properties previous = readPlanOrRefuse();
            resumeFrom = completedCheckpoint().orElse(null);
            if (resumeFrom != null && (previous == null || !canonical.equals(previous.getProperty("options")))) {
                throw new UsageException(checkpoints.path() + " holds the checkpoints of an interrupted conversion"
                        + (previous == null ? "" : " with other options (" + previous.getProperty("options") + ")")
                        + ": run that command again to resume it, or delete " + checkpoints.path() + " to start over");
            }

            // Probe the input (a first build; rebuilt below once the chunk rows are known).
            ArrayBlockSource probe = inputs.source(o.chunks != null && !o.chunks.isEmpty() ? Math.max(1, o.chunks.get(0)) : 1);
            DataType type = probe.getDataType();
            long[] inShape = probe.getShape();
            inputDescription = inputs.describe(type, inShape);
            inputAttribute = InputIdentity.attributeName(probe.getInputFiles(), inputs.datasets());
            Number fill = NewDatasetOptions.fill(o, type);

            boolean rolled = rowsPerFile > 0;
            if (rolled && resumeFrom == null) {
                // Killed before its first commit, this command left data files with nothing committed.
                if (previous != null && canonical.equals(previous.getProperty("options"))) RolledOutput.deleteUncommitted(output);
                if (RolledOutput.exists(output)) {
                    throw new UsageException(output + " or its data files (" + RolledFiles.dataFile(output.getFileName().toString(), 0)
                            + ", ...) exist; choose another --output, or delete them (appending to a rolled recording is not supported)");
                }
            }
            if (!rolled && Files.exists(output) && !o.append && resumeFrom == null && previous != null
                    && canonical.equals(previous.getProperty("options"))
                    && !Boolean.parseBoolean(previous.getProperty("appending", "false")) && ExistingOutput.isEmpty(output)) {
                // This command, killed before its first checkpoint: its writers had created the
                // output (they write chunks into it before any commit) and nothing was committed.
                Files.delete(output);
            }
            if (!rolled && Files.exists(output) && !o.append && resumeFrom == null) {
                throw new UsageException(output + " exists; pass --append to add to it, or choose another --output"
                        + (previous != null ? " (an earlier run may have completed; " + checkpoints.path()
                        + " holds no completed checkpoint)" : ExistingOutput.completedHint(output, dataset, inShape)));
            }
            boolean samePlan = previous != null && canonical.equals(previous.getProperty("options"));
            if (!rolled && Files.exists(output) && resumeFrom == null && !samePlan && Hdf5File.isFlaggedOpenForWrite(output)) {
                // The sink reopens files flagged by its own killed committer; one flagged by another
                // writer (libhdf5 in SWMR mode holds no lock) must not be written beside it.
                throw new UsageException(output + " is flagged as open for writing by another HDF5 writer (a libhdf5 writer in SWMR"
                        + " mode, or one that was killed): wait for it to close the file, or, if none runs, clear the flags with"
                        + " 'h5clear -s " + output + "' (after a killed libhdf5 SWMR writer, also 'h5clear --increment=0 " + output + "')");
            }
            if (!rolled && Files.exists(output) && o.format != null && resumeFrom == null) {
                throw new UsageException("--format " + o.format + " applies to a new output; " + output
                        + " exists and keeps its own format: convert into a new --output to choose one");
            }
            // A rolled output is always new: its master holds a virtual dataset, nothing to append to.
            ExistingOutput existing = rolled ? ExistingOutput.none(output, dataset) : ExistingOutput.read(output, dataset);
            if (resumeFrom != null) {
                baseRows = Long.parseLong(previous.getProperty("baseRows", "0"));
                appending = Boolean.parseBoolean(previous.getProperty("appending", "false"));
                String atStart = previous.getProperty("inputsAtStart"); // null: a plan from before it was recorded
                if (appending && existing.spec() != null && atStart != null) {
                    existing.checkNoOtherAppendSince(atStart, inputAttribute);
                }
                if (appending && existing.spec() == null) {
                    throw new UsageException("the interrupted conversion appended to " + output + ":" + dataset
                            + ", which no longer exists; delete " + checkpoints.path() + " to start over");
                }
            } else {
                appending = o.append && existing.spec() != null;
                appendRequested = o.append;
                baseRows = appending ? existing.rows() : 0;
            }

            if (appending) {
                existing.checkAppendable(o, type, inShape, baseRows, NewDatasetOptions.namesFilters(o) ? filters : null, fill);
                if (resumeFrom == null) existing.checkNotAppendedBefore(inputAttribute, o.appendAgain);
                spec = existing.spec();
                if (o.copyAttributes) warnings.add("attributes not copied: --copy-attributes applies to a new dataset");
                chunkChoice = "those of the existing dataset";
                existing.chunkWarning(inShape[0]).ifPresent(warnings::add);
            } else {
                NewDatasetOptions.ChunkChoice chunks = NewDatasetOptions.chunks(o, dataset, type, inShape);
                long[] chunkShape = chunks.shape();
                chunkChoice = chunks.reason();
                if (rolled && rowsPerFile % chunkShape[0] != 0) chunkChoice += fitChunkRowsToFiles(chunkShape);
                spec = NewDatasetOptions.spec(type, inShape, chunkShape, filters, fill);
                if (o.copyAttributes) {
                    spec = inputs.withCopiedAttributes(spec, warnings);
                    groupAttributes = inputs.groupAttributes(dataset, warnings);
                    if (rolled && !groupAttributes.isEmpty()) {
                        warnings.add("the input's group attributes are not copied into a rolled recording (its dataset's are, into every file)");
                        groupAttributes = Map.of();
                    }
                }
            }

            source = inputs.source(spec.chunks()[0]);
            chunkAligned = source.isChunkAligned(spec.chunks(), baseRows);

            planFile = new Properties();
            planFile.setProperty("options", canonical);
            planFile.setProperty("baseRows", Long.toString(baseRows));
            planFile.setProperty("appending", Boolean.toString(appending));
            planFile.setProperty("inputsAtStart", resumeFrom != null ? previous.getProperty("inputsAtStart", "")
                    : existing.recordedInputs());
            planFile.setProperty("output", output.toString());
            return new ConvertPlan(this);
        }

        /** Checks {@code --rows-per-file} and {@code --master}, before anything is probed or written. */
        private void checkRolling() {
            if (o.rowsPerFile == null) {
                if (o.master != null) throw new UsageException("--master " + o.master + " applies with --rows-per-file");
                return;
            }
            if (o.rowsPerFile <= 0) throw new UsageException("--rows-per-file " + o.rowsPerFile + " is not a positive number of rows");
            if (o.append) {
                throw new UsageException("--rows-per-file with --append: appending to a recording rolled over files is not"
                        + " supported; convert into a new --output");
            }
            rowsPerFile = o.rowsPerFile;
            if (o.master != null) {
                master = switch (o.master) {
                    case "vds" -> RolledMaster.VIRTUAL_DATASET;
                    case "links" -> RolledMaster.EXTERNAL_LINKS;
                    default -> throw new UsageException("--master '" + o.master + "' is not vds or links");
                };
            }
        }

        /**
         * Makes the chunk rows divide {@code --rows-per-file}, so no chunk spans two files: chosen
         * chunk rows are cut to the largest divisor below them; given ones are refused.
         *
         * @return what to add to the chunk choice's reason
         */
        private String fitChunkRowsToFiles(long[] chunkShape) {
            long chunkRows = chunkShape[0];
            if (o.chunks != null && !o.chunks.isEmpty()) {
                long lower = rowsPerFile / chunkRows * chunkRows;
                long upper = lower + chunkRows;
                throw new UsageException("--rows-per-file " + rowsPerFile + " is not a multiple of the chunk rows " + chunkRows
                        + " (--chunks): a chunk would span two files; use --rows-per-file "
                        + (lower > 0 ? lower + " or " : "") + upper + ", or chunk rows that divide " + rowsPerFile);
            }
            long rows = RolledFiles.chunkRowsDividing(rowsPerFile, chunkRows);
            chunkShape[0] = rows;
            return ", rows cut to " + rows + " to divide --rows-per-file " + rowsPerFile;
        }

        /**
         * Refuses, before anything is written, an output the sink could never write, which a
         * re-run could not fix: in a missing or unwritable directory, or a symbolic link that is
         * dangling or leads out of its directory (the sink writes only inside its base directory).
         */
        private void checkOutputPlace() throws IOException {
            Path directory = output.getParent();
            if (!Files.isDirectory(directory)) {
                throw new UsageException("--output " + o.output + ": its directory " + directory + " does not exist");
            }
            if (!Files.isWritable(directory)) {
                throw new UsageException("--output " + o.output + ": its directory " + directory + " is not writable");
            }
            if (!Files.isSymbolicLink(output)) return;
            Path target = directory.resolve(Files.readSymbolicLink(output)).normalize();
            Path targetDirectory = Files.isDirectory(target.getParent()) ? target.getParent().toRealPath() : target.getParent();
            if (!targetDirectory.equals(directory.toRealPath())) {
                throw new UsageException("--output " + o.output + " is a symbolic link to " + target + ", outside its directory:"
                        + " the sink writes only inside the output's directory; name " + target + " itself");
            }
            if (!Files.exists(output)) {
                throw new UsageException("--output " + o.output + " is a dangling symbolic link (to " + target
                        + "): name the file to write");
            }
        }

        private Properties readPlanOrRefuse() {
            try {
                return checkpoints.readPlan();
            } catch (UncheckedIOException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }

        private Optional<CheckpointDirectory.Completed> completedCheckpoint() {
            try {
                return checkpoints.latestCompleted();
            } catch (UncheckedIOException e) {
                throw new UsageException(e.getMessage(), e);
            }
        }
    }

    static String join(List<Long> values) {
        List<String> s = new ArrayList<>();
        for (Long v : values) s.add(Long.toString(v));
        return String.join(",", s);
    }
}
