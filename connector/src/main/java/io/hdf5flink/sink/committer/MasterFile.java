package io.hdf5flink.sink.committer;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.ExclusiveLock;
import io.hdf5flink.hdf5.ExternalLinkFile;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.VirtualMapping;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.RolledMaster;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * The master file of a recording rolled over data files ({@link DatasetDeclaration#rollEvery}):
 * for each rolled dataset, a virtual dataset (unlimited first axis) that maps the committed rows
 * of every data file, one after the other, so libhdf5 readers see the recording as one dataset;
 * or, with {@link RolledMaster#EXTERNAL_LINKS}, an external link per data file beside the
 * dataset's path ({@code data_000001 -> rec_000001.h5:/data}, DECTRIS EIGER's layout).
 *
 * <p>Its role in the commit lifecycle: a committer rebuilds it after each commit that touched
 * one of its data files, from what the data files hold <em>committed</em> at that moment, never
 * from committables, so it cannot reference a row that is not committed, and it follows the data
 * files it references. The data files of a recording commit on several committer subtasks, in
 * several processes (and during a failover the committer of the failed attempt may still be
 * closing while the new one commits): a rebuild holds
 * an exclusive lock on {@code <master>.master.lock} in the staging directory, so rebuilds take
 * turns and each reads the data files after the previous one wrote, and the last to rebuild sees
 * every commit before it. A rebuild writes the whole
 * master under a temporary name and renames it over the old one, so a reader opening the master
 * finds the old version or the new one, and a process killed mid-rebuild leaves the old one (the
 * next commit of a data file, or the re-commit after a restore, rebuilds it). Mapped rows are the
 * recording's prefix: the full files, then the first file that is not full; rows past a gap are
 * not shown.
 */
@Internal
final class MasterFile {

    private final SinkConfig config;
    private final String master;
    /** Per rolled dataset: the data files known full (final), which need not be read again. */
    private final Map<String, Integer> fullFiles = new HashMap<>();
    /** Per rolled dataset: its layout in the data files (the first one's, the same in all). */
    private final Map<String, DatasetSpec> layouts = new HashMap<>();

    MasterFile(SinkConfig config, String master) {
        this.config = config;
        this.master = master;
    }

    /** Rewrites the master from the data files' committed rows. */
    void rebuild() throws IOException {
        ExclusiveLock.holding(lockFile(), () -> {
            write(config.resolveFile(master));
            return null;
        });
    }

    /**
     * Deletes the lock file, under the lock, when the committer closes (a later rebuild makes it
     * anew), so a finished job leaves nothing in the staging directory.
     */
    void deleteLock() throws IOException {
        Path lockFile = lockFile();
        if (Files.exists(lockFile)) ExclusiveLock.holding(lockFile, held -> {
            held.deleteLockFile();
            return null;
        });
    }

    private Path lockFile() {
        return config.stagingDirectory().resolve(StagingFiles.masterLockName(master));
    }

    /** A rolled dataset as its data files hold it committed: its layout and each data file's rows (a prefix of the recording). */
    private record Committed(String path, DatasetSpec layout, List<String> files, List<Long> rows) {}

    private void write(Path target) throws IOException {
        List<Committed> datasets = new ArrayList<>();
        RolledMaster kind = RolledMaster.VIRTUAL_DATASET;
        for (DatasetDeclaration d : config.rolledDatasetsOf(master)) {
            Committed c = committed(d);
            if (c != null) datasets.add(c);
            kind = d.master();
        }
        if (datasets.isEmpty()) return; // no data file holds a dataset yet
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".master");
        try {
            if (kind == RolledMaster.EXTERNAL_LINKS) writeLinks(temp, datasets);
            else writeVirtualDatasets(temp, datasets);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void writeVirtualDatasets(Path temp, List<Committed> datasets) {
        try (Hdf5File f = Hdf5File.create(temp, config.fileOptions())) {
            for (Committed c : datasets) {
                long[] rowShape = Arrays.copyOfRange(c.layout().shape(), 1, c.layout().shape().length);
                List<VirtualMapping> mappings = new ArrayList<>();
                long row = 0;
                for (int i = 0; i < c.files().size(); i++) {
                    // Relative to the master's directory, where libhdf5 looks first for a relative source.
                    mappings.add(VirtualMapping.rows(c.files().get(i), c.path(), rowShape, c.rows().get(i), row));
                    row += c.rows().get(i);
                }
                long[] shape = c.layout().shape();
                shape[0] = row;
                long[] max = c.layout().maxShape();
                max[0] = DatasetSpec.UNLIMITED;
                DatasetSpec.Builder spec = DatasetSpec.builder(c.layout().type(), shape).maxShape(max).chunks(c.layout().chunks())
                        .fillBytes(c.layout().fillValue());
                config.declaration(master, c.path()).spec().attributes().forEach(spec::attribute);
                f.createVirtualDataset(c.path(), spec.build(), mappings);
            }
        }
    }

    /** EIGER's layout: {@code <dataset>_000001, ...} beside the dataset's path, each an external link to the dataset in a data file. */
    private void writeLinks(Path temp, List<Committed> datasets) throws IOException {
        Map<String, ExternalLinkFile.Target> links = new LinkedHashMap<>();
        for (Committed c : datasets) {
            for (int i = 0; i < c.files().size(); i++) {
                links.put(c.path() + String.format("_%06d", i + 1), new ExternalLinkFile.Target(c.files().get(i), c.path()));
            }
        }
        ExternalLinkFile.create(temp, links, config.fsyncOnCommit());
    }

    /** A rolled dataset's committed rows per data file, or null when its first data file does not hold it yet. */
    private Committed committed(DatasetDeclaration declaration) throws IOException {
        String dataset = declaration.dataset();
        long rowsPerFile = declaration.rowsPerFile();
        List<Long> perFile = RolledFiles.committedRows(config.resolveFile(master), dataset, rowsPerFile,
                fullFiles.getOrDefault(dataset, 0));
        if (perFile.isEmpty()) return null;
        DatasetSpec layout = layouts.get(dataset);
        if (layout == null) {
            try (Hdf5File f = Hdf5File.openReadOnly(config.resolveFile(RolledFiles.dataFile(master, 0)))) {
                layout = f.dataset(dataset).spec();
            }
            layouts.put(dataset, layout);
        }
        List<String> files = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        int full = 0;
        for (int i = 0; i < perFile.size(); i++) {
            if (perFile.get(i) == rowsPerFile) full++;
            if (perFile.get(i) == 0) continue;
            files.add(Path.of(RolledFiles.dataFile(master, i)).getFileName().toString());
            rows.add(perFile.get(i));
        }
        fullFiles.put(dataset, full);
        return new Committed(dataset, layout, files, rows);
    }
}
