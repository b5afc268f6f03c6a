package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.KnownFilter;
import java.io.Serializable;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A dataset's filters as a user names them: a codec ({@code none}, {@code gzip} 1-9, {@code lzf},
 * {@code lz4}, {@code bzip2} 1-9, {@code zstd} 1-22: any compressor of {@link KnownFilter} by its
 * user name), optionally with byte shuffle before it and a Fletcher-32 checksum after it.
 * {@link #parse} reads the command-line form {@code gzip:4}.
 */
@PublicEvolving
public record ChunkFilters(String codec, int level, boolean shuffle, boolean fletcher32) implements Serializable {

    private static final String NONE = "none";

    public ChunkFilters {
        codec = codec.toLowerCase(Locale.ROOT);
        if (!codec.equals(NONE)) compressor(codec).requireLevel(level);
    }

    public static ChunkFilters none() { return new ChunkFilters(NONE, 0, false, false); }

    public static ChunkFilters gzip(int level) { return new ChunkFilters("gzip", level, false, false); }

    public static ChunkFilters lzf() { return new ChunkFilters("lzf", 0, false, false); }

    public static ChunkFilters lz4() { return new ChunkFilters("lz4", 0, false, false); }

    public static ChunkFilters bzip2(int blockSize) { return new ChunkFilters("bzip2", blockSize, false, false); }

    public static ChunkFilters zstd(int level) { return new ChunkFilters("zstd", level, false, false); }

    /**
     * Parses {@code gzip}, {@code gzip:4}, {@code lzf}, {@code lz4}, {@code bzip2:9}, {@code zstd:3},
     * {@code none}; a codec named without its level gets the codec's default level.
     */
    public static ChunkFilters parse(String text) {
        String[] parts = text.trim().split(":", 2);
        String codec = parts[0].toLowerCase(Locale.ROOT);
        int level = KnownFilter.compressorNamed(codec).map(KnownFilter::defaultLevel).orElse(0);
        if (parts.length == 2) {
            if (level == 0) throw new IllegalArgumentException("codec '" + codec + "' takes no level");
            try {
                level = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("codec level '" + parts[1] + "' is not a number");
            }
        }
        return new ChunkFilters(codec, level, false, false);
    }

    public ChunkFilters withShuffle() { return new ChunkFilters(codec, level, true, fletcher32); }

    public ChunkFilters withFletcher32() { return new ChunkFilters(codec, level, shuffle, true); }

    /** Adds these filters to a dataset spec. */
    public DatasetSpec.Builder applyTo(DatasetSpec.Builder b) {
        if (shuffle) b.shuffle();
        if (!codec.equals(NONE)) b.compressor(compressor(codec), level);
        if (fletcher32) b.fletcher32();
        return b;
    }

    private static KnownFilter compressor(String codec) {
        return KnownFilter.compressorNamed(codec).orElseThrow(() -> new IllegalArgumentException(
                "unknown codec '" + codec + "': expected " + KnownFilter.compressorChoices() + " or none"));
    }

    /** The codec as {@link #parse} reads it: {@code gzip:4}, {@code lzf}, {@code none}. */
    public String codecText() {
        boolean levelled = KnownFilter.compressorNamed(codec).map(KnownFilter::hasLevels).orElse(false);
        return codec + (levelled && level > 0 ? ":" + level : "");
    }

    @Override
    public String toString() {
        return (shuffle ? "shuffle+" : "") + codecText() + (fletcher32 ? "+fletcher32" : "");
    }
}
