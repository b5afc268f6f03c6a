"""The harness's standard test pattern, shared with the Java side (DatasetData.pattern).

Element k (flat C-order index) of an integer dtype holds the low bytes of
h = k * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019 (mod 2**64); of bool, the top bit of h; of a
float dtype, the double k * 1.1 - 3.3 rounded to the dtype; of a complex dtype, that real part
and the imaginary part 2.5 - k * 0.7, each rounded to the dtype's parts. Any byte order: values,
not bytes, are what match.
"""
import numpy as np

MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
INCREMENT = np.uint64(0x632BE59BD9B4E019)


def pattern(dtype, start, count):
    """Elements start .. start+count-1 of the pattern, as a 1-D array of dtype."""
    dtype = np.dtype(dtype)
    k = np.arange(start, start + count, dtype=np.float64)
    if dtype.kind == "f":
        return (k * 1.1 - 3.3).astype(dtype)
    if dtype.kind == "c":
        values = np.empty(count, dtype=dtype)
        values.real = k * 1.1 - 3.3
        values.imag = 2.5 - k * 0.7
        return values
    if dtype.kind not in "iub":
        raise ValueError("no pattern for dtype %s" % dtype)
    bits = np.arange(start, start + count, dtype=np.uint64) * MULTIPLIER + INCREMENT
    if dtype.kind == "b":
        return (bits >> np.uint64(63)).astype(bool)
    size = dtype.itemsize
    low = (bits & np.uint64((1 << (8 * size)) - 1)).astype("<u%d" % size)
    return low.view("<%s%d" % (dtype.kind, size)).astype(dtype)


def shaped(dtype, shape, start=0):
    """The pattern laid out in C order over shape, beginning at flat index start."""
    count = int(np.prod(shape, dtype=np.int64))
    return pattern(dtype, start, count).reshape(shape)
