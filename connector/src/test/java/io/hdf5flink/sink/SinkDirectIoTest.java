package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.OpenDescriptors;
import io.hdf5flink.record.ArrayBlock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Hdf5Sink.Builder#directIo}: a writer of large chunks holds its output open with {@code
 * O_DIRECT} (as the kernel reports it) by default and never when the sink says no, and the chunks
 * land either way.
 */
@EnabledOnOs(OS.LINUX)
class SinkDirectIoTest {
    private static final int ROWS = 1024;
    private static final int COLUMNS = 64; // 256 KiB chunks of int32

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void writersBypassThePageCacheOnlyWhenTheSinkAsks(boolean direct) throws Exception {
        DatasetSpec spec = DatasetSpec.builder(DataType.INT32, 2 * ROWS, COLUMNS).chunks(ROWS, COLUMNS).build();
        Hdf5Sink.Builder builder = Hdf5Sink.builder(dir).defaultFile("out.h5").declare("/d", spec);
        if (!direct) builder.directIo(false); // the default is on
        ByteBuffer values = ByteBuffer.allocate(ROWS * COLUMNS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ROWS * COLUMNS; i++) values.putInt(i * 7);
        try (SinkWriterHarness w = SinkWriterHarness.open(builder.build())) {
            w.write(ArrayBlock.at("/d", DataType.INT32, new long[] {ROWS, 0}, new long[] {ROWS, COLUMNS}, values.array()));
            List<Hdf5Committable> committed = w.checkpoint(1).committables();
            assertEquals(direct, OpenDescriptors.anyDirect(dir.resolve("out.h5")),
                    "descriptors on the output: " + OpenDescriptors.flags(dir.resolve("out.h5")));
            Hdf5Committable.DatasetPart part = committed.get(0).parts().get(0);
            assertEquals(1, part.chunks().size());
            Hdf5Committable.ChunkRef chunk = part.chunks().get(0);
            byte[] file = Files.readAllBytes(dir.resolve("out.h5"));
            assertArrayEquals(values.array(), Arrays.copyOfRange(file, (int) chunk.position(), (int) chunk.position() + chunk.length()),
                    "the chunk, unfiltered, at the address its committable names");
        }
    }
}
