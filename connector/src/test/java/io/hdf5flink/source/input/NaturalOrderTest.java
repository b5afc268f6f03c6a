package io.hdf5flink.source.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {

    /** Equal values ("ch02", "ch2") fall back to plain string order. */
    @Test
    void numbersCompareByValue() {
        List<String> expected = List.of("/d/ch1.bin", "/d/ch02.bin", "/d/ch2.bin", "/d/ch10.bin", "/d/ch10a.bin",
                "/d/ch11.bin", "/d/ch99999999999999999999999.bin", "/d/ch100000000000000000000000.bin", "/d/chx.bin",
                "/d2/ch0.bin", "/d10/ch0.bin");
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(NaturalOrder.INSTANCE);
        assertEquals(expected, shuffled);
    }

    @Test
    void isAConsistentTotalOrder() {
        assertEquals(0, NaturalOrder.INSTANCE.compare("a01", "a01"));
        assertEquals(-NaturalOrder.INSTANCE.compare("a1", "a01"), NaturalOrder.INSTANCE.compare("a01", "a1"));
        assertEquals(-1, Integer.signum(NaturalOrder.INSTANCE.compare("seg", "seg1")));
    }
}
