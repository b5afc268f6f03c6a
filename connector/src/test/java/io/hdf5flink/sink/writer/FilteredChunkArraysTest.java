package io.hdf5flink.sink.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

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
