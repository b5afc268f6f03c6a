package io.hdf5flink.hdf5.filter;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

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

    KnownFilter(int id, String filterName, String userName, String recordedName, int flags, Kind kind) {
        this(id, filterName, userName, recordedName, flags, kind, 0, 0, 0);
    }

    KnownFilter(int id, String filterName, String userName, String recordedName, int flags, Kind kind,
            int minLevel, int maxLevel, int defaultLevel) {
        this.id = id;
        this.filterName = filterName;
        this.userName = userName;
        this.recordedName = recordedName;
        this.flags = flags;
        this.kind = kind;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
        this.defaultLevel = defaultLevel;
    }

    /** The filter identification value the pipeline message records. */
    public int id() {
        return id;
    }

    /** The name libhdf5 and the supported-filter list use: {@code deflate}, {@code lzf}, ... */
    public String filterName() {
        return filterName;
    }

    /** The name users give: {@code gzip}, {@code lzf}, {@code lz4}, {@code bzip2}, {@code zstd}, ... */
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

    /** The compressors as users name them: {@code gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL]}. */
    public static String compressorChoices() {
        return Arrays.stream(values()).filter(KnownFilter::isCompressor)
                .map(f -> f.userName + (f.hasLevels() ? "[:LEVEL]" : "")).collect(Collectors.joining(", "));
    }

    /**
     * A pipeline entry as users name it, with its level: {@code gzip 4}, {@code shuffle}; an
     * unknown filter by its recorded name and id.
     */
    public static String displayName(FilterDescription entry) {
        return byId(entry.id())
                .map(f -> f.userName + (f.hasLevels() && entry.clientDataCount() > 0 ? " " + entry.clientData(0) : ""))
                .orElse(entry.name() + " (" + entry.id() + ")");
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
