package io.hdf5flink.source.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hdf5flink.hdf5.DataType;
import io.hdf5flink.record.ArrayBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The decoding step before the sink: bad messages fail the job naming topic, partition and
 * offset, or go to the side output; a dataset's row type is fixed by its declaration or its first
 * message and survives a restore.
 */
class ParseArrayMessagesTest {
    private long nextOffset;

    private ArrayMessage message(String dataset, DataType type, long... shape) {
        long elements = 1;
        for (long s : shape) elements *= s;
        ArrayMessage m = new ArrayMessage();
        m.topic = "acq";
        m.partition = 1;
        m.offset = nextOffset++;
        m.dataset = dataset;
        m.value = NpyMessages.encode(type, shape, new byte[(int) (elements * type.size())]);
        return m;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ArrayMessage, ArrayBlock> harness(ParseArrayMessages parse)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(parse),
                ParseArrayMessages.byDestination("/data"), Types.STRING);
    }

    @Test
    void aBadMessageFailsTheJobNamingItsPosition() throws Exception {
        try (var h = harness(new ParseArrayMessages("/data"))) {
            h.open();
            h.processElement(new StreamRecord<>(message(null, DataType.INT16, 4, 3)));
            ArrayMessage other = message(null, DataType.INT16, 4, 5);
            BadMessageException e = assertThrows(BadMessageException.class, () -> h.processElement(new StreamRecord<>(other)));
            assertEquals("bad message at topic acq partition 1 offset 1: the array has rows of int16 [5], /data takes rows of "
                    + "int16 [3]", e.getMessage());
            assertEquals(1, h.extractOutputValues().size());
        }
    }

    @Test
    void setAsideBadMessagesAreCountedAndEmittedToTheSideOutput() throws Exception {
        try (var h = harness(new ParseArrayMessages("/data").setAside().declare(null, "/frames", DataType.UINT16, null))) {
            h.open();
            h.processElement(new StreamRecord<>(message(null, DataType.INT16, 4, 3)));
            h.processElement(new StreamRecord<>(message(null, DataType.INT32, 4, 3)));
            h.processElement(new StreamRecord<>(message("/frames", DataType.INT16, 1, 2, 2)));
            h.processElement(new StreamRecord<>(message("/frames", DataType.UINT16, 1, 2, 2)));
            ArrayMessage junk = message("/frames", DataType.UINT16, 1, 2, 2);
            junk.value = new byte[] {1, 2, 3};
            h.processElement(new StreamRecord<>(junk));
            List<ArrayBlock> out = h.extractOutputValues();
            assertEquals(2, out.size());
            assertEquals("/frames", out.get(1).dataset());
            List<RejectedMessage> rejected = new ArrayList<>();
            h.getSideOutput(ParseArrayMessages.REJECTED).forEach(r -> rejected.add(r.getValue()));
            assertEquals(List.of(1L, 2L, 4L), rejected.stream().map(r -> r.offset).toList());
            assertTrue(rejected.get(1).reason.contains("the array is int16, /frames takes uint16"), rejected.get(1).reason);
            assertArrayEquals(new byte[] {1, 2, 3}, rejected.get(2).value);
        }
    }

    @Test
    void onlyDeclaredAndAppendOnlyJobsRefuseOtherMessages() throws Exception {
        try (var h = harness(new ParseArrayMessages("/data").declare(null, "/data", DataType.INT16, new long[] {3}).onlyDeclared()
                .appendOnly().setAside())) {
            h.open();
            h.processElement(new StreamRecord<>(message("/other", DataType.INT16, 4, 3)));
            ArrayMessage at = message(null, DataType.INT16, 4, 3);
            at.blockOffset = "0,0";
            h.processElement(new StreamRecord<>(at));
            h.processElement(new StreamRecord<>(message(null, DataType.INT16, 4, 4)));
            h.processElement(new StreamRecord<>(message(null, DataType.INT16, 0, 3)));
            h.processElement(new StreamRecord<>(message(null, DataType.INT16, 2, 3)));
            assertEquals(1, h.extractOutputValues().size(), "a message of 0 rows writes nothing");
            List<String> reasons = new ArrayList<>();
            h.getSideOutput(ParseArrayMessages.REJECTED).forEach(r -> reasons.add(r.getValue().reason));
            assertEquals(3, reasons.size(), reasons.toString());
            assertTrue(reasons.get(0).contains("/other, which this job does not write"), reasons.get(0));
            assertTrue(reasons.get(1).contains("hdf5.offset given for /data"), reasons.get(1));
            assertTrue(reasons.get(2).contains("takes rows of int16 [3]"), reasons.get(2));
        }
    }

    @Test
    void theRowTypeOfAFirstMessageSurvivesARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(new ParseArrayMessages("/data"))) {
            h.open();
            h.processElement(new StreamRecord<>(message(null, DataType.FLOAT32, 2, 8)));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(new ParseArrayMessages("/data"))) {
            h.initializeState(snapshot);
            h.open();
            ArrayMessage other = message(null, DataType.FLOAT32, 2, 9);
            BadMessageException e = assertThrows(BadMessageException.class, () -> h.processElement(new StreamRecord<>(other)));
            assertTrue(e.getMessage().contains("takes rows of float32 [8]"), e.getMessage());
        }
    }
}
