package io.hdf5flink.hdf5.format;

/**
 * One object header message (HDF5 File Format Specification 3.0, section IV.A.2). Each
 * implementation is named after the message in the specification and knows its type number
 * and how to encode its body; decoding is a static {@code decode(ByteBuffer)} on each class,
 * reading a little-endian buffer whose position is the body's start and limit its end.
 */
public interface HeaderMessage {

    /** The message type number of the specification (e.g. 0x0001 for the dataspace). */
    int type();

    /** The message body as stored, without the 8-byte message header and without padding. */
    byte[] encodeBody();
}
