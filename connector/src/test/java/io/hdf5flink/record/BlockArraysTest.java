package io.hdf5flink.record;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class BlockArraysTest {
    // Lengths no other test lends, since the pool is the JVM's.
    @Test
    void anArrayGivenBackIsLentAgain() {
        byte[] first = BlockArrays.lend(1001);
        BlockArrays.giveBack(first);
        assertSame(first, BlockArrays.lend(1001));
    }

    @Test
    void arraysNotLentHereAreNeverTakenIn() {
        byte[] users = new byte[1002];
        BlockArrays.giveBack(users); // a block the user built: the sink offers it, the pool must refuse it
        assertNotSame(users, BlockArrays.lend(1002));
    }

    @Test
    void anArrayIsTakenBackOnlyOnce() {
        byte[] a = BlockArrays.lend(1003);
        BlockArrays.giveBack(a);
        BlockArrays.giveBack(a); // offered twice: lending it twice at once would share it between blocks
        assertSame(a, BlockArrays.lend(1003));
        assertNotSame(a, BlockArrays.lend(1003));
    }
}
