package io.hdf5flink.hdf5;

import io.hdf5flink.hdf5.format.DatatypeMessage;

/**
 * Translates between the engine's {@link DataType} and the datatype message that stores it. The
 * format package describes numbers by size, signedness and class only, so that it depends on
 * nothing above it; this is the one place that knows which message each {@link DataType} is.
 */
final class DataTypeMessages {
    private DataTypeMessages() {}

    /** The little-endian datatype message that stores elements of {@code type}. */
    static DatatypeMessage of(DataType type) {
        return type.isFloatingPoint() ? DatatypeMessage.floatingPoint(type.size())
                : DatatypeMessage.fixedPoint(type.size(), type.isSigned());
    }

    /**
     * The element type a stored datatype holds, or an exception naming what it is.
     *
     * @param where the dataset or attribute the type belongs to, for the message
     */
    static DataType typeOf(DatatypeMessage message, String where) {
        message.requirePlainNumber(where);
        return DataType.of(message.size(), message.isSigned(), message.isFloatingPoint());
    }
}
