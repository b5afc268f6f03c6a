package io.hdf5flink.source.format;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * The header of a numpy {@code .npy} file, format version 1.0, 2.0 or 3.0: the magic
 * {@code \x93NUMPY}, the version, the header length (u16 in 1.0, u32 after), then a Python dict
 * literal with {@code 'descr'}, {@code 'fortran_order'} and {@code 'shape'}. Parsed on the client
 * when a source is built; only C-order arrays of the dtypes in {@link DataType} (integers, float16
 * to float64, bool, complex64 and complex128) are accepted, everything else is refused with a
 * message saying why.
 *
 * @param major the format's major version, 1 to 3
 * @param type the element type
 * @param bigEndian whether the elements are stored big-endian
 * @param shape the array's shape, at least one axis
 * @param dataOffset the number of bytes before the first element
 */
@Internal
public record NpyHeader(int major, DataType type, boolean bigEndian, long[] shape, long dataOffset) {

    /**
     * The largest header accepted. Versions 2.0 and 3.0 state the length as a u32, and the file
     * is untrusted, so the length is bounded before anything is allocated from it; real headers
     * are a few hundred bytes.
     */
    public static final int MAX_HEADER_BYTES = 1 << 20;


    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The bytes {@link #startsWithMagic(byte[])} looks at. */
    public static final int MAGIC_LENGTH = MAGIC.length;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
    /** The dtypes read, as refusals list them. */
    private static final String SUPPORTED = "int8..uint64, float16, float32, float64, bool, complex64 and complex128";

    /**
     * Whether {@code prefix}, a file's first bytes, starts with numpy's magic {@code \x93NUMPY}:
     * what makes a file a {@code .npy} file, whatever its name.
     */
    public static boolean startsWithMagic(byte[] prefix) {
        if (prefix.length < MAGIC.length) return false;
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) return false;
        }
        return true;
    }

    /** Whether the file {@code file} starts with numpy's magic. */
    public static boolean startsWithMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return startsWithMagic(in.readNBytes(MAGIC.length));
        }
    }

    /**
     * Reads the header at the start of {@code in}, leaving {@code in} at the first element.
     *
     * @throws IOException saying what is wrong with the header (the caller names the file)
     */
    public static NpyHeader read(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (!startsWithMagic(prefix)) throw new IOException("not a .npy file: it does not start with numpy's magic \\x93NUMPY");
        if (prefix.length < MAGIC.length + 2) throw new IOException("truncated .npy header: the file ends in the version");
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new IOException("unsupported .npy format version " + major + "." + minor
                    + " (versions 1.0, 2.0 and 3.0 are read)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) throw new IOException("truncated .npy header: the file ends in the header length");
        long length = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) length = (length << 8) | (lengthField[i] & 0xff);
        if (length > MAX_HEADER_BYTES) {
            throw new IOException("the .npy header claims to be " + length + " bytes long, more than the "
                    + MAX_HEADER_BYTES + " accepted: the file is corrupt or not a .npy file");
        }
        byte[] header = in.readNBytes((int) length);
        if (header.length < length) {
            throw new IOException("truncated .npy header: it claims " + length + " bytes, the file holds only "
                    + header.length + " after the length field");
        }
        // Version 3.0 differs from 2.0 only in allowing UTF-8 (for structured field names).
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        Map<?, ?> dict = asDict(PythonLiteral.parse(new String(header, charset)));
        Dtype dtype = descr(dict.get("descr"));
        if (!Boolean.FALSE.equals(dict.get("fortran_order"))) {
            throw new IOException(Boolean.TRUE.equals(dict.get("fortran_order"))
                    ? "Fortran-order (column-major) arrays are not supported: save a C-order copy, "
                            + "e.g. np.save(f, np.ascontiguousarray(a))"
                    : "malformed .npy header: 'fortran_order' is " + dict.get("fortran_order") + ", not True or False");
        }
        long[] shape = shape(dict.get("shape"));
        return new NpyHeader(major, dtype.type, dtype.bigEndian, shape, MAGIC.length + 2 + lengthBytes + length);
    }

    private static Map<?, ?> asDict(Object literal) throws IOException {
        if (!(literal instanceof Map<?, ?> dict)) throw new IOException("malformed .npy header: it is not a dict");
        for (String key : KEYS) {
            if (!dict.containsKey(key)) throw new IOException("malformed .npy header: it has no '" + key + "'");
        }
        for (Object key : dict.keySet()) {
            if (!KEYS.contains(key)) throw new IOException("malformed .npy header: unexpected key '" + key + "'");
        }
        return dict;
    }

    private static long[] shape(Object value) throws IOException {
        if (!(value instanceof PythonLiteral.Tuple tuple)) {
            throw new IOException("malformed .npy header: 'shape' is " + value + ", not a tuple");
        }
        List<Object> items = tuple.items();
        if (items.isEmpty()) throw new IOException("0-dimensional (scalar) arrays are not supported: an array needs an axis");
        if (items.size() > DatasetSpec.MAX_RANK) {
            throw new IOException("arrays of " + items.size() + " axes are not supported (at most " + DatasetSpec.MAX_RANK + ")");
        }
        long[] shape = new long[items.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(items.get(i) instanceof Long extent) || extent < 0) {
                throw new IOException("malformed .npy header: shape " + items + " has a bad extent " + items.get(i));
            }
            shape[i] = extent;
            try {
                elements = Math.multiplyExact(elements, extent);
            } catch (ArithmeticException e) {
                throw new IOException("malformed .npy header: shape " + items + " has too many elements");
            }
        }
        return shape;
    }

    private record Dtype(DataType type, boolean bigEndian) {}

    /** Reads a simple dtype string such as {@code '<i2'}; anything non-numeric is refused by kind. */
    private static Dtype descr(Object value) throws IOException {
        if (value instanceof List<?> fields) {
            throw new IOException("structured dtype " + fields + " is not supported: only plain dtypes (" + SUPPORTED
                    + ") are");
        }
        if (!(value instanceof String descr) || descr.length() < 2) {
            throw new IOException("malformed .npy header: 'descr' is " + value + ", not a dtype string");
        }
        char order = descr.charAt(0);
        if (order != '<' && order != '>' && order != '|') {
            throw new IOException("malformed .npy header: dtype '" + descr + "' has no byte order < > or |");
        }
        char kind = descr.charAt(1);
        String refused = refusedKind(kind);
        if (refused != null) {
            throw new IOException(refused + " dtype '" + descr + "' is not supported: only " + SUPPORTED + " are");
        }
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new IOException("malformed .npy header: dtype '" + descr + "' has no item size");
        }
        DataType type = DataType.ofNumpy(kind, size);
        if (type == null) {
            throw new IOException(typeName(kind, size) + " dtype '" + descr + "' is not supported: only " + SUPPORTED
                    + " are");
        }
        if (order == '|' && size > 1) {
            throw new IOException("malformed .npy header: dtype '" + descr + "' of " + size + " bytes has no byte order");
        }
        return new Dtype(type, order == '>' && size > 1);
    }

    /** numpy's name of a float or complex type ({@code float128}); the code of others ({@code i3}). */
    private static String typeName(char kind, int size) {
        return switch (kind) {
            case 'f' -> "float" + size * 8;
            case 'c' -> "complex" + size * 8;
            default -> kind + Integer.toString(size);
        };
    }

    /** What a numpy dtype kind that is not read holds, or null for the kinds {@link DataType} has. */
    private static String refusedKind(char kind) {
        switch (kind) {
            case 'i':
            case 'u':
            case 'f':
            case 'b':
            case 'c':
                return null;
            case 'O':
                return "object (pickled Python objects)";
            case 'S':
            case 'a':
                return "byte-string";
            case 'U':
                return "unicode-string";
            case 'M':
                return "datetime";
            case 'm':
                return "timedelta";
            case 'V':
                return "void (raw bytes)";
            default:
                return "unknown";
        }
    }
}
