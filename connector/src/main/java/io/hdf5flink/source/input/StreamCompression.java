package io.hdf5flink.source.input;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.flink.annotation.Internal;

/**
 * The compression of a whole input file or archive member, recognised by its file-name suffix (the
 * output's chunk compression is the sink's {@code ChunkFilters}). Compressed streams cannot be
 * memory-mapped or sought, so readers decode them from their start (also on restore from a
 * checkpoint). The compression is part of every split's {@link Location}, so its name is written
 * into checkpoints: do not rename constants.
 */
@Internal
public enum StreamCompression {
    NONE(""),
    GZIP(".gz"),
    BZIP2(".bz2"),
    XZ(".xz"),
    ZSTD(".zst");

    /** The most memory an xz stream may need to decode: twice what xz's largest preset (-9) needs. */
    public static final int XZ_MEMORY_LIMIT_KIB = 128 << 10;

    private final String suffix;

    StreamCompression(String suffix) {
        this.suffix = suffix;
    }

    /** The compression a file name's suffix announces, {@link #NONE} when none. */
    public static StreamCompression ofName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (StreamCompression c : values()) {
            if (c != NONE && lower.endsWith(c.suffix)) return c;
        }
        return NONE;
    }

    /** The name without this compression's suffix. */
    public String strip(String name) {
        return name.substring(0, name.length() - suffix.length());
    }

    /** Decodes {@code in}; multi-member gzip and multi-stream bzip2 and xz files are read to their end. */
    public InputStream decode(InputStream in) throws IOException {
        switch (this) {
            case NONE:
                return in;
            case GZIP:
                // The JDK's decoder uses native zlib, is faster than commons-compress's, and reads
                // concatenated members too.
                return new GZIPInputStream(in, 1 << 16);
            case BZIP2:
                return new BZip2CompressorInputStream(in, true);
            case XZ:
                // Each block header sets the dictionary size, up to 1.5 GiB, which the decoder
                // allocates at once: bound it (xz -9 uses 64 MiB).
                return new XZCompressorInputStream(in, true, XZ_MEMORY_LIMIT_KIB);
            case ZSTD:
                return new ZstdInputStream(in);
            default:
                throw new AssertionError(this);
        }
    }
}
