package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.KnownFilter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A dataset's filters as a user names them: a codec ({@code none}, {@code gzip} 1-9, {@code lzf},
 * {@code lz4}, {@code bzip2} 1-9, {@code zstd} 1-22, {@code bitshuffle} with {@code lz4} or {@code
 * zstd} 1-22, {@code blosc} with a compressor, level 0-9 and shuffle: any compressor of {@link
 * KnownFilter} by its user name), optionally with byte shuffle before it and a Fletcher-32
 * checksum after it. {@link #parse} reads the command-line form {@code gzip:4}, {@code
 * blosc:lz4:5:bitshuffle}.
 *
 * @param codec the codec's user name, {@code none} for no compression
 * @param level its level, 0 where it takes none
 * @param options the words added to the name ({@link KnownFilter#requireOptions}): {@code lz4}
 *     or {@code zstd} for bitshuffle, {@code lz4:shuffle} for Blosc, {@code ""} for the others;
 *     made canonical, defaults filled in
 */
@PublicEvolving
public record ChunkFilters(String codec, int level, String options, boolean shuffle, boolean fletcher32)
        implements Serializable {

    private static final String NONE = "none";

    public ChunkFilters {
        codec = codec.toLowerCase(Locale.ROOT);
        options = options.toLowerCase(Locale.ROOT);
        if (codec.equals(NONE)) {
            if (!options.isEmpty()) throw new IllegalArgumentException("codec 'none' takes no options, got '" + options + "'");
        } else {
            KnownFilter compressor = compressor(codec);
            options = compressor.requireOptions(options);
            if (compressor.takesLevel(options)) {
                compressor.requireLevel(level);
            } else {
                level = 0;
            }
        }
    }

    public static ChunkFilters none() { return of(NONE, 0, ""); }

    public static ChunkFilters gzip(int level) { return of("gzip", level, ""); }

    public static ChunkFilters lzf() { return of("lzf", 0, ""); }

    public static ChunkFilters lz4() { return of("lz4", 0, ""); }

    public static ChunkFilters bzip2(int blockSize) { return of("bzip2", blockSize, ""); }

    public static ChunkFilters zstd(int level) { return of("zstd", level, ""); }

    /** bitshuffle with LZ4 inside (filter 32008), as DECTRIS detectors and areaDetector's {@code BSLZ4} write. */
    public static ChunkFilters bitshuffleLz4() { return of("bitshuffle", 0, "lz4"); }

    /** bitshuffle with zstd inside at level 1 to 22. */
    public static ChunkFilters bitshuffleZstd(int level) { return of("bitshuffle", level, "zstd"); }

    /**
     * Blosc (filter 32001) with {@code compressor} ({@code lz4}, {@code zstd}, {@code zlib},
     * {@code snappy}) at level 0 to 9 and its own {@code shuffle} ({@code shuffle}, {@code
     * bitshuffle}, {@code noshuffle}); {@code blosc("lz4", 5, "shuffle")} is hdf5plugin's default.
     */
    public static ChunkFilters blosc(String compressor, int level, String shuffle) {
        return of("blosc", level, compressor + ":" + shuffle);
    }

    private static ChunkFilters of(String codec, int level, String options) {
        return new ChunkFilters(codec, level, options, false, false);
    }

    /**
     * Parses {@code gzip}, {@code gzip:4}, {@code lzf}, {@code lz4}, {@code bzip2:9}, {@code zstd:3},
     * {@code bitshuffle:lz4}, {@code bitshuffle:zstd:3}, {@code blosc:lz4:5:bitshuffle}, {@code
     * none}: the name, then in any order at most one number (the level) and the codec's option
     * words; a codec named without its level gets the codec's default level, without options its
     * default options.
     */
    public static ChunkFilters parse(String text) {
        String[] parts = text.trim().split(":");
        String codec = parts[0].toLowerCase(Locale.ROOT);
        Optional<KnownFilter> compressor = KnownFilter.compressorNamed(codec);
        boolean takesOptions = compressor.map(KnownFilter::hasOptions).orElse(false);
        Integer level = null;
        List<String> words = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].toLowerCase(Locale.ROOT);
            if (part.matches("-?[0-9]{1,9}")) {
                if (level != null) throw new IllegalArgumentException("codec '" + codec + "' takes one level, got " + level
                        + " and " + part);
                level = Integer.parseInt(part);
            } else if (takesOptions) {
                words.add(part);
            } else {
                throw new IllegalArgumentException("codec level '" + parts[i] + "' is not a number");
            }
        }
        String options = compressor.map(c -> c.requireOptions(String.join(":", words))).orElse("");
        if (level != null && !compressor.map(c -> c.takesLevel(options)).orElse(false)) {
            String named = compressor.map(c -> c.codecText(0, options)).orElse(codec);
            throw new IllegalArgumentException("codec '" + named + "' takes no level");
        }
        return of(codec, level != null ? level : compressor.map(KnownFilter::defaultLevel).orElse(0), options);
    }

    public ChunkFilters withShuffle() { return new ChunkFilters(codec, level, options, true, fletcher32); }

    public ChunkFilters withFletcher32() { return new ChunkFilters(codec, level, options, shuffle, true); }

    /**
     * Whether the codec has its own shuffle (bitshuffle is one, Blosc has a setting), so a byte
     * shuffle before it is not wanted unless asked for.
     */
    public boolean codecShuffles() {
        return KnownFilter.compressorNamed(codec).map(KnownFilter::hasOwnShuffle).orElse(false);
    }

    /** Adds these filters to a dataset spec. */
    public DatasetSpec.Builder applyTo(DatasetSpec.Builder b) {
        if (shuffle) b.shuffle();
        if (!codec.equals(NONE)) b.compressor(compressor(codec), level, options);
        if (fletcher32) b.fletcher32();
        return b;
    }

    private static KnownFilter compressor(String codec) {
        return KnownFilter.compressorNamed(codec).orElseThrow(() -> new IllegalArgumentException(
                "unknown codec '" + codec + "': expected " + KnownFilter.compressorChoices() + " or none"));
    }

    /** The codec as {@link #parse} reads it: {@code gzip:4}, {@code lzf}, {@code blosc:lz4:5:shuffle}, {@code none}. */
    public String codecText() {
        return codec.equals(NONE) ? NONE : compressor(codec).codecText(level, options);
    }

    @Override
    public String toString() {
        return (shuffle ? "shuffle+" : "") + codecText() + (fletcher32 ? "+fletcher32" : "");
    }
}
