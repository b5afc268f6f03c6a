package io.hdf5flink.sink.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.hdf5.filter.EncodedChunk;
import io.hdf5flink.hdf5.filter.FilterPipeline;
import io.hdf5flink.sink.ChunkFilters;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FilteredChunkArraysTest {
    @Test
    void anArrayGivenBackIsLentAgainForTheSameLength() {
        FilteredChunkArrays arrays = new FilteredChunkArrays();
        byte[] first = arrays.lend(1000);
        byte[] second = arrays.lend(1000);
        assertNotSame(first, second, "two chunks in flight never share an array");
        assertEquals(2, arrays.lentCount());
        arrays.giveBack(first);
        assertSame(first, arrays.lend(1000));
        assertEquals(2000, arrays.lend(2000).length, "another length gets its own array");
    }

    /** Blosc declines incompressible chunks: the array lent for such a chunk comes straight back. */
    @Test
    void aChunkWhoseLastFilterDeclinesHoldsNoLentArray() throws IOException {
        DatasetSpec spec = ChunkFilters.blosc("lz4", 5, "shuffle")
                .applyTo(DatasetSpec.builder(DataType.INT16, 4096, 64).chunks(4096, 64)).build();
        int chunkBytes = spec.chunkBytes();
        FilterPipeline pipeline = FilterPipeline.of(spec.filters(), 2, chunkBytes);
        FilteredChunkArrays arrays = new FilteredChunkArrays();
        byte[] noise = new byte[chunkBytes];
        new Random(3).nextBytes(noise);
        for (int i = 0; i < 3; i++) {
            EncodedChunk declined = arrays.encode(pipeline, noise);
            assertEquals(1, declined.filterMask(), "Blosc declined the noise");
            assertEquals(0, arrays.lentCount(), "chunk " + i + ": its lent array was kept lent");
        }
        EncodedChunk compressed = arrays.encode(pipeline, new byte[chunkBytes]);
        assertEquals(0, compressed.filterMask());
        assertEquals(1, arrays.lentCount(), "a compressed chunk's data is the lent array, until written");
        arrays.giveBack(compressed.data());
        assertEquals(0, arrays.lentCount());
    }

    @Test
    void onlyArraysLentHereAreTakenBackAndOnlyOnce() {
        FilteredChunkArrays arrays = new FilteredChunkArrays();
        byte[] raw = new byte[1000]; // a chunk whose last filter declined: its data is not ours
        arrays.giveBack(raw);
        assertNotSame(raw, arrays.lend(1000), "a foreign array never enters the pool");
        byte[] lent = arrays.lend(1000);
        arrays.giveBack(lent);
        arrays.giveBack(lent); // given back twice: kept once, so it is never lent to two chunks
        byte[] a = arrays.lend(1000);
        byte[] b = arrays.lend(1000);
        assertNotSame(a, b);
    }
}
