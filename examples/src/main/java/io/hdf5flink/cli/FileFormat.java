package io.hdf5flink.cli;

import io.hdf5flink.hdf5.Profile;
import java.util.Locale;

/** The {@code --format} option of {@code convert} and {@code acquire}: the profile new output files are created in. */
final class FileFormat {
    private FileFormat() {}

    /** {@code default} or {@code latest} (any case); null, the option not given: the default. */
    static Profile profile(String option) {
        if (option == null) return Profile.DEFAULT;
        return switch (option.toLowerCase(Locale.ROOT)) {
            case "default" -> Profile.DEFAULT;
            case "latest" -> Profile.LATEST;
            default -> throw new UsageException("--format '" + option + "' is not default or latest");
        };
    }

    /** How the option enters a plan's canonical options: only when given, so that older plans still match. */
    static String canonical(String option) {
        return option == null ? "" : " format=" + option.toLowerCase(Locale.ROOT);
    }
}
