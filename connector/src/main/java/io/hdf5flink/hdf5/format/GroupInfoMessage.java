package io.hdf5flink.hdf5.format;

/**
 * The group info message, type 0x000A (specification IV.A.2.k), version 0 with no stored
 * values: libhdf5's defaults for when a group changes between compact and dense link storage.
 * Every group stored with link messages has one.
 */
public record GroupInfoMessage() implements HeaderMessage {
    public static final int TYPE = 0x000A;

    @Override
    public int type() { return TYPE; }

    @Override
    public byte[] encodeBody() {
        return new byte[] {0, 0};
    }
}
