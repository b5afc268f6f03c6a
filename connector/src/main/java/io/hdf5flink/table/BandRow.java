package io.hdf5flink.table;

import io.hdf5flink.hdf5.DataType;
import java.nio.ByteBuffer;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RawValueData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.types.variant.Variant;

/**
 * One row of a band {@link BandReader} read: a view onto the band's bytes, so a row costs one
 * small object, and a value is converted only when asked for (a row of 64 columns as a
 * {@code GenericRowData} would box 64 values and fill an array first). The band's arrays are
 * never written again, so a row stays valid as long as anyone holds it. Columns hold no NULL.
 */
@Internal
final class BandRow implements RowData {
    /** Where output field {@code pos} comes from, for every row of every band. */
    record Field(boolean rowIndex, int window, int rowBytes, int offset, DataType stored,
            org.apache.flink.table.types.logical.LogicalTypeRoot element, boolean array, int width) {}

    /** One band: its first row's index and, per dataset window, its bytes (little-endian). */
    record Band(long first, Field[] fields, ByteBuffer[] windows) {}

    private final Band band;
    private final int row;
    private RowKind kind = RowKind.INSERT;

    BandRow(Band band, int row) {
        this.band = band;
        this.row = row;
    }

    private int at(Field f) {
        return row * f.rowBytes() + f.offset();
    }

    private long integer(int pos) {
        Field f = band.fields()[pos];
        return f.rowIndex() ? band.first() + row : StoredValues.integer(band.windows()[f.window()], at(f), f.stored());
    }

    private double real(int pos) {
        Field f = band.fields()[pos];
        return StoredValues.real(band.windows()[f.window()], at(f), f.stored());
    }

    @Override
    public int getArity() {
        return band.fields().length;
    }

    @Override
    public RowKind getRowKind() {
        return kind;
    }

    @Override
    public void setRowKind(RowKind kind) {
        this.kind = kind;
    }

    @Override
    public boolean isNullAt(int pos) {
        return false;
    }

    @Override
    public boolean getBoolean(int pos) {
        Field f = band.fields()[pos];
        return band.windows()[f.window()].get(at(f)) != 0;
    }

    @Override
    public byte getByte(int pos) {
        return (byte) integer(pos);
    }

    @Override
    public short getShort(int pos) {
        Field f = band.fields()[pos];
        // int16 read as SMALLINT, the common case, without the conversion's switch.
        return f.stored() == DataType.INT16 ? band.windows()[f.window()].getShort(at(f)) : (short) integer(pos);
    }

    @Override
    public int getInt(int pos) {
        return (int) integer(pos);
    }

    @Override
    public long getLong(int pos) {
        return integer(pos);
    }

    @Override
    public float getFloat(int pos) {
        return (float) real(pos);
    }

    @Override
    public double getDouble(int pos) {
        return real(pos);
    }

    @Override
    public ArrayData getArray(int pos) {
        Field f = band.fields()[pos];
        return StoredValues.array(band.windows()[f.window()], at(f), f.width(), f.stored(), f.element());
    }

    @Override
    public StringData getString(int pos) {
        throw unsupported("STRING");
    }

    @Override
    public DecimalData getDecimal(int pos, int precision, int scale) {
        throw unsupported("DECIMAL");
    }

    @Override
    public TimestampData getTimestamp(int pos, int precision) {
        throw unsupported("TIMESTAMP");
    }

    @Override
    public <T> RawValueData<T> getRawValue(int pos) {
        throw unsupported("RAW");
    }

    @Override
    public byte[] getBinary(int pos) {
        throw unsupported("BINARY");
    }

    @Override
    public MapData getMap(int pos) {
        throw unsupported("MAP");
    }

    @Override
    public RowData getRow(int pos, int numFields) {
        throw unsupported("ROW");
    }

    @Override
    public Variant getVariant(int pos) {
        throw unsupported("VARIANT");
    }

    private static UnsupportedOperationException unsupported(String type) {
        return new UnsupportedOperationException("an hdf5 table has no " + type + " column");
    }
}
