package io.hdf5flink.sink;

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

    /** The index (from 0) of a data file's name; -1 when the name is not a data file's. */
    public static int indexOf(String file) {
        Matcher m = DATA_FILE.matcher(file);
        return m.matches() ? Integer.parseInt(m.group(2)) - 1 : -1;
    }
}
