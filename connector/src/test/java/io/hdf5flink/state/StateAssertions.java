package io.hdf5flink.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hdf5flink.hdf5.AttributeValue;
import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.record.ArrayBlock;
import io.hdf5flink.sink.Hdf5Committable;
import io.hdf5flink.sink.writer.Hdf5WriterState;
import io.hdf5flink.source.split.ArraySplit;
import io.hdf5flink.source.split.PendingSplits;
import java.util.List;

/** Field-by-field comparisons of checkpointed values (most of them have no equals). */
public final class StateAssertions {
    private StateAssertions() {}

    public static void assertSpec(DatasetSpec e, DatasetSpec a, String where) {
        assertEquals(e.type(), a.type(), where + " type");
        assertArrayEquals(e.shape(), a.shape(), where + " shape");
        assertArrayEquals(e.maxShape(), a.maxShape(), where + " maxShape");
        assertArrayEquals(e.chunks(), a.chunks(), where + " chunks");
        assertEquals(e.filters(), a.filters(), where + " filters");
        assertArrayEquals(e.fillValue(), a.fillValue(), where + " fill value");
        assertEquals(List.copyOf(e.attributes().keySet()), List.copyOf(a.attributes().keySet()), where + " attribute names");
        assertEquals(e.commitTokenCapacity(), a.commitTokenCapacity(), where + " commit token capacity");
        for (String name : e.attributes().keySet()) {
            AttributeValue x = e.attributes().get(name);
            AttributeValue y = a.attributes().get(name);
            assertArrayEquals(x.storedDatatype(), y.storedDatatype(), where + " attribute " + name + " datatype");
            assertArrayEquals(x.storedDataspace(), y.storedDataspace(), where + " attribute " + name + " dataspace");
            assertArrayEquals(x.storedData(), y.storedData(), where + " attribute " + name + " data");
        }
    }

    public static void assertWriterState(Hdf5WriterState expected, Hdf5WriterState actual) {
        assertEquals(expected.bucket(), actual.bucket());
        assertEquals(expected.writerId(), actual.writerId());
        assertEquals(expected.carriesWriter(), actual.carriesWriter());
        assertEquals(expected.nextEpoch(), actual.nextEpoch());
        assertEquals(expected.adoptedWriterIds(), actual.adoptedWriterIds());
        assertEquals(expected.datasets().size(), actual.datasets().size());
        for (int i = 0; i < expected.datasets().size(); i++) {
            Hdf5WriterState.DatasetState e = expected.datasets().get(i);
            Hdf5WriterState.DatasetState a = actual.datasets().get(i);
            assertEquals(e.file(), a.file());
            assertEquals(e.dataset(), a.dataset());
            assertSpec(e.spec(), a.spec(), e.dataset());
            assertEquals(e.append(), a.append());
            assertEquals(e.cursor(), a.cursor());
            assertArrayEquals(e.extent(), a.extent());
            assertArrayEquals(e.publishedShape(), a.publishedShape());
            assertArrayEquals(e.storedShape(), a.storedShape());
            assertEquals(e.openChunks().size(), a.openChunks().size());
            for (int j = 0; j < e.openChunks().size(); j++) {
                Hdf5WriterState.ChunkState x = e.openChunks().get(j);
                Hdf5WriterState.ChunkState y = a.openChunks().get(j);
                assertArrayEquals(x.origin(), y.origin());
                assertEquals(x.needed(), y.needed());
                assertEquals(x.covered(), y.covered());
                assertArrayEquals(x.raw(), y.raw());
                assertEquals(x.spilled(), y.spilled());
            }
        }
    }

    public static void assertCommittable(Hdf5Committable expected, Hdf5Committable actual) {
        assertEquals(expected.writerId(), actual.writerId());
        assertEquals(expected.epoch(), actual.epoch());
        assertEquals(expected.adoptedWriterIds(), actual.adoptedWriterIds());
        assertEquals(expected.stagingFile(), actual.stagingFile());
        assertEquals(expected.chunksInPlace(), actual.chunksInPlace());
        assertEquals(expected.liveSpillFiles(), actual.liveSpillFiles());
        assertEquals(expected.parts().size(), actual.parts().size());
        for (int i = 0; i < expected.parts().size(); i++) {
            Hdf5Committable.DatasetPart e = expected.parts().get(i);
            Hdf5Committable.DatasetPart a = actual.parts().get(i);
            assertEquals(e.file(), a.file());
            assertEquals(e.dataset(), a.dataset());
            assertSpec(e.spec(), a.spec(), e.dataset());
            assertArrayEquals(e.visibleShape(), a.visibleShape());
            assertEquals(e.chunks().size(), a.chunks().size());
            for (int j = 0; j < e.chunks().size(); j++) {
                Hdf5Committable.ChunkRef x = e.chunks().get(j);
                Hdf5Committable.ChunkRef y = a.chunks().get(j);
                assertArrayEquals(x.origin(), y.origin());
                assertEquals(x.position(), y.position());
                assertEquals(x.length(), y.length());
                assertEquals(x.filterMask(), y.filterMask());
            }
        }
    }

    public static void assertSplit(ArraySplit e, ArraySplit a) {
        assertEquals(e.splitId(), a.splitId());
        assertEquals(e.input(), a.input(), "input (location, mapped, data offset, type, byte order)");
        assertEquals(e.dataset(), a.dataset());
        assertArrayEquals(e.offset(), a.offset());
        assertArrayEquals(e.rowShape(), a.rowShape());
        assertEquals(e.nextRow(), a.nextRow());
        assertEquals(e.endRow(), a.endRow());
    }

    public static void assertPendingSplits(PendingSplits e, PendingSplits a) {
        assertEquals(e.splits().size(), a.splits().size());
        for (int i = 0; i < e.splits().size(); i++) assertSplit(e.splits().get(i), a.splits().get(i));
    }

    public static void assertBlock(ArrayBlock e, ArrayBlock a) {
        assertEquals(e.file(), a.file());
        assertEquals(e.dataset(), a.dataset());
        assertEquals(e.type(), a.type());
        assertArrayEquals(e.shape(), a.shape());
        assertArrayEquals(e.offset(), a.offset());
        assertArrayEquals(e.data(), a.data());
    }
}
