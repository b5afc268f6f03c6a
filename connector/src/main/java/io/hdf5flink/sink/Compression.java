package io.hdf5flink.sink;

import io.hdf5flink.hdf5.DatasetSpec;
import java.io.Serializable;
import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A dataset's filters as a user names them: a codec ({@code none}, {@code gzip} 1-9, {@code lzf},
 * {@code lz4}, {@code bzip2} 1-9, {@code zstd}), optionally with byte shuffle before it and a
 * Fletcher-32 checksum after it. {@link #parse} reads the command-line form {@code gzip:4}.
 */
@PublicEvolving
public record Compression(String codec, int level, boolean shuffle, boolean fletcher32) implements Serializable {

    public Compression {
        codec = codec.toLowerCase(Locale.ROOT);
        switch (codec) {
            case "none", "lzf", "lz4" -> { }
            case "gzip", "bzip2" -> {
                if (level < 1 || level > 9) throw new IllegalArgumentException(codec + " level " + level + " is not 1 to 9");
            }
            case "zstd" -> {
                if (level < 1 || level > 22) throw new IllegalArgumentException("zstd level " + level + " is not 1 to 22");
            }
            default -> throw new IllegalArgumentException("unknown codec '" + codec + "': expected gzip[:LEVEL], lzf, lz4, bzip2[:LEVEL], zstd[:LEVEL] or none");
        }
    }

    public static Compression none() { return new Compression("none", 0, false, false); }

    public static Compression gzip(int level) { return new Compression("gzip", level, false, false); }

    public static Compression lzf() { return new Compression("lzf", 0, false, false); }

    public static Compression lz4() { return new Compression("lz4", 0, false, false); }

    public static Compression bzip2(int blockSize) { return new Compression("bzip2", blockSize, false, false); }

    public static Compression zstd(int level) { return new Compression("zstd", level, false, false); }

    /** Parses {@code gzip}, {@code gzip:4}, {@code lzf}, {@code lz4}, {@code bzip2:9}, {@code zstd:3}, {@code none}. */
    public static Compression parse(String text) {
        String[] parts = text.trim().split(":", 2);
        String codec = parts[0].toLowerCase(Locale.ROOT);
        int level = switch (codec) {
            case "gzip" -> 4;
            case "bzip2" -> 9;
            case "zstd" -> 3;
            default -> 0;
        };
        if (parts.length == 2) {
            if (level == 0) throw new IllegalArgumentException("codec '" + codec + "' takes no level");
            try {
                level = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("codec level '" + parts[1] + "' is not a number");
            }
        }
        return new Compression(codec, level, false, false);
    }

    public Compression withShuffle() { return new Compression(codec, level, true, fletcher32); }

    public Compression withFletcher32() { return new Compression(codec, level, shuffle, true); }

    /** Adds these filters to a dataset spec. */
    public DatasetSpec.Builder applyTo(DatasetSpec.Builder b) {
        if (shuffle) b.shuffle();
        switch (codec) {
            case "gzip" -> b.deflate(level);
            case "lzf" -> b.lzf();
            case "lz4" -> b.lz4();
            case "bzip2" -> b.bzip2(level);
            case "zstd" -> b.zstd(level);
            default -> { }
        }
        if (fletcher32) b.fletcher32();
        return b;
    }

    @Override
    public String toString() {
        String c = codec + (level > 0 && !codec.equals("lzf") && !codec.equals("lz4") ? ":" + level : "");
        return (shuffle ? "shuffle+" : "") + c + (fletcher32 ? "+fletcher32" : "");
    }
}
