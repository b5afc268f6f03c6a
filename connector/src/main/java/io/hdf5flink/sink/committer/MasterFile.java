package io.hdf5flink.sink.committer;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.Hdf5Dataset;
import io.hdf5flink.hdf5.Hdf5File;
import io.hdf5flink.hdf5.VirtualMapping;
import io.hdf5flink.sink.DatasetDeclaration;
import io.hdf5flink.sink.RolledFiles;
import io.hdf5flink.sink.SinkConfig;
import io.hdf5flink.sink.staging.StagingFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.flink.annotation.Internal;

/**
 * The master file of a recording rolled over data files ({@link DatasetDeclaration#rollEvery}):
 * for each rolled dataset, a virtual dataset (unlimited first axis) that maps the committed rows
 * of every data file, one after the other, so libhdf5 readers see the recording as one dataset.
 *
 * <p>Its role in the commit lifecycle: a committer rebuilds it after each commit that touched
 * one of its data files, from what the data files hold <em>committed</em> at that moment, never
 * from committables, so it cannot reference a row that is not committed, and it follows the data
 * files it references. Data files commit on several committer subtasks (processes) at once; a
 * rebuild holds an exclusive lock on {@code <master>.master.lock} in the staging directory, so
 * rebuilds take turns and each reads the data files after the previous one wrote: the last
 * committer to commit a data file rebuilds last and sees every file. A rebuild writes the whole
 * master under a temporary name and renames it over the old one, so a reader opening the master
 * finds the old version or the new one, and a process killed mid-rebuild leaves the old one (the
 * next commit of a data file, or the re-commit after a restore, rebuilds it). Mapped rows are the
 * recording's prefix: the full files, then the first file that is not full; rows past a gap are
 * not shown.
 */
@Internal
final class MasterFile {
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final SinkConfig config;
    private final String master;
    /** Per rolled dataset: the data files known full (final), which need not be read again. */
    private final Map<String, Integer> fullFiles = new HashMap<>();

    MasterFile(SinkConfig config, String master) {
        this.config = config;
        this.master = master;
    }

    /** Rewrites the master from the data files' committed rows. */
    void rebuild() throws IOException {
        locked(() -> write(config.resolveFile(master)));
    }

    /**
     * Deletes the lock file, under the lock, when the committer closes (a later rebuild makes it
     * anew), so a finished job leaves nothing in the staging directory.
     */
    void deleteLock() throws IOException {
        Path lockFile = lockFile();
        if (Files.exists(lockFile)) locked(() -> Files.deleteIfExists(lockFile));
    }

    private interface Locked {
        void run() throws IOException;
    }

    /** Runs {@code action} holding this JVM's lock of the master and the exclusive lock on its lock file. */
    private void locked(Locked action) throws IOException {
        Path lockFile = lockFile();
        Files.createDirectories(lockFile.getParent());
        ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        inJvm.lock();
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            action.run();
        } finally {
            inJvm.unlock();
        }
    }

    private Path lockFile() {
        return config.stagingDirectory().resolve(StagingFiles.masterLockName(master));
    }

    private record VirtualDataset(String path, DatasetSpec spec, List<VirtualMapping> mappings) {}

    private void write(Path target) throws IOException {
        List<VirtualDataset> datasets = new ArrayList<>();
        for (DatasetDeclaration d : config.rolledDatasetsOf(master)) {
            VirtualDataset v = mapped(d);
            if (v != null) datasets.add(v);
        }
        if (datasets.isEmpty()) return; // no data file holds a dataset yet
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".master");
        try {
            try (Hdf5File f = Hdf5File.create(temp, Hdf5File.Options.defaults().withFsyncOnCommit(config.fsyncOnCommit()))) {
                for (VirtualDataset v : datasets) f.createVirtualDataset(v.path(), v.spec(), v.mappings());
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The virtual dataset of one rolled dataset, or null when its first data file does not hold it yet. */
    private VirtualDataset mapped(DatasetDeclaration declaration) throws IOException {
        String dataset = declaration.dataset();
        long rowsPerFile = declaration.rowsPerFile();
        int known = fullFiles.getOrDefault(dataset, 0);
        List<VirtualMapping> mappings = new ArrayList<>();
        DatasetSpec layout = null;
        long rows = 0;
        for (int i = 0;; i++) {
            String name = RolledFiles.dataFile(master, i);
            Path path = config.resolveFile(name);
            boolean mustRead = i >= known || layout == null;
            long fileRows = rowsPerFile;
            if (mustRead) {
                if (!Files.exists(path)) break;
                try (Hdf5File f = Hdf5File.openReadOnly(path)) {
                    if (!f.exists(dataset)) break;
                    Hdf5Dataset d = f.dataset(dataset);
                    if (layout == null) layout = d.spec();
                    fileRows = i < known ? rowsPerFile : d.shape()[0];
                }
            }
            long[] rowShape = Arrays.copyOfRange(layout.shape(), 1, layout.shape().length);
            if (fileRows > 0) {
                // Relative to the master's directory, where libhdf5 looks first for a relative source.
                String source = Path.of(name).getFileName().toString();
                mappings.add(VirtualMapping.rows(source, dataset, rowShape, fileRows, rows));
            }
            rows += fileRows;
            if (fileRows < rowsPerFile) break;
            fullFiles.put(dataset, Math.max(known, i + 1));
        }
        if (layout == null) return null;
        long[] shape = layout.shape();
        shape[0] = rows;
        long[] max = layout.maxShape();
        max[0] = DatasetSpec.UNLIMITED;
        DatasetSpec.Builder spec = DatasetSpec.builder(layout.type(), shape).maxShape(max).chunks(layout.chunks())
                .fillBytes(layout.fillValue());
        declaration.spec().attributes().forEach(spec::attribute);
        return new VirtualDataset(dataset, spec.build(), mappings);
    }
}
