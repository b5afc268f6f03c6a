package io.hdf5flink.sink;

import io.hdf5flink.hdf5.Hdf5File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/**
 * How the files of a dataset rolled over files are named (see
 * {@link DatasetDeclaration#rollEvery}): the declared file {@code run.h5} is the master file, and
 * its data files are {@code run_000001.h5}, {@code run_000002.h5}, ... (numbered from 1, six digits
 * or more, in the master's directory), the scheme of DECTRIS and odin-data recordings; a name
 * without an extension gets the number at its end.
 */
@PublicEvolving
public final class RolledFiles {
    private static final Pattern DATA_FILE = Pattern.compile("(.*)_(\\d{6,})(\\.[^./]*)?");

    private RolledFiles() {}

    /** The name of data file {@code index} (from 0) of the master file {@code master}. */
    public static String dataFile(String master, int index) {
        int slash = master.lastIndexOf('/');
        int dot = master.lastIndexOf('.');
        boolean hasExtension = dot > slash + 1;
        String stem = hasExtension ? master.substring(0, dot) : master;
        String extension = hasExtension ? master.substring(dot) : "";
        return String.format("%s_%06d%s", stem, index + 1, extension);
    }

    /** The master file of a data file's name, or null when the name is not a data file's. */
    public static String masterOf(String file) {
        Matcher m = DATA_FILE.matcher(file);
        if (!m.matches()) return null;
        return m.group(1) + (m.group(3) == null ? "" : m.group(3));
    }

    /** The index (from 0) of a data file's name, the inverse of {@link #dataFile}; -1 when the name is not a data file's (or its number is past 999,999,999). */
    public static int indexOf(String file) {
        Matcher m = DATA_FILE.matcher(file);
        return m.matches() && m.group(2).length() <= 9 ? Integer.parseInt(m.group(2)) - 1 : -1;
    }

    /**
     * The rows each data file of the master file {@code master} holds committed in
     * {@code dataset}, in order: the recording's prefix, the full files, then the first that is
     * not full (which may hold 0). It ends before the first data file that is missing or lacks
     * the dataset. The first {@code knownFull} files are counted full without being read: a full
     * data file is final.
     */
    public static List<Long> committedRows(Path master, String dataset, long rowsPerFile, int knownFull) {
        List<Long> rows = new ArrayList<>();
        for (int i = 0;; i++) {
            if (i < knownFull) {
                rows.add(rowsPerFile);
                continue;
            }
            Path file = master.resolveSibling(dataFile(master.getFileName().toString(), i));
            if (!Files.exists(file)) return rows;
            try (Hdf5File f = Hdf5File.openReadOnly(file)) {
                if (!f.exists(dataset)) return rows;
                long n = f.dataset(dataset).shape()[0];
                rows.add(n);
                if (n < rowsPerFile) return rows;
            }
        }
    }

    /** The most chunk rows, at most {@code chunkRows}, that divide {@code rowsPerFile}: no chunk then spans two files. */
    public static long chunkRowsDividing(long rowsPerFile, long chunkRows) {
        long rows = Math.min(chunkRows, rowsPerFile);
        while (rowsPerFile % rows != 0) rows--;
        return rows;
    }
}
