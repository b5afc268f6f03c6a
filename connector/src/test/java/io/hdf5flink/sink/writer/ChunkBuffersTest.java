package io.hdf5flink.sink.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChunkBuffersTest {
    private final ChunkBuffers buffers = new ChunkBuffers();

    @Test
    void aGivenBackArrayIsTakenAgainHoldingTheTemplate() {
        byte[] fill = new byte[1024];
        Arrays.fill(fill, (byte) 7);
        byte[] first = buffers.copyOf(fill);
        assertNotSame(fill, first);
        Arrays.fill(first, (byte) 1); // the chunk's data
        buffers.giveBack(first);
        byte[] second = buffers.copyOf(fill);
        assertSame(first, second);
        assertArrayEquals(fill, second, "a reused array starts as the template, not as the last chunk");
        assertEquals(0, buffers.idleBytes());
    }

    @Test
    void arraysOfAnotherLengthAreNotHandedOut() {
        buffers.giveBack(new byte[512]);
        byte[] taken = buffers.copyOf(new byte[1024]);
        assertEquals(1024, taken.length);
        assertEquals(512, buffers.idleBytes());
    }

    @Test
    void idleArraysStayWithinTheBoundButOneOfEachLengthIsKept() {
        int size = 8 << 20;
        for (int i = 0; i < 10; i++) buffers.giveBack(new byte[size]);
        assertEquals(ChunkBuffers.MAX_IDLE_BYTES, buffers.idleBytes());
        buffers.giveBack(new byte[3]); // a length with none idle: kept although over the bound
        assertEquals(ChunkBuffers.MAX_IDLE_BYTES + 3, buffers.idleBytes());
        buffers.giveBack(new byte[3]);
        assertEquals(ChunkBuffers.MAX_IDLE_BYTES + 3, buffers.idleBytes());
    }
}
