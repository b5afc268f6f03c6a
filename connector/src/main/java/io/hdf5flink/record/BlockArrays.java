package io.hdf5flink.record;

import io.hdf5flink.hdf5.IdleArrays;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.flink.annotation.Internal;

/**
 * Block arrays lent by a source to the sink in the same JVM, and given back once the sink has
 * copied a block into its chunks. A source reading a large file allocates one array per block
 * (8 MiB by default); zeroing it and faulting its fresh pages in cost about as much as reading
 * the input. A source built to recycle ({@code ArraySource.Builder.recycleBlockArrays}) takes its
 * arrays here instead.
 *
 * <p>Only arrays lent here are taken back: {@link #giveBack} ignores any other array, so the sink
 * can offer every block's array. An array lent and never given back (its block went over the
 * network, or a job failed) is only weakly known and left to the collector. Idle arrays are
 * bounded by {@link #MAX_IDLE_BYTES} (beyond one of each size).
 *
 * <p>Recycling is safe only where a lent block reaches the sink, chained, and nothing else keeps
 * it: once the sink has copied it, its array may be refilled with another block's rows.
 */
@Internal
public final class BlockArrays {
    /** The most bytes kept idle, beyond one array of each size. */
    static final long MAX_IDLE_BYTES = 64L << 20;

    private static final IdleArrays IDLE = new IdleArrays(MAX_IDLE_BYTES);
    /** Arrays out on loan: weakly, so one never given back costs nothing. Arrays compare by identity. */
    private static final Set<byte[]> LENT = Collections.newSetFromMap(new WeakHashMap<>());

    private BlockArrays() {}

    /** An array of {@code length} bytes, on loan; its contents are undefined. */
    public static synchronized byte[] lend(int length) {
        byte[] b = IDLE.take(length);
        if (b == null) b = new byte[length];
        LENT.add(b);
        return b;
    }

    /** The block holding {@code array} is done with; a no-op unless the array is on loan from here. */
    public static synchronized void giveBack(byte[] array) {
        if (LENT.remove(array)) IDLE.put(array);
    }
}
