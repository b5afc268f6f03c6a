package io.hdf5flink.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hdf5flink.hdf5.DatasetSpec;
import io.hdf5flink.state.DatasetSpecCodec;
import io.hdf5flink.state.StateWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Checks shared by the sink's serializer tests: spec equality, refusals, allocation bounds, fuzzing. */
final class SerializerChecks {
    /** Corrupt input may cost a few buffers, never memory in proportion to a count it claims. */
    static final long ALLOCATION_LIMIT = 32L << 20;

    private SerializerChecks() {}

    /**
     * Stored dataset specs (of version 0, as writer state version 2 and committable version 1 embed them) that are corrupt in ways the codec's own bounds do not catch: a filter
     * id outside 16 bits, a chunk dimension of 0, an attribute whose datatype bytes are garbage.
     */
    static Map<String, byte[]> corruptSpecs() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("filter id -2", rawSpec(-2, 16, false));
        out.put("chunk dimension 0", rawSpec(1, 0, false));
        out.put("garbage attribute datatype and dataspace", rawSpec(1, 16, true));
        return out;
    }

    private static byte[] rawSpec(int filterId, long chunk0, boolean garbageAttribute) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeByte(1); // INT16 in version 0's frozen type order (DataTypeOrdinals), not today's enum
        for (long[] v : new long[][] {{0, 3}, {DatasetSpec.UNLIMITED, 3}, {chunk0, 3}}) {
            out.writeByte(v.length);
            for (long x : v) out.writeLong(x);
        }
        out.writeByte(1);
        out.writeInt(filterId);
        out.writeUTF("deflate");
        out.writeShort(0);
        out.writeByte(1);
        out.writeInt(4);
        out.writeInt(2); // fill value
        out.write(new byte[2]);
        out.writeShort(garbageAttribute ? 1 : 0);
        if (garbageAttribute) {
            out.writeUTF("unit");
            byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 0, 0, 0};
            out.writeInt(garbage.length);
            out.write(garbage);
            out.writeInt(garbage.length);
            out.write(garbage);
            out.writeInt(1);
            out.write(1);
        }
        out.writeShort(0); // commit token capacity
        return out.getCopyOfBuffer();
    }

    interface Action {
        void run() throws Exception;
    }

    /** Bytes the current thread allocated while running {@code action}. */
    static long allocatedBytes(Action action) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        action.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    /** The serializer reads only the versions {@code readable} and refuses the others nearby, naming them. */
    static <T> void assertRefusesOtherVersions(SimpleVersionedSerializer<T> serializer, byte[] bytes, int... readable)
            throws Exception {
        var known = java.util.Arrays.stream(readable).boxed().toList();
        for (int v : java.util.stream.IntStream.of(0, serializer.getVersion() + 1, -1, Integer.MAX_VALUE,
                java.util.Arrays.stream(readable).min().orElse(1) - 1)
                .distinct().filter(v -> !known.contains(v)).toArray()) {
            assertTrue(assertRefused(serializer, v, bytes).contains("version " + v));
        }
    }

    /** Asserts deserializing {@code bytes} fails with an IOException, cheaply, and returns its message. */
    static <T> String assertRefused(SimpleVersionedSerializer<T> serializer, int version, byte[] bytes) throws Exception {
        String[] message = new String[1];
        long allocated = allocatedBytes(() -> {
            try {
                T value = serializer.deserialize(version, bytes);
                fail("corrupt input was accepted: " + value);
            } catch (IOException e) {
                message[0] = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (Throwable t) {
                throw new AssertionError("corrupt input must be refused with an IOException, got " + t, t);
            }
        });
        assertTrue(allocated < ALLOCATION_LIMIT, "refusing " + bytes.length + " bytes of corrupt input allocated "
                + (allocated >> 20) + " MiB (" + message[0] + ")");
        return message[0];
    }

    /**
     * Deserializes every truncation of {@code valid}, and {@code rounds} random mutations of it;
     * returns a description of each outcome that is neither a value nor an IOException (errors,
     * runtime exceptions), or that allocated more than {@link #ALLOCATION_LIMIT}.
     */
    static <T> List<String> misbehaviours(SimpleVersionedSerializer<T> serializer, byte[] valid, long seed, int rounds)
            throws Exception {
        Map<String, String> found = new LinkedHashMap<>();
        for (int n = 0; n < valid.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(valid, n);
            check(serializer, cut, "truncated to " + n, found);
        }
        Random random = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            byte[] bad = valid.clone();
            int edits = 1 + random.nextInt(3);
            StringBuilder what = new StringBuilder("seed " + seed + " round " + i + ":");
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(bad.length);
                byte v = switch (random.nextInt(4)) {
                    case 0 -> (byte) 0xFF;
                    case 1 -> (byte) 0x7F;
                    case 2 -> (byte) 0x80;
                    default -> (byte) random.nextInt(256);
                };
                bad[at] = v;
                what.append(" [").append(at).append("]=").append(v);
            }
            check(serializer, bad, what.toString(), found);
        }
        return new ArrayList<>(found.values());
    }

    private static <T> void check(SimpleVersionedSerializer<T> serializer, byte[] bytes, String what, Map<String, String> found)
            throws Exception {
        Throwable[] outcome = new Throwable[1];
        long allocated = allocatedBytes(() -> {
            try {
                serializer.deserialize(serializer.getVersion(), bytes);
            } catch (IOException e) {
                // refused properly
            } catch (Throwable t) {
                outcome[0] = t;
            }
        });
        if (outcome[0] != null) {
            String kind = outcome[0].getClass().getName();
            found.putIfAbsent(kind, what + " -> " + outcome[0]);
        }
        if (allocated > ALLOCATION_LIMIT) found.putIfAbsent("allocation", what + " -> allocated " + (allocated >> 20) + " MiB");
    }
}
