package io.hdf5flink.hdf5.filter;

/**
 * A byte buffer per thread that only grows: filters run on a pool of threads, chunk after chunk,
 * and a chunk-sized array allocated per chunk is garbage the collector must reclaim (a humongous
 * object for G1 once chunks reach half a region). Whatever a caller keeps must be copied out
 * before the thread's next use.
 */
final class ThreadScratch {
    private final ThreadLocal<byte[]> buffer = ThreadLocal.withInitial(() -> new byte[0]);

    /** This thread's buffer, at least {@code size} bytes long. */
    byte[] atLeast(int size) {
        byte[] b = buffer.get();
        if (b.length < size) {
            b = new byte[size];
            buffer.set(b);
        }
        return b;
    }
}
