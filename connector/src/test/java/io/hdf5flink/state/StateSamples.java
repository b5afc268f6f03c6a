package io.hdf5flink.state;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.FilterDescription;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.sink.writer.OpenChunk;
import io.hdf5flink.source.input.Archive;
import io.hdf5flink.source.input.ArrayInput;
import io.hdf5flink.source.input.StreamCompression;
import io.hdf5flink.source.input.Location;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.PendingSplits;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The values the golden-bytes fixtures under {@code src/test/resources/serializer-fixtures} hold:
 * several datasets of ranks 1, 2 and 3, every filter the sink writes (shuffle, deflate, lzf,
 * lz4, bzip2, zstd, fletcher32), fill values, attributes of several kinds, open chunks in memory
 * and spilled, and every {@link DataType} somewhere. Filters are spelled out as stored, so that
 * the fixtures do not depend on how the builder derives them. Never change a value: fixtures of
 * old versions were written from them and must keep reading back as them.
 */
public final class StateSamples {
    private StateSamples() {}

    /** A spec of {@code rank} (1 to 8) with filters, a fill value and attributes of several kinds. */
    public static DatasetSpec specOfRank(int rank) {
        long[] shape = new long[rank];
        long[] max = new long[rank];
        long[] chunks = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = d == 0 ? 0 : 3;
            max[d] = d == 0 ? DatasetSpec.UNLIMITED : 3;
            chunks[d] = d == 0 ? 16 : (d % 2) + 1;
        }
        return DatasetSpec.builder(DataType.INT16, shape).maxShape(max).chunks(chunks).shuffle().deflate(4).fletcher32()
                .fillValue(-3)
                .attribute("unit", AttributeValue.of("µV"))
                .attribute("rate", AttributeValue.of(30000.0))
                .attribute("channels", AttributeValue.of(1L, 2L, 3L))
                .attribute("gain", AttributeValue.scalar(DataType.FLOAT32, 0.195f))
                .commitTokenCapacity(16)
                .build();
    }

    /** The bytes of the fixture {@code file} under {@code serializer-fixtures} (see {@link SerializerFixturesTest} to write one). */
    public static byte[] fixture(String file) throws IOException {
        try (InputStream in = StateSamples.class.getResourceAsStream("/serializer-fixtures/" + file)) {
            if (in == null) throw new IOException("no fixture " + file);
            return in.readAllBytes();
        }
    }

    static final FilterDescription SHUFFLE_2 = new FilterDescription(2, "shuffle", 1, new int[] {2});
    static final FilterDescription SHUFFLE_4 = new FilterDescription(2, "shuffle", 1, new int[] {4});
    static final FilterDescription SHUFFLE_8 = new FilterDescription(2, "shuffle", 1, new int[] {8});
    static final FilterDescription DEFLATE_4 = new FilterDescription(1, "deflate", 1, new int[] {4});
    static final FilterDescription FLETCHER32 = new FilterDescription(3, "fletcher32", 0, new int[0]);
    static final FilterDescription LZF = new FilterDescription(32000, "lzf", 1, new int[] {4, 0x0105, 8192});
    static final FilterDescription LZ4 = new FilterDescription(32004, "HDF5 lz4 filter; see http://www.hdfgroup.org/services/contributions.html", 1, new int[] {0});
    static final FilterDescription BZIP2_9 = new FilterDescription(307, "HDF5 bzip2 filter; see http://www.hdfgroup.org/services/contributions.html", 1, new int[] {9});
    static final FilterDescription ZSTD_3 = new FilterDescription(32015, "Zstandard compression: http://www.zstd.net", 1, new int[] {3});

    /** INT16, rank 1, appended: shuffle, zstd, fletcher32, a fill value, attributes, a token. */
    static DatasetSpec ephys() {
        return DatasetSpec.builder(DataType.INT16, 0).maxShape(DatasetSpec.UNLIMITED).chunks(16)
                .filters(List.of(SHUFFLE_2, ZSTD_3, FLETCHER32)).fillValue(-3)
                .attribute("unit", AttributeValue.of("µV"))
                .attribute("rate", AttributeValue.of(30000.0))
                .attribute("channels", AttributeValue.of(1L, 2L, 3L))
                .attribute("gain", AttributeValue.scalar(DataType.FLOAT32, 0.195f))
                .commitTokenCapacity(16).build();
    }

    /** FLOAT32, rank 3, at offsets: shuffle and lz4, NaN fill. */
    static DatasetSpec frames() {
        return DatasetSpec.builder(DataType.FLOAT32, 0, 4, 2).maxShape(DatasetSpec.UNLIMITED, 4, 2).chunks(8, 2, 2)
                .filters(List.of(SHUFFLE_4, LZ4)).fillValue(Double.NaN)
                .attribute("axes", AttributeValue.array(DataType.UINT16, 7, 8, 9)).commitTokenCapacity(32).build();
    }

    /** UINT8, rank 2, fixed maximum: bzip2 alone, fill 7, no attributes. */
    static DatasetSpec mask() {
        return DatasetSpec.builder(DataType.UINT8, 10, 3).maxShape(100, 3).chunks(5, 3).filters(List.of(BZIP2_9))
                .fillValue(7).build();
    }

    /** FLOAT64, rank 1: shuffle and lzf. */
    static DatasetSpec timestamps() {
        return DatasetSpec.builder(DataType.FLOAT64, 0).maxShape(DatasetSpec.UNLIMITED).chunks(1024)
                .filters(List.of(SHUFFLE_8, LZF)).attribute("offset", AttributeValue.of(-1L)).build();
    }

    /** INT64, rank 2: deflate and fletcher32, no shuffle. */
    static DatasetSpec counts() {
        return DatasetSpec.builder(DataType.INT64, 0, 2).maxShape(DatasetSpec.UNLIMITED, 2).chunks(64, 2)
                .filters(List.of(DEFLATE_4, FLETCHER32)).fillValue(Long.MIN_VALUE).commitTokenCapacity(8).build();
    }

    /** UINT32, INT8, UINT64, INT32 and UINT16 specs without filters: every type appears. */
    static DatasetSpec plain(DataType type, int rank) {
        long[] shape = new long[rank];
        long[] chunks = new long[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = d == 0 ? 0 : 2;
            chunks[d] = d == 0 ? 32 : 1;
        }
        long[] max = shape.clone();
        max[0] = DatasetSpec.UNLIMITED;
        return DatasetSpec.builder(type, shape).maxShape(max).chunks(chunks).build();
    }

    static Hdf5WriterState writerState() {
        byte[] raw = new byte[16 * 2];
        for (int i = 0; i < raw.length; i++) raw[i] = (byte) (i * 7 + 1);
        byte[] frame = new byte[8 * 2 * 2 * 4];
        for (int i = 0; i < frame.length; i++) frame[i] = (byte) (255 - i);
        return new Hdf5WriterState(5, "3f1c2a8e-0000-4000-8000-123456789abc", true, 43, List.of("a-b-c", "d"), List.of(
                new Hdf5WriterState.DatasetState("out.h5", "/acquisition/ephys", ephys(), true, 37, new long[] {37},
                        new long[] {32}, new long[] {20},
                        List.of(new Hdf5WriterState.ChunkState(new long[] {32}, 16, 5, raw, null))),
                new Hdf5WriterState.DatasetState("frames/ü ñ.h5", "/g/frames", frames(), false, 0, new long[] {16, 4, 2},
                        null, new long[] {8, 4, 2},
                        List.of(new Hdf5WriterState.ChunkState(new long[] {8, 2, 0}, 32, 12, frame, null),
                                new Hdf5WriterState.ChunkState(new long[] {0, 0, 0}, 32, 31, null,
                                        new OpenChunk.SpillRef("3f1c2a8e-0000-4000-8000-123456789abc-0.spill", 4096, 128)),
                                new Hdf5WriterState.ChunkState(new long[] {8, 0, 0}, 32, 0, new byte[0], null))),
                new Hdf5WriterState.DatasetState("out.h5", "/mask", mask(), false, 0, new long[] {10, 3},
                        new long[] {10, 3}, null, List.of()),
                new Hdf5WriterState.DatasetState("out.h5", "/ticks", plain(DataType.UINT32, 1), true, 0, new long[] {0},
                        null, null, List.of())));
    }

    static Hdf5WriterState freshWriterState() {
        return new Hdf5WriterState(127, "w", false, 0, List.of(), List.of());
    }

    static Hdf5Committable committable() {
        return new Hdf5Committable("3f1c2a8e-0000-4000-8000-123456789abc", 42, List.of("a-b-c", "d"), "3f1c-42.chunks",
                List.of(new Hdf5Committable.DatasetPart("out.h5", "/acquisition/ephys", ephys(), new long[] {4096},
                                List.of(new Hdf5Committable.ChunkRef(new long[] {0}, 0, 100, 0),
                                        new Hdf5Committable.ChunkRef(new long[] {16}, 100, 3, 0b101))),
                        new Hdf5Committable.DatasetPart("frames/ü ñ.h5", "/g/frames", frames(), new long[] {16, 4, 2},
                                List.of(new Hdf5Committable.ChunkRef(new long[] {8, 2, 0}, Long.MAX_VALUE - 10,
                                        Integer.MAX_VALUE, -1))),
                        new Hdf5Committable.DatasetPart("out.h5", "/timestamps", timestamps(), new long[] {1024},
                                List.of(new Hdf5Committable.ChunkRef(new long[] {0}, 103, 4000, 0))),
                        new Hdf5Committable.DatasetPart("out.h5", "/counts", counts(), new long[] {64, 2}, List.of()),
                        new Hdf5Committable.DatasetPart("more.h5", "/a", plain(DataType.INT8, 2), new long[] {0, 2}, List.of()),
                        new Hdf5Committable.DatasetPart("more.h5", "/b", plain(DataType.UINT64, 1), new long[] {0}, List.of()),
                        new Hdf5Committable.DatasetPart("more.h5", "/c", plain(DataType.INT32, 3), new long[] {0, 2, 2}, List.of()),
                        new Hdf5Committable.DatasetPart("more.h5", "/d", plain(DataType.UINT16, 1), new long[] {0}, List.of())),
                List.of("3f1c-40.spill", "a-b-c-7.spill"));
    }

    /** Chunks written in place: positions are addresses in the output files. */
    static Hdf5Committable inPlaceCommittable() {
        return new Hdf5Committable("3f1c2a8e-0000-4000-8000-123456789abc-r7", 9, List.of("x-1"), null, true,
                List.of(new Hdf5Committable.DatasetPart("out.h5", "/acquisition/ephys", ephys(), new long[] {8192},
                        List.of(new Hdf5Committable.ChunkRef(new long[] {4096}, 1_073_741_824L + 976, 1_241_584, 0),
                                new Hdf5Committable.ChunkRef(new long[] {8192}, 4096, 7, 0b10)))),
                List.of());
    }

    static Hdf5Committable emptyCommittable() {
        return new Hdf5Committable("w", 0, List.of(), null, List.of(), List.of());
    }

    public static final ArraySplit MAPPED = new ArraySplit("3",
            new ArrayInput(Location.file("/data/rec.npy", StreamCompression.NONE), true, 128, DataType.INT16, false), "/data",
            new long[] {0, 0}, new long[] {64}, 16384, 32768);
    public static final ArraySplit MEMBER = new ArraySplit("17",
            new ArrayInput(Location.member("/data/rec.tar.gz", StreamCompression.GZIP, Archive.TAR, "ch10.npy.zst",
                    StreamCompression.ZSTD), false, 80, DataType.FLOAT64, true), "/acquisition/ephys",
            new long[] {0, 9}, new long[] {1}, 5, 1000);
    public static final ArraySplit ZIPPED = new ArraySplit("zip-0",
            new ArrayInput(Location.member("/d/x.npz", StreamCompression.NONE, Archive.ZIP, "frames.npy", StreamCompression.BZIP2),
                    false, 128, DataType.UINT64, true), "/g/frames", new long[] {100, 0, 0}, new long[] {4, 2}, 0, 7);
    public static final ArraySplit RAW_XZ = new ArraySplit("9",
            new ArrayInput(Location.file("/raw/ch.bin.xz", StreamCompression.XZ), false, 0, DataType.UINT8, false), "/mask",
            new long[] {0}, new long[] {}, 1000, 1000);

    static List<ArraySplit> splits() {
        return List.of(MAPPED, MEMBER, ZIPPED, RAW_XZ);
    }

    static PendingSplits pendingSplits() {
        return new PendingSplits(splits());
    }

    /** One block of every type: appended and placed, with and without a file, ranks 1 to 3. */
    static List<ArrayBlock> blocks() {
        List<ArrayBlock> blocks = new ArrayList<>();
        // Spelled out, not DataType.values(): the fixtures were written from these, and a new
        // type in the enum must not change them.
        DataType[] types = {DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64, DataType.UINT8,
                DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.FLOAT32, DataType.FLOAT64};
        for (int i = 0; i < types.length; i++) {
            DataType type = types[i];
            int rank = 1 + i % 3;
            long[] shape = new long[rank];
            long[] offset = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = d + 2;
                offset[d] = 10L * d + i;
                elements *= shape[d];
            }
            byte[] data = new byte[(int) elements * type.size()];
            for (int b = 0; b < data.length; b++) data[b] = (byte) (b * 31 + i);
            String file = i % 2 == 0 ? null : "run" + i + "/out.h5";
            blocks.add(new ArrayBlock(file, "/blocks/" + type.name().toLowerCase(), type, shape, i % 4 == 3 ? null : offset,
                    data));
        }
        return blocks;
    }
}
