package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.dataset.CompactDataset;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.FilterPipelineMessage;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads whole rows of one dataset of an existing HDF5 file, as libhdf5 or this engine wrote it:
 * the read path of HDF5 inputs. Chunked datasets are read chunk by chunk, each chunk a read needs
 * decoded once (a chunk that a read ends inside is kept for the next read); chunks never written
 * read as the dataset's fill value. Contiguous and compact datasets are read as stored.
 *
 * <p>The file's structure (superblock 0 to 3, object header versions 1 and 2, groups of either
 * kind, and every chunk index: B-tree version 1, single chunk, implicit, fixed array, extensible
 * array, B-tree version 2) is parsed by jhdf when the reader opens; from then on the reader works
 * from its own copy of the chunk index (addresses, sizes, filter masks: about 24 bytes a chunk)
 * and its own file channel. Chunks are decoded by the engine's {@link FilterPipeline}, not
 * jhdf's: jhdf 0.13 runs every filter on every chunk, ignoring the chunk's filter mask, which
 * libhdf5 sets when an optional filter such as LZF could not shrink a chunk (noise-like data)
 * and so stored it without that filter; and the engine decodes more filters (zstd, Blosc,
 * bitshuffle, bzip2) with faster codecs.
 *
 * <p>Not thread-safe: a reader per thread. Element bytes are returned in the order the file
 * stores them ({@link #bigEndian()}).
 */
public final class Hdf5DatasetReader implements Closeable {
    /** How the dataset's elements are stored. */
    public enum Storage { CHUNKED, CONTIGUOUS, COMPACT }

    /** HDF5's format signature, at 0 or after a user block of 512, 1024, 2048, ... bytes. */
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** The most bytes a superblock takes (version 0 with 8-byte addresses: 96; versions 2 and 3: 48). */
    private static final int SUPERBLOCK_BYTES = 96;

    /** jhdf builds a chunked dataset's index in a protected method; its public reads ignore filter masks. */
    private static final Method CHUNK_LOOKUP = chunkLookup();

    private final Path file;
    private final String path;
    private final DataType type;
    private final boolean bigEndian;
    private final long[] shape;
    private final Storage storage;
    private final byte[] fillElement;
    private final FileChannel channel;
    /** Chunked: the chunk shape and pipeline, and the index sorted by linear chunk number. */
    private final long[] chunkShape;
    private final FilterPipeline pipeline;
    private final long[] chunkGrid;
    private final long[] chunkNumbers;
    private final long[] chunkAddresses;
    private final int[] chunkSizes;
    private final int[] chunkMasks;
    /** Contiguous: the file offset of element 0, or -1 when the storage was never allocated. */
    private final long contiguousOffset;
    /** Compact: the elements. */
    private final byte[] compact;
    /** Decoded chunks that the last read ended inside, by linear chunk number. */
    private Map<Long, byte[]> carried = Map.of();
    /** The chunk that chunks never written read as, made at the first such read. */
    private byte[] fillChunk;
    private byte[] stored = new byte[0];
    private long chunksDecoded;

    private Hdf5DatasetReader(Path file, String path, Dataset ds, long userBlock) throws IOException {
        this.file = file;
        this.path = path;
        JhdfTypes.StoredType t = JhdfTypes.of(ds.getDataType());
        this.type = t.type();
        this.bigEndian = t.bigEndian();
        if (ds.isScalar()) throw new IllegalArgumentException("it is a scalar dataset; rows need at least one axis");
        this.shape = ds.getDimensionsAsLong();
        this.fillElement = fillElement(ds, type.size());
        long[] grid = null;
        long[] cs = null;
        FilterPipeline filters = null;
        long[] numbers = new long[0];
        long[] addresses = new long[0];
        int[] sizes = new int[0];
        int[] masks = new int[0];
        long contiguous = -1;
        byte[] compactBytes = null;
        if (ds instanceof ChunkedDatasetBase chunked) {
            storage = Storage.CHUNKED;
            int[] dims = chunked.getChunkDimensions();
            cs = new long[shape.length];
            for (int d = 0; d < cs.length; d++) cs[d] = dims[d];
            long chunkBytes = type.size();
            for (long e : cs) chunkBytes = Math.multiplyExact(chunkBytes, e);
            if (chunkBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("its chunks of " + Arrays.toString(cs) + " hold " + chunkBytes
                        + " bytes, more than one Java array holds");
            }
            filters = pipeline(ds, type.size(), (int) chunkBytes);
            grid = new long[shape.length];
            for (int d = 0; d < grid.length; d++) grid[d] = (shape[d] + cs[d] - 1) / cs[d];
            List<StoredChunk> chunks = chunks(chunked, file, path);
            long[][] entries = new long[chunks.size()][];
            int n = 0;
            for (StoredChunk c : chunks) {
                long[] at = c.offset();
                long number = 0;
                boolean inside = true;
                for (int d = 0; d < shape.length; d++) {
                    if (at[d] % cs[d] != 0) throw new IOException("a chunk at " + Arrays.toString(at) + " is off the chunk grid");
                    if (at[d] >= shape[d]) inside = false; // left over from a dataset that shrank
                    number = number * grid[d] + at[d] / cs[d];
                }
                if (inside) entries[n++] = new long[] {number, c.address(), c.size(), c.filterMask()};
            }
            entries = Arrays.copyOf(entries, n);
            Arrays.sort(entries, (a, b) -> Long.compare(a[0], b[0]));
            numbers = new long[n];
            addresses = new long[n];
            sizes = new int[n];
            masks = new int[n];
            for (int i = 0; i < n; i++) {
                numbers[i] = entries[i][0];
                addresses[i] = userBlock + entries[i][1];
                sizes[i] = Math.toIntExact(entries[i][2]);
                masks[i] = (int) entries[i][3];
            }
        } else if (ds instanceof ContiguousDataset c) {
            storage = Storage.CONTIGUOUS;
            long address = c.getDataAddress();
            // libhdf5 allocates contiguous storage at the first write; an undefined address reads as fill.
            contiguous = address < 0 ? -1 : userBlock + address;
        } else if (ds instanceof CompactDataset c) {
            storage = Storage.COMPACT;
            ByteBuffer b = c.getDataBuffer();
            compactBytes = new byte[b.remaining()];
            b.get(compactBytes);
        } else {
            throw new IllegalArgumentException("its storage (" + ds.getDataLayout() + ") is not one the engine reads");
        }
        this.chunkShape = cs;
        this.pipeline = filters;
        this.chunkGrid = grid;
        this.chunkNumbers = numbers;
        this.chunkAddresses = addresses;
        this.chunkSizes = sizes;
        this.chunkMasks = masks;
        this.contiguousOffset = contiguous;
        this.compact = compactBytes;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        if (storage == Storage.CONTIGUOUS && contiguous >= 0 && contiguous + sizeInBytes() > channel.size()) {
            channel.close();
            throw new EOFException("its " + sizeInBytes() + " bytes at offset " + contiguous + " lie past the file's end at "
                    + channel.size() + ": the file is truncated");
        }
    }

    /**
     * Opens dataset {@code path} of {@code file}.
     *
     * <p>A file that another process writes (a sink, {@code convert}, libhdf5) is read as one of
     * its commits: the superblock and the dataset's shape are read before and after the structure
     * is parsed, and a parse that a commit overlapped is thrown away and done again (up to
     * {@value #SNAPSHOT_ATTEMPTS} times). Without it, a reader holding the shape of one commit could
     * follow chunk index nodes that a later commit rewrote, and read chunks of the shape as
     * missing, that is as fill values (seen in a test reading a file every 10 ms while
     * {@code convert} wrote it).
     *
     * @throws IllegalArgumentException naming the file and dataset when the file is not HDF5, the
     *     dataset does not exist or is not one this reader reads (its datatype, storage, or a
     *     filter, named by id, it cannot decode)
     * @throws IOException when the file cannot be read, or kept changing while it was parsed
     */
    public static Hdf5DatasetReader open(Path file, String path) throws IOException {
        String where = file + ":" + path;
        Exception overlapped = null;
        for (int attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
            byte[] before = superblock(file);
            Hdf5DatasetReader reader;
            try {
                reader = parse(file, path);
            } catch (IllegalArgumentException | IOException e) {
                // A file read while a commit rewrites it may look malformed for that instant.
                if (Arrays.equals(before, superblock(file))) throw e;
                overlapped = e;
                pause(attempt);
                continue;
            }
            if (Arrays.equals(before, superblock(file)) && Arrays.equals(reader.shape, shapeNow(file, path))) return reader;
            reader.close();
            overlapped = null;
            pause(attempt);
        }
        throw new IOException(where + ": the file changed while its structure was read, " + SNAPSHOT_ATTEMPTS
                + " times in a row: it is being written faster than it can be read; try again", overlapped);
    }

    /** How many times {@link #open} parses a file that changes meanwhile before it gives up. */
    static final int SNAPSHOT_ATTEMPTS = 50;

    private static Hdf5DatasetReader parse(Path file, String path) throws IOException {
        String where = file + ":" + path;
        try (HdfFile hdf = new HdfFile(file)) {
            Node node;
            try {
                node = hdf.getByPath(path);
            } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
                throw new IllegalArgumentException(where + ": no such dataset in the file", e);
            } catch (RuntimeException e) {
                // jhdf loads a group's members together: one it cannot read (virtual or external
                // storage) makes the whole group unreadable. Say what, not "no such dataset".
                throw new IllegalArgumentException(where + ": cannot be read: " + rootMessage(e), e);
            }
            if (!(node instanceof Dataset ds)) {
                throw new IllegalArgumentException(where + " is a " + node.getType().toString().toLowerCase() + ", not a dataset");
            }
            return new Hdf5DatasetReader(file, path, ds, hdf.getUserBlockSize());
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(where) ? e
                    : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) { // jhdf reports a malformed file with unchecked exceptions
            throw new IllegalArgumentException(where + ": cannot read it as HDF5: " + message(e), e);
        }
    }

    /**
     * The bytes where the superblock lies (after a user block if any): a commit that adds data
     * rewrites its end-of-file address.
     */
    private static byte[] superblock(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = signatureAt(ch);
            if (at < 0) return new byte[0];
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(SUPERBLOCK_BYTES, ch.size() - at));
            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) { }
            return b.array();
        }
    }

    /** The dataset's shape as the file says now. */
    private static long[] shapeNow(Path file, String path) {
        try (HdfFile hdf = new HdfFile(file)) {
            return hdf.getDatasetByPath(path).getDimensionsAsLong();
        } catch (RuntimeException e) {
            return null; // changed under the reader: not the shape it holds
        }
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(Math.min(attempt, 20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a commit to pass");
        }
    }

    /**
     * The paths of every dataset in {@code file}, depth first in name order (hard links are
     * followed, soft and external links are not).
     *
     * @throws IllegalArgumentException naming the file when it is not HDF5
     */
    public static List<String> datasetPaths(Path file) throws IOException {
        try (HdfFile hdf = new HdfFile(file)) {
            List<String> paths = new ArrayList<>();
            collect(hdf, paths);
            return paths;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot read it as HDF5: " + message(e), e);
        }
    }

    private static void collect(Group group, List<String> paths) {
        List<String> names = new ArrayList<>(group.getChildren().keySet());
        names.sort(null);
        for (String name : names) {
            Node child = group.getChildren().get(name);
            if (child.isLink()) continue;
            if (child instanceof Dataset) paths.add(child.getPath().startsWith("/") ? child.getPath() : "/" + child.getPath());
            else if (child instanceof Group g) collect(g, paths);
        }
    }

    /**
     * The attributes of dataset {@code path} of {@code file} that the engine can write into
     * another file: strings (scalar), and scalars and arrays of the engine's element types. Each
     * attribute it cannot copy is listed in {@code skipped} as "name (why)".
     */
    public static Map<String, AttributeValue> copyableAttributes(Path file, String path, List<String> skipped)
            throws IOException {
        Map<String, AttributeValue> copied = new java.util.TreeMap<>();
        try (HdfFile hdf = new HdfFile(file)) {
            for (io.jhdf.api.Attribute a : hdf.getByPath(path).getAttributes().values()) {
                try {
                    copied.put(a.getName(), copyOf(a));
                } catch (RuntimeException e) {
                    skipped.add(a.getName() + " (" + message(e) + ")");
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ":" + path + ": cannot read its attributes: " + message(e), e);
        }
        return copied;
    }

    private static AttributeValue copyOf(io.jhdf.api.Attribute a) {
        if (a.getDataType() instanceof io.jhdf.object.datatype.StringData
                || a.getDataType() instanceof io.jhdf.object.datatype.VariableLength) {
            if (!a.isScalar() || !(a.getData() instanceof String text)) {
                throw new IllegalArgumentException("an array of strings");
            }
            return AttributeValue.of(text);
        }
        JhdfTypes.StoredType t = JhdfTypes.of(a.getDataType());
        if (a.isEmpty()) throw new IllegalArgumentException("an empty (null) dataspace");
        ByteBuffer b = a.getBuffer().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        if (t.bigEndian()) t.type().swapByteOrder(bytes);
        return AttributeValue.elements(t.type(), a.isScalar() ? new long[0] : a.getDimensionsAsLong(), bytes);
    }

    /** Whether {@code file} starts with HDF5's signature (at 0, or after a user block of 512, 1024, ... bytes). */
    public static boolean isHdf5File(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return signatureAt(ch) >= 0;
        }
    }

    /** Where the signature (and the superblock) starts, or -1 when the file has none. */
    private static long signatureAt(FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer b = ByteBuffer.allocate(SIGNATURE.length);
        for (long at = 0; at + SIGNATURE.length <= size; at = at == 0 ? 512 : at * 2) {
            b.clear();
            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) { }
            if (!b.hasRemaining() && Arrays.equals(b.array(), SIGNATURE)) return at;
        }
        return -1;
    }

    public Path file() { return file; }

    public String path() { return path; }

    public DataType type() { return type; }

    /** Whether the file stores the numbers big-endian ({@link #read} returns them as stored). */
    public boolean bigEndian() { return bigEndian; }

    /** A chunk as the dataset's index lists it: its offset (element coordinates), where it is, its stored size and filter mask. */
    record StoredChunk(long[] offset, long address, int size, int filterMask) {}

    /**
     * Every chunk of a chunked dataset that lies inside its shape, in chunk-number order: what an
     * index of another kind must hold to list the same chunks ({@link DatasetHeader} re-indexing a
     * dataset of layout version 4).
     */
    List<StoredChunk> storedChunks() {
        if (storage != Storage.CHUNKED) throw new IllegalStateException(file + ":" + path + " is not chunked");
        List<StoredChunk> out = new java.util.ArrayList<>(chunkNumbers.length);
        for (int i = 0; i < chunkNumbers.length; i++) {
            long[] offset = new long[chunkGrid.length];
            long n = chunkNumbers[i];
            for (int d = chunkGrid.length - 1; d >= 0; d--) {
                offset[d] = n % chunkGrid[d] * chunkShape[d];
                n /= chunkGrid[d];
            }
            out.add(new StoredChunk(offset, chunkAddresses[i], chunkSizes[i], chunkMasks[i]));
        }
        return out;
    }

    public long[] shape() { return shape.clone(); }

    public Storage storage() { return storage; }

    /** The chunk shape, or null when the dataset is not chunked. */
    public long[] chunkShape() { return chunkShape == null ? null : chunkShape.clone(); }

    /** The filters chunks pass through, in the order they apply when writing; empty when none. */
    public List<FilterDescription> filters() { return pipeline == null ? List.of() : pipeline.descriptions(); }

    /**
     * The file offset of element 0 when the elements lie verbatim in the file, in C order: a
     * contiguous dataset whose storage is allocated. Such a dataset can be memory-mapped.
     */
    public OptionalLong contiguousOffset() {
        return contiguousOffset >= 0 ? OptionalLong.of(contiguousOffset) : OptionalLong.empty();
    }

    /**
     * Reads rows {@code [firstRow, firstRow + rows)} into {@code out}, which must hold exactly
     * that many whole rows.
     *
     * @throws IOException naming the file, dataset and chunk when a chunk cannot be read or
     *     decoded
     */
    public void read(long firstRow, long rows, byte[] out) throws IOException {
        long rowBytes = rowBytes();
        if (firstRow < 0 || rows < 0 || firstRow + rows > shape[0] || rows * rowBytes != out.length) {
            throw new IllegalArgumentException("rows [" + firstRow + ", " + (firstRow + rows) + ") into " + out.length
                    + " bytes, of a dataset of shape " + Arrays.toString(shape));
        }
        switch (storage) {
            case COMPACT -> System.arraycopy(compact, Math.toIntExact(firstRow * rowBytes), out, 0, out.length);
            case CONTIGUOUS -> {
                if (contiguousOffset < 0) StoredChunks.fill(out, fillElement);
                else readFully(ByteBuffer.wrap(out), contiguousOffset + firstRow * rowBytes, "its contiguous data");
            }
            case CHUNKED -> {
                long[] offset = new long[shape.length];
                offset[0] = firstRow;
                long[] extent = shape.clone();
                extent[0] = rows;
                readChunked(offset, extent, out);
            }
        }
    }

    /**
     * Reads the hyperslab of extent {@code extent} at {@code offset} (one element per axis) into
     * {@code out}, in C order: a window of columns of rows, say. Of a chunked dataset only the
     * chunks the window overlaps are read and decoded.
     *
     * @throws IOException naming the file, dataset and chunk when a chunk cannot be read or
     *     decoded
     */
    public void read(long[] offset, long[] extent, byte[] out) throws IOException {
        long bytes = type.size();
        boolean wholeRows = true;
        for (int d = 0; d < shape.length; d++) {
            if (offset.length != shape.length || extent.length != shape.length || offset[d] < 0 || extent[d] < 0
                    || offset[d] + extent[d] > shape[d]) {
                throw new IllegalArgumentException("hyperslab at " + Arrays.toString(offset) + " of extent " + Arrays.toString(extent)
                        + " of a dataset of shape " + Arrays.toString(shape));
            }
            bytes *= extent[d];
            if (d > 0 && extent[d] != shape[d]) wholeRows = false;
        }
        if (bytes != out.length) throw new IllegalArgumentException("hyperslab of " + bytes + " bytes into " + out.length);
        if (storage == Storage.CHUNKED) {
            readChunked(offset, extent, out);
        } else if (wholeRows) {
            read(offset[0], extent[0], out);
        } else {
            byte[] rows = new byte[Math.toIntExact(extent[0] * rowBytes())];
            read(offset[0], extent[0], rows);
            long[] rowsShape = shape.clone();
            rowsShape[0] = extent[0];
            long[] origin = offset.clone();
            origin[0] = 0;
            BoxCopy.copy(ByteBuffer.wrap(rows), rowsShape, origin, out, extent, new long[shape.length], extent, type.size());
        }
    }

    /** How many chunks this reader has read from the file and decoded (a metric, and for tests). */
    public long chunksDecoded() {
        return chunksDecoded;
    }

    private void readChunked(long[] offset, long[] extent, byte[] out) throws IOException {
        int rank = shape.length;
        long end = offset[0] + extent[0];
        Map<Long, byte[]> next = new HashMap<>();
        try {
            ChunkGrid.forEachOverlap(offset, extent, chunkShape, (origin, lo, box) -> {
                long number = 0;
                long[] srcOrigin = new long[rank];
                long[] dstOrigin = new long[rank];
                for (int d = 0; d < rank; d++) {
                    number = number * chunkGrid[d] + origin[d] / chunkShape[d];
                    srcOrigin[d] = lo[d] - origin[d];
                    dstOrigin[d] = lo[d] - offset[d];
                }
                byte[] data = carried.get(number);
                if (data == null) data = decode(number, origin);
                // The next read of the following rows continues in this chunk: keep it decoded.
                if (origin[0] + chunkShape[0] > end && end < shape[0]) next.put(number, data);
                BoxCopy.copy(ByteBuffer.wrap(data), chunkShape, srcOrigin, out, extent, dstOrigin, box, type.size());
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            carried = next;
        }
    }

    /** Chunk {@code number}, at {@code origin}, decoded; the fill chunk when it was never written. */
    private byte[] decode(long number, long[] origin) {
        int i = Arrays.binarySearch(chunkNumbers, number);
        if (i < 0) {
            if (fillChunk == null) {
                fillChunk = new byte[chunkBytes()];
                StoredChunks.fill(fillChunk, fillElement);
            }
            return fillChunk;
        }
        int size = chunkSizes[i];
        chunksDecoded++;
        if (stored.length < size) stored = new byte[size];
        try {
            readFully(ByteBuffer.wrap(stored, 0, size), chunkAddresses[i], "chunk " + Arrays.toString(origin));
            byte[] data = pipeline.decode(stored, size, chunkMasks[i], chunkBytes());
            // With no filter applied the result may be the shared read buffer itself.
            return data == stored ? Arrays.copyOf(stored, size) : data;
        } catch (EOFException e) {
            throw new UncheckedIOException(e);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException(file + ":" + path + ": chunk " + Arrays.toString(origin) + " ("
                    + size + " bytes at offset " + chunkAddresses[i] + ") cannot be decoded: " + message(e), e));
        }
    }

    private int chunkBytes() {
        long bytes = type.size();
        for (long e : chunkShape) bytes *= e;
        return (int) bytes;
    }

    private void readFully(ByteBuffer into, long offset, String what) throws IOException {
        long at = offset;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException(file + ":" + path + ": " + what + " ends past the file's end at " + channel.size()
                        + ": the file is truncated");
            }
            at += n;
        }
    }

    private long rowBytes() {
        long bytes = type.size();
        for (int d = 1; d < shape.length; d++) bytes *= shape[d];
        return bytes;
    }

    private long sizeInBytes() {
        return rowBytes() * shape[0];
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return file + ":" + path;
    }

    /** The fill value's bytes as stored, or zeros when none is defined. */
    private static byte[] fillElement(Dataset ds, int size) {
        byte[] fill = new byte[size];
        if (!(ds instanceof io.jhdf.dataset.DatasetBase base)) return fill;
        var header = base.getHeader();
        if (!header.hasMessageOfType(FillValueMessage.class)) return fill;
        FillValueMessage m = header.getMessageOfType(FillValueMessage.class);
        if (!m.isFillValueDefined() || m.getFillValue() == null) return fill;
        ByteBuffer b = m.getFillValue().duplicate();
        if (b.remaining() == size) b.get(fill);
        return fill;
    }

    /** The dataset's filter pipeline, built by the engine so that unknown filters are refused by id now. */
    private static FilterPipeline pipeline(Dataset ds, int elementSize, int chunkBytes) {
        List<FilterDescription> descriptions = new ArrayList<>();
        var header = ((io.jhdf.dataset.DatasetBase) ds).getHeader();
        if (header.hasMessageOfType(FilterPipelineMessage.class)) {
            for (FilterPipelineMessage.FilterInfo f : header.getMessageOfType(FilterPipelineMessage.class).getFilters()) {
                descriptions.add(new FilterDescription(f.getId(), f.getName() == null ? "" : f.getName(),
                        f.isOptional() ? FilterDescription.FLAG_OPTIONAL : 0, f.getData()));
            }
        }
        try {
            return FilterPipeline.of(descriptions, elementSize, chunkBytes);
        } catch (io.hdf5flink.hdf5.filter.UnsupportedFilterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The chunks jhdf's index lists; where jhdf cannot read the index (its reader of paged
     * extensible-array data blocks fails past 131,072 chunks), the ones the append engine's own
     * reader of layout version 4 indexes lists ({@link Version4Chunks}), inside the shape.
     */
    @SuppressWarnings("unchecked")
    private static List<StoredChunk> chunks(ChunkedDatasetBase ds, Path file, String path) throws IOException {
        Collection<Chunk> listed;
        try {
            listed = ((Map<?, Chunk>) CHUNK_LOOKUP.invoke(ds)).values();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            IOException failed = new IOException("its chunk index cannot be read: " + (cause == null ? e : message(cause)), cause);
            return engineChunks(file, path, failed);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        List<StoredChunk> out = new java.util.ArrayList<>(listed.size());
        for (Chunk c : listed) out.add(new StoredChunk(c.getChunkOffset(), c.getAddress(), c.getSize(), mask(c.getFilterMask())));
        return out;
    }

    private static List<StoredChunk> engineChunks(Path file, String path, IOException jhdfFailed) throws IOException {
        try (Hdf5File f = Hdf5File.openReadOnly(file)) {
            Hdf5Dataset d = f.dataset(path);
            if (d.keepsExtensibleArray() || d.keepsVersion2BTree()) return d.indexedChunks();
            if (d.reindexedFrom() == null) throw jhdfFailed; // a version 1 B-tree jhdf could not read: no second opinion
            return d.inheritedChunks();
        } catch (Hdf5Exception e) {
            jhdfFailed.addSuppressed(e);
            throw jhdfFailed;
        }
    }

    private static Method chunkLookup() {
        try {
            Method m = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int mask(BitSet bits) {
        if (bits == null) return 0;
        long[] words = bits.toLongArray();
        return words.length == 0 ? 0 : (int) words[0];
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root == e ? message(e) : message(e) + ": " + message(root);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
