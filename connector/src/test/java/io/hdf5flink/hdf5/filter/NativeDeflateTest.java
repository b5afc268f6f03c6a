package io.hdf5flink.hdf5.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.filter.DeflateFilter.Implementation;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deflate level that runs on a native library where its jar ships one (ISA-L for level 1,
 * libdeflate for the others): everything a filter must do (the inherited tests, concurrency
 * included), zlib streams the JDK's own {@link Inflater} takes, and the native library really
 * chosen on the platforms it ships for, so that a silent fall-back to zlib fails here instead of
 * costing half the speed or more unnoticed.
 */
abstract class NativeDeflateTest extends AbstractFilterTest {

    private final int level;
    private final DeflateFilter filter;

    NativeDeflateTest(int level) {
        this.level = level;
        this.filter = new DeflateFilter(level);
    }

    @Override
    Filter filter() {
        return filter;
    }

    /** The implementation this level must use on this JVM's platform. */
    abstract Implementation expectedHere();

    /** At most this many times zlib's stream of the same data at the same level. */
    abstract double maxSizeAgainstZlib();

    static boolean isX86() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    static String os() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT);
    }

    /** Whether GKL's jar has native code for this JVM's platform: x86-64 Linux or macOS. */
    static boolean gklShipsThisPlatform() {
        return (os().startsWith("linux") || os().startsWith("mac")) && isX86();
    }

    /** Whether jlibdeflate's jar has native code for this platform: Linux, macOS (x86-64, aarch64), Windows x86-64. */
    static boolean jlibdeflateShipsThisPlatform() {
        boolean arm = System.getProperty("os.arch").equals("aarch64");
        return ((os().startsWith("linux") || os().startsWith("mac")) && (isX86() || arm))
                || (os().startsWith("windows") && isX86());
    }

    @Test
    void theNativeLibraryIsChosenWhereItShips() {
        assertEquals(expectedHere(), DeflateFilter.implementation(level),
                "level " + level + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }

    /** 64 channels of the shuffled int16 recordings the connector stores, over 2 MB. */
    static byte[] largeShuffledRecording() throws IOException {
        byte[] raw = TestData.sineInt16(20_000, 64, 11);
        return new ShuffleFilter(2).encode(raw, raw.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"empty", "one byte", "incompressible", "compressible", "zeros", "large recording",
            "large incompressible"})
    void theJdkInflaterDecodesEveryKindOfChunk(String kind) throws Exception {
        byte[] data = switch (kind) {
            case "empty" -> new byte[0];
            case "one byte" -> new byte[] {42};
            case "incompressible" -> TestData.random(100_000, 3);
            case "compressible" -> TestData.sineInt16(30_000, 4, 5);
            case "zeros" -> new byte[1 << 20];
            case "large recording" -> largeShuffledRecording();
            case "large incompressible" -> TestData.random(3 << 20, 4);
            default -> throw new IllegalArgumentException(kind);
        };
        byte[] stream = filter.encode(data, data.length);
        // RFC 1950 header: CM 8, a 32 KiB window, checksum divisible by 31.
        assertEquals(0x78, stream[0] & 0xFF);
        assertEquals(0, ((stream[0] & 0xFF) << 8 | (stream[1] & 0xFF)) % 31);
        assertTrue(stream.length <= DeflateFilter.maxEncodedLength(data.length), "within zlib's compressBound");
        // A plain zlib-mode Inflater checks the header and the Adler-32 trailer, and must use every byte.
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stream);
            byte[] back = new byte[data.length + 1];
            int n = inflate(inflater, back);
            assertTrue(inflater.finished(), "the stream ends");
            assertEquals(0, inflater.getRemaining(), "no bytes after the Adler-32");
            assertEquals(data.length, n);
            assertArrayEquals(data, Arrays.copyOf(back, n));
        } finally {
            inflater.end();
        }
    }

    private static int inflate(Inflater inflater, byte[] out) throws DataFormatException {
        int n = 0;
        while (!inflater.finished() && n < out.length) {
            int got = inflater.inflate(out, n, out.length - n);
            if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
            n += got;
        }
        return n;
    }

    @Test
    void aCorruptedChecksumIsCaught() throws IOException {
        byte[] data = TestData.sineInt16(10_000, 2, 8);
        byte[] stream = filter.encode(data, data.length);
        stream[stream.length - 1] ^= 1;
        try {
            filter.decode(stream, stream.length, data.length);
        } catch (IOException expected) {
            return;
        }
        throw new AssertionError("a wrong Adler-32 was not detected");
    }

    /**
     * Where a native library runs, the level's chunks are its own, not zlib's: the two never make
     * the same bytes of a recording, and the native stream is no larger than zlib's by more than
     * {@link #maxSizeAgainstZlib()}. Where none runs, they are zlib's bytes.
     */
    @Test
    void theChunksAreTheChosenLibrarysOwn() throws IOException {
        byte[] data = largeShuffledRecording();
        byte[] ours = filter.encode(data, data.length);
        Deflater zlib = new Deflater(level);
        byte[] zlibs;
        try {
            zlib.setInput(data);
            zlib.finish();
            byte[] out = new byte[(int) DeflateFilter.maxEncodedLength(data.length)];
            int n = 0;
            while (!zlib.finished()) n += zlib.deflate(out, n, out.length - n);
            zlibs = Arrays.copyOf(out, n);
        } finally {
            zlib.end();
        }
        if (DeflateFilter.implementation(level) != Implementation.JDK_ZLIB) {
            assertFalse(Arrays.equals(zlibs, ours), "level " + level + " made zlib's bytes: the native library did not run");
            assertTrue(ours.length < zlibs.length * maxSizeAgainstZlib(), ours.length + " bytes against zlib's " + zlibs.length);
        } else {
            assertArrayEquals(zlibs, ours);
        }
    }
}
