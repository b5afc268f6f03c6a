#!/usr/bin/python3
"""Create an HDF5 file with h5py's defaults, for tests that then append to it with our engine.

Usage: h5py_fixture.py FILE [SPEC_JSON]

SPEC_JSON (default: DEFAULT_SPEC below) is
  {"libver": "earliest" | "latest",                       (default "earliest", as h5py)
   "groups": {PATH: {"attributes": {NAME: VALUE}}},
   "datasets": {PATH: {"dtype": "<i2", "shape": [..], "maxshape": [null, ..],
                       "chunks": [..] | null,
                       "compression": "gzip" | "lzf" | "lz4" | "bzip2" | "bitshuffle" | "blosc",
                       "compression_opts": 4, "shuffle": false, "fletcher32": false,
                       "fillvalue": 0 | "nan" | "inf" | "-inf",
                       "data": "pattern" | "none",           (default "pattern")
                       "attributes": {NAME: VALUE}}}}
compression_opts of bitshuffle: the block size in elements (default 0, the plugin's); of blosc:
[COMPRESSOR, LEVEL, SHUFFLE] as hdf5plugin.Blosc takes them (default ["lz4", 5, 1]).
An attribute VALUE is a JSON string (stored as h5py stores a str: variable-length UTF-8), a
number or list (int64 / float64), or {"dtype": NUMPY_DTYPE, "value": ...} for another type
("S5" gives a fixed-length ASCII string). "pattern" data is h5pattern.shaped over the shape.
"""
import json
import sys

import numpy as np
import h5py
import hdf5plugin

import h5pattern

DEFAULT_SPEC = {
    "libver": "earliest",
    "groups": {
        "/": {"attributes": {"title": "h5py fixture"}},
        "/sensors": {"attributes": {"count": 3}},
        "/sensors/raw": {"attributes": {}},
    },
    "datasets": {
        "/sensors/raw/i2_gzip": {"dtype": "<i2", "shape": [100, 8], "maxshape": [None, 8],
                                 "chunks": [16, 8], "compression": "gzip",
                                 "compression_opts": 4, "shuffle": True,
                                 "attributes": {"unit": "mV"}},
        "/sensors/raw/f8_fletcher": {"dtype": "<f8", "shape": [50], "maxshape": [None],
                                     "chunks": [20], "fletcher32": True},
        "/sensors/u1_lzf": {"dtype": "|u1", "shape": [64, 4], "maxshape": [None, 4],
                            "chunks": [16, 4], "compression": "lzf"},
        "/sensors/u4_lz4": {"dtype": "<u4", "shape": [40, 2, 3], "maxshape": [None, 2, 3],
                            "chunks": [8, 2, 3], "compression": "lz4"},
        "/i4_bzip2": {"dtype": "<i4", "shape": [33], "maxshape": [None], "chunks": [10],
                      "compression": "bzip2"},
        "/f4_nan_fill": {"dtype": "<f4", "shape": [30, 3], "maxshape": [None, 3],
                         "chunks": [8, 3], "fillvalue": "nan"},
        "/i8_empty": {"dtype": "<i8", "shape": [0, 16], "maxshape": [None, 16],
                      "chunks": [32, 16], "data": "none"},
    },
}

NON_FINITE = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def attribute_value(value):
    if isinstance(value, dict):
        return np.asarray(value["value"], dtype=value["dtype"])
    if isinstance(value, list):
        return np.asarray(value)
    return value


def set_attributes(obj, attributes):
    for name, value in attributes.items():
        obj.attrs[name] = attribute_value(value)


def compression_args(spec):
    compression = spec.get("compression")
    opts = spec.get("compression_opts")
    if compression in (None, "none"):
        return {}
    if compression == "gzip":
        return {"compression": "gzip", "compression_opts": 4 if opts is None else opts}
    if compression == "lzf":
        return {"compression": "lzf"}
    if compression == "lz4":
        return dict(hdf5plugin.LZ4())
    if compression == "bzip2":
        return dict(hdf5plugin.BZip2(blocksize=9 if opts is None else opts))
    if compression == "bitshuffle":
        return dict(hdf5plugin.Bitshuffle(nelems=0 if opts is None else opts))
    if compression == "blosc":
        cname, clevel, shuffle = ["lz4", 5, 1] if opts is None else opts
        return dict(hdf5plugin.Blosc(cname=cname, clevel=clevel, shuffle=shuffle))
    raise ValueError("unknown compression %r" % compression)


def create_dataset(f, path, spec):
    fill = spec.get("fillvalue")
    if fill is not None:
        # In the dataset's dtype: libhdf5 converts no Python int to bool's enum or complex's compound.
        fill = np.asarray(NON_FINITE.get(fill, fill)).astype(spec["dtype"])
    dset = f.create_dataset(
        path, shape=tuple(spec["shape"]), dtype=spec["dtype"],
        maxshape=None if spec.get("maxshape") is None else tuple(spec["maxshape"]),
        chunks=None if spec.get("chunks") is None else tuple(spec["chunks"]),
        shuffle=spec.get("shuffle", False), fletcher32=spec.get("fletcher32", False),
        fillvalue=fill, **compression_args(spec))
    if spec.get("data", "pattern") == "pattern" and dset.size:
        dset[...] = h5pattern.shaped(dset.dtype, dset.shape)
    set_attributes(dset, spec.get("attributes", {}))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    spec = json.loads(sys.argv[2]) if len(sys.argv) == 3 else DEFAULT_SPEC
    with h5py.File(sys.argv[1], "w", libver=spec.get("libver", "earliest")) as f:
        for path, group in spec.get("groups", {}).items():
            set_attributes(f.require_group(path), group.get("attributes", {}))
        for path, dataset in spec.get("datasets", {}).items():
            create_dataset(f, path, dataset)


if __name__ == "__main__":
    main()
