package io.hdf5flink.hdf5.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The registry of the filters this engine applies, and all it knows of each: its identification
 * value, its names, its compression levels, how a dataset's values complete its client data, and
 * the {@link Filter} that applies it. The filter pipeline, {@code DatasetSpec.Builder}, the sink's
 * codec choice and the command line all read it, so adding a codec means one constant here and
 * one {@link Filter} class.
 *
 * <p>Each filter has three names: {@link #filterName()} as libhdf5 and the filter lists call it
 * ({@code deflate}), {@link #userName()} as h5py and the command line call it ({@code gzip}), and
 * the name a new dataset's pipeline message records (a plugin's registration text, as libhdf5
 * with the plugin would record it).
 *
 * <p>Constants are listed in the order error messages list them; do not rely on ordinals.
 */
public enum KnownFilter {

    /**
     * zlib, libhdf5's built-in compressor, which h5py calls gzip. Level 1 is compressed with Intel's
     * ISA-L on x86-64 Linux and macOS, everything else with the JDK's zlib ({@link DeflateFilter}).
     */
    DEFLATE(1, "deflate", "gzip", "deflate", FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR, 1, 9, 4) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.deflate(level);
        }

        @Override
        Filter filter(int[] clientData) {
            // libhdf5's deflate filter insists on exactly one value, the level.
            if (clientData.length != 1) throw new IllegalArgumentException("deflate takes exactly one value, the level");
            return new DeflateFilter(clientData[0]);
        }
    },

    /** Byte shuffle, placed before the compressor. */
    SHUFFLE(2, "shuffle", "shuffle", "shuffle", FilterDescription.FLAG_OPTIONAL, Kind.TRANSFORM) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.shuffle(elementSize);
        }

        @Override
        int[] localClientData(int elementSize, int chunkBytes) {
            return new int[] {elementSize};
        }

        @Override
        Filter filter(int[] clientData) {
            if (clientData.length != 1) {
                throw new IllegalArgumentException("shuffle takes exactly one value, the element size");
            }
            return new ShuffleFilter(clientData[0]);
        }
    },

    /** Fletcher-32 checksum, placed after the compressor; mandatory, as libhdf5 records it. */
    FLETCHER32(3, "fletcher32", "fletcher32", "fletcher32", 0, Kind.CHECKSUM) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.fletcher32();
        }

        @Override
        Filter filter(int[] clientData) {
            return new Fletcher32Filter();
        }
    },

    /** h5py's LZF. */
    LZF(32000, "lzf", "lzf", "lzf", FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.lzf(chunkBytes);
        }

        @Override
        int[] localClientData(int elementSize, int chunkBytes) {
            // h5py's filter only records its parameters; it compresses the same either way.
            return FilterDescription.lzf(chunkBytes).clientData();
        }

        @Override
        Filter filter(int[] clientData) {
            return new LzfFilter();
        }
    },

    /** The registered LZ4 plugin; the name is the one the HDF Group's plugin registers. */
    LZ4(32004, "lz4", "lz4", "HDF5 lz4 filter; see http://www.hdfgroup.org/services/contributions.html",
            FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.lz4(0);
        }

        @Override
        Filter filter(int[] clientData) {
            return new Lz4Filter(clientData.length == 0 ? 0 : clientData[0]);
        }
    },

    /**
     * The registered bzip2 plugin; its level is the block size in units of 100 kB, and the plugin
     * compresses with 900 kB blocks when no size is given.
     */
    BZIP2(307, "bzip2", "bzip2", "HDF5 bzip2 filter; see http://www.hdfgroup.org/services/contributions.html",
            FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR, 1, 9, 9) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.bzip2(level);
        }

        @Override
        Filter filter(int[] clientData) {
            return new Bzip2Filter(levelOrDefault(clientData));
        }
    },

    /**
     * The Zstandard plugin (HDF5Plugin-Zstandard); the plugin's level when the client data gives
     * none is zstd's own default, 3. Readers ignore the level; a writer compresses at the one the
     * file records.
     */
    ZSTD(32015, "zstd", "zstd", "Zstandard compression: http://www.zstd.net",
            FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR, 1, 22, 3) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return FilterDescription.zstd(level);
        }

        @Override
        Filter filter(int[] clientData) {
            return new ZstdFilter(levelOrDefault(clientData));
        }
    },

    /**
     * bitshuffle with LZ4 or zstd inside ({@link BitshuffleFilter}), as users name it: {@code
     * bitshuffle:lz4} (the default) or {@code bitshuffle:zstd[:LEVEL]}; the level is zstd's. New
     * datasets record the plugin's default block size (0).
     */
    BITSHUFFLE(32008, "bitshuffle", "bitshuffle", "bitshuffle; see https://github.com/kiyo-masui/bitshuffle",
            FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR, 1, 22, 3, List.of(List.of("lz4", "zstd"))) {
        /** The plugin version recorded: 0.4, the first release with zstd; readers ignore it. */
        private static final int MAJOR = 0;
        private static final int MINOR = 4;

        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return newEntry(level, "", elementSize, chunkBytes);
        }

        @Override
        public FilterDescription newEntry(int level, String options, int elementSize, int chunkBytes) {
            return requireOptions(options).equals("zstd")
                    ? entry(MAJOR, MINOR, elementSize, 0, BitshuffleFilter.ZSTD, requireLevel(level))
                    : entry(MAJOR, MINOR, elementSize, 0, BitshuffleFilter.LZ4);
        }

        @Override
        public boolean takesLevel(String options) {
            return requireOptions(options).equals("zstd");
        }

        @Override
        public boolean hasOwnShuffle() {
            return true;
        }

        @Override
        int[] localClientData(int elementSize, int chunkBytes) {
            return new int[] {MAJOR, MINOR, elementSize};
        }

        @Override
        FilterDescription ignoringVersions(FilterDescription entry) {
            int[] cd = entry.clientData();
            if (cd.length < 2) return entry;
            cd[0] = MAJOR;
            cd[1] = MINOR;
            return new FilterDescription(entry.id(), entry.name(), entry.flags(), cd);
        }

        @Override
        String describe(int[] clientData) {
            return userName() + switch (slot(clientData, 4, BitshuffleFilter.NONE)) {
                case BitshuffleFilter.LZ4 -> " lz4";
                case BitshuffleFilter.ZSTD -> " zstd" + (clientData.length > 5 ? " " + clientData[5] : "");
                default -> "";
            };
        }

        @Override
        Filter filter(int[] clientData) {
            if (clientData.length < 3) {
                throw new IllegalArgumentException("bitshuffle needs at least 3 values (version, version, element size)");
            }
            return new BitshuffleFilter(clientData[2], slot(clientData, 3, 0), slot(clientData, 4, BitshuffleFilter.NONE),
                    slot(clientData, 5, ZSTD.defaultLevel()));
        }
    },

    /**
     * Blosc 1 ({@link BloscFilter}), as users name it: {@code blosc[:COMPRESSOR][:LEVEL][:SHUFFLE]},
     * by default {@code blosc:lz4:5:shuffle}, hdf5plugin's defaults.
     */
    BLOSC(32001, "blosc", "blosc", "blosc", FilterDescription.FLAG_OPTIONAL, Kind.COMPRESSOR, 0, 9, 5,
            List.of(List.of("lz4", "zstd", "zlib", "snappy"), List.of("shuffle", "bitshuffle", "noshuffle"))) {
        @Override
        public FilterDescription newEntry(int level, int elementSize, int chunkBytes) {
            return newEntry(level, "", elementSize, chunkBytes);
        }

        @Override
        public FilterDescription newEntry(int level, String options, int elementSize, int chunkBytes) {
            String[] words = requireOptions(options).split(":");
            int[] local = localClientData(elementSize, chunkBytes);
            return entry(local[0], local[1], local[2], local[3], requireLevel(level),
                    BloscFilter.SHUFFLE_NAMES.indexOf(words[1]), BloscFilter.COMPRESSOR_NAMES.indexOf(words[0]));
        }

        @Override
        int[] localClientData(int elementSize, int chunkBytes) {
            return new int[] {BloscFilter.FILTER_REVISION, BloscFilter.FORMAT_VERSION,
                    elementSize > BloscFilter.MAX_TYPE_SIZE ? 1 : elementSize, chunkBytes};
        }

        @Override
        String describe(int[] clientData) {
            return userName() + " " + name(BloscFilter.COMPRESSOR_NAMES, slot(clientData, 6, BloscFilter.BLOSCLZ))
                    + " " + slot(clientData, 4, defaultLevel())
                    + " " + name(BloscFilter.SHUFFLE_NAMES, slot(clientData, 5, BloscFilter.SHUFFLE));
        }

        private static String name(List<String> names, int value) {
            return value >= 0 && value < names.size() ? names.get(value) : Integer.toString(value);
        }

        @Override
        Filter filter(int[] clientData) {
            if (clientData.length < 4) {
                throw new IllegalArgumentException("blosc needs at least 4 values (revision, version, element size, "
                        + "chunk size)");
            }
            return new BloscFilter(clientData[2], slot(clientData, 4, defaultLevel()),
                    slot(clientData, 5, BloscFilter.SHUFFLE), slot(clientData, 6, BloscFilter.BLOSCLZ));
        }

        @Override
        public boolean hasOwnShuffle() {
            return true;
        }
    };

    /** Where a filter goes in a dataset's pipeline, which h5py orders shuffle, compressor, checksum. */
    private enum Kind { TRANSFORM, COMPRESSOR, CHECKSUM }

    private final int id;
    private final String filterName;
    private final String userName;
    private final String recordedName;
    private final int flags;
    private final Kind kind;
    /** The level range and default; all 0 for a filter without levels. */
    private final int minLevel;
    private final int maxLevel;
    private final int defaultLevel;
    /**
     * The words users may add to the name, in groups of alternatives whose first word is the
     * default: bitshuffle's inner codec, Blosc's compressor and shuffle. Empty for most filters.
     */
    private final List<List<String>> options;

    KnownFilter(int id, String filterName, String userName, String recordedName, int flags, Kind kind) {
        this(id, filterName, userName, recordedName, flags, kind, 0, 0, 0);
    }

    KnownFilter(int id, String filterName, String userName, String recordedName, int flags, Kind kind,
            int minLevel, int maxLevel, int defaultLevel) {
        this(id, filterName, userName, recordedName, flags, kind, minLevel, maxLevel, defaultLevel, List.of());
    }

    KnownFilter(int id, String filterName, String userName, String recordedName, int flags, Kind kind,
            int minLevel, int maxLevel, int defaultLevel, List<List<String>> options) {
        this.id = id;
        this.filterName = filterName;
        this.userName = userName;
        this.recordedName = recordedName;
        this.flags = flags;
        this.kind = kind;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
        this.defaultLevel = defaultLevel;
        this.options = options;
    }

    /** The filter identification value the pipeline message records. */
    public int id() {
        return id;
    }

    /** The name libhdf5 and the supported-filter list use: {@code deflate}, {@code lzf}, ... */
    public String filterName() {
        return filterName;
    }

    /** The name users give: {@code gzip}, {@code lzf}, {@code lz4}, {@code bzip2}, {@code zstd}, {@code blosc}, ... */
    public String userName() {
        return userName;
    }

    /** Whether this filter compresses: a dataset has at most one, between shuffle and checksum. */
    public boolean isCompressor() {
        return kind == Kind.COMPRESSOR;
    }

    /** Whether this filter takes a compression level (its first client data value). */
    public boolean hasLevels() {
        return maxLevel > 0;
    }

    /** The level users get when they name none (0 for a filter without levels). */
    public int defaultLevel() {
        return defaultLevel;
    }

    /**
     * Checks a level against this filter's range; a filter without levels ignores it.
     *
     * @return {@code level}
     * @throws IllegalArgumentException when the level is outside the range
     */
    public int requireLevel(int level) {
        if (hasLevels() && (level < minLevel || level > maxLevel)) {
            throw new IllegalArgumentException(userName + " level " + level + " is not " + minLevel + " to " + maxLevel);
        }
        return level;
    }

    /** Whether users add words to this compressor's name: bitshuffle's inner codec, Blosc's compressor and shuffle. */
    public boolean hasOptions() {
        return !options.isEmpty();
    }

    /**
     * Checks the words users add to this compressor's name ({@code lz4}, {@code zstd:bitshuffle},
     * ... joined by colons, in any order, at most one of each group) and returns them canonical:
     * one word of each group, in group order, defaults filled in; {@code ""} for filters
     * without options.
     *
     * @throws IllegalArgumentException naming the word that is not an option of this filter
     */
    public String requireOptions(String words) {
        String[] chosen = new String[options.size()];
        for (String word : words.isEmpty() ? new String[0] : words.split(":")) {
            int group = 0;
            while (group < options.size() && !options.get(group).contains(word)) group++;
            if (group == options.size()) {
                throw new IllegalArgumentException(options.isEmpty() ? "codec '" + userName + "' takes no options, got '"
                        + word + "'" : userName + " option '" + word + "' is not one of " + String.join(", ",
                        options.stream().flatMap(List::stream).toList()));
            }
            if (chosen[group] != null) {
                throw new IllegalArgumentException(userName + " takes one of " + String.join("|", options.get(group))
                        + ", got " + chosen[group] + " and " + word);
            }
            chosen[group] = word;
        }
        for (int group = 0; group < chosen.length; group++) {
            if (chosen[group] == null) chosen[group] = options.get(group).get(0);
        }
        return String.join(":", chosen);
    }

    /** Whether the level applies with these options (bitshuffle's is zstd's, so not with lz4). */
    public boolean takesLevel(String options) {
        return hasLevels();
    }

    /**
     * Whether this compressor has its own shuffle setting (Blosc), or is one (bitshuffle): the
     * byte shuffle filter before it is then not wanted by default.
     */
    public boolean hasOwnShuffle() {
        return false;
    }

    /**
     * The codec as the command line writes it: the name, the first option, the level where it
     * applies, the other options: {@code gzip:4}, {@code lzf}, {@code bitshuffle:zstd:3}, {@code
     * blosc:lz4:5:shuffle}.
     */
    public String codecText(int level, String options) {
        List<String> parts = new ArrayList<>(List.of(userName));
        String canonical = requireOptions(options);
        List<String> words = canonical.isEmpty() ? List.of() : List.of(canonical.split(":"));
        if (!words.isEmpty()) parts.add(words.get(0));
        if (takesLevel(canonical)) parts.add(Integer.toString(level));
        if (words.size() > 1) parts.addAll(words.subList(1, words.size()));
        return String.join(":", parts);
    }

    /**
     * This filter's pipeline entry for a new dataset, with the options users added to its name
     * (see {@link #requireOptions}); filters without options take {@code ""}.
     *
     * @throws IllegalArgumentException when the level, an option or a size is out of range
     */
    public FilterDescription newEntry(int level, String options, int elementSize, int chunkBytes) {
        requireOptions(options);
        return newEntry(level, elementSize, chunkBytes);
    }

    /**
     * This filter's pipeline entry for a new dataset, as libhdf5 and h5py record it once the
     * dataset exists.
     *
     * @param level the compression level, ignored by a filter without levels
     * @param elementSize the size of one dataset element in bytes
     * @param chunkBytes the size of one uncompressed chunk in bytes
     * @throws IllegalArgumentException when the level or a size is out of range
     */
    public abstract FilterDescription newEntry(int level, int elementSize, int chunkBytes);

    /** The filter with this id, empty when the engine does not know it. */
    public static Optional<KnownFilter> byId(int id) {
        return Arrays.stream(values()).filter(f -> f.id == id).findFirst();
    }

    /** The compressor users call {@code userName} ({@code gzip}, {@code lzf}, ...), empty when none is. */
    public static Optional<KnownFilter> compressorNamed(String userName) {
        return Arrays.stream(values()).filter(f -> f.isCompressor() && f.userName.equals(userName)).findFirst();
    }

    /**
     * The compressors as users name them: {@code gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL],
     * bitshuffle[:lz4|zstd][:LEVEL], blosc[:lz4|...][:LEVEL][:shuffle|...]}.
     */
    public static String compressorChoices() {
        return Arrays.stream(values()).filter(KnownFilter::isCompressor).map(KnownFilter::usage)
                .collect(Collectors.joining(", "));
    }

    private String usage() {
        StringBuilder b = new StringBuilder(userName);
        for (int group = 0; group < options.size(); group++) {
            b.append("[:").append(String.join("|", options.get(group))).append(']');
            if (group == 0 && hasLevels()) b.append("[:LEVEL]");
        }
        if (options.isEmpty() && hasLevels()) b.append("[:LEVEL]");
        return b.toString();
    }

    /**
     * A pipeline entry as users name it, with its level: {@code gzip 4}, {@code shuffle}; an
     * unknown filter by its recorded name and id.
     */
    public static String displayName(FilterDescription entry) {
        return byId(entry.id()).map(f -> f.describe(entry.clientData())).orElse(entry.name() + " (" + entry.id() + ")");
    }

    /** An entry of this filter with this client data as users name it: {@code gzip 4}, {@code blosc lz4 5 shuffle}. */
    String describe(int[] clientData) {
        return userName + (hasLevels() && clientData.length > 0 ? " " + clientData[0] : "");
    }

    /**
     * Whether two pipelines apply the same filters: equal entries, but for the plugin version
     * bitshuffle records and no reader reads (h5py with Debian's plugin records 0.3, this engine
     * 0.4), so that a dataset declared with a codec matches the one h5py made with it.
     */
    public static boolean sameFilters(List<FilterDescription> a, List<FilterDescription> b) {
        return a.size() == b.size()
                && IntStream.range(0, a.size()).allMatch(i -> comparable(a.get(i)).equals(comparable(b.get(i))));
    }

    private static FilterDescription comparable(FilterDescription entry) {
        return byId(entry.id()).map(f -> f.ignoringVersions(entry)).orElse(entry);
    }

    /** {@code entry} with the client data readers ignore set as this engine records it; {@code entry} for most filters. */
    FilterDescription ignoringVersions(FilterDescription entry) {
        return entry;
    }

    /** Every filter by name and id, {@code deflate(1), shuffle(2), ...}, for error messages. */
    static String supportedList() {
        return Arrays.stream(values()).map(f -> f.filterName + "(" + f.id + ")").collect(Collectors.joining(", "));
    }

    /** A pipeline entry of this filter with the name and flags a new dataset records. */
    FilterDescription entry(int... clientData) {
        return new FilterDescription(id, recordedName, flags, clientData);
    }

    /**
     * {@code entry} with the client data libhdf5 takes from the dataset when it is created (a
     * filter's "set local" step) filled in when it has none; otherwise {@code entry} itself.
     */
    FilterDescription completed(FilterDescription entry, int elementSize, int chunkBytes) {
        int[] local = localClientData(elementSize, chunkBytes);
        return entry.clientDataCount() > 0 || local.length == 0
                ? entry
                : new FilterDescription(entry.id(), entry.name(), entry.flags(), local);
    }

    /** The client data this filter's "set local" step takes from the dataset; empty without one. */
    int[] localClientData(int elementSize, int chunkBytes) {
        return new int[0];
    }

    /** Client data value {@code index}, or {@code absent} when the client data is shorter. */
    static int slot(int[] clientData, int index, int absent) {
        return clientData.length > index ? clientData[index] : absent;
    }

    /** The first client data value, or the default level when there is none. */
    int levelOrDefault(int[] clientData) {
        return clientData.length == 0 ? defaultLevel : clientData[0];
    }

    /**
     * The filter applying completed client data.
     *
     * @throws IllegalArgumentException when the client data is unusable, saying why
     */
    abstract Filter filter(int[] clientData);
}
