#!/usr/bin/python3
"""Describe an HDF5 file as libhdf5 (through h5py) sees it, as one JSON document on stdout.

Usage: h5describe.py FILE OUTDIR [--chunk-list N]

The document holds the superblock version, every group (by absolute path) with its
attributes, and every dataset with its datatype, shape, maximum shape, layout, chunk shape,
filter pipeline, fill value and fill/allocation times, allocated chunk count, stored bytes
and attributes. Each dataset's full contents go to OUTDIR/<index>.bin as raw little-endian
C-order bytes; the JSON names that file relative to OUTDIR.

Encoding rules, shared with the Java side (io.hdf5flink.hdf5.testing.ReferenceLibrary):
  * dtype: numpy's dtype.str ("<i2", "|u1", ">f8"); strings are
    "string(fixed,SIZE,CHARSET,PADDING)" or "string(variable,CHARSET)".
  * maxshape: null for an unlimited dimension.
  * floats that JSON cannot hold are the strings "nan", "inf" and "-inf".
  * --chunk-list N also lists the first N allocated chunks (offset, filter_mask, address,
    size), in libhdf5's index order; without it no per-chunk query is made, so files with
    millions of chunks stay cheap to describe.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import h5py

try:
    import hdf5plugin  # noqa: F401  registers the LZF, LZ4, bzip2... filter plugins
except ImportError:
    sys.exit("h5describe.py: hdf5plugin is missing, so plugin filters cannot be decoded; "
             "install it: apt-get install -y python3-hdf5plugin")

LAYOUTS = {h5py.h5d.COMPACT: "compact", h5py.h5d.CONTIGUOUS: "contiguous",
           h5py.h5d.CHUNKED: "chunked", h5py.h5d.VIRTUAL: "virtual"}
FILL_DEFINED = {h5py.h5d.FILL_VALUE_UNDEFINED: "undefined", h5py.h5d.FILL_VALUE_DEFAULT: "default",
                h5py.h5d.FILL_VALUE_USER_DEFINED: "user"}
FILL_TIMES = {h5py.h5d.FILL_TIME_ALLOC: "alloc", h5py.h5d.FILL_TIME_NEVER: "never",
              h5py.h5d.FILL_TIME_IFSET: "ifset"}
ALLOC_TIMES = {h5py.h5d.ALLOC_TIME_EARLY: "early", h5py.h5d.ALLOC_TIME_LATE: "late",
               h5py.h5d.ALLOC_TIME_INCR: "incremental"}
CHARSETS = {h5py.h5t.CSET_ASCII: "ascii", h5py.h5t.CSET_UTF8: "utf-8"}
PADDINGS = {h5py.h5t.STR_NULLTERM: "nullterm", h5py.h5t.STR_NULLPAD: "nullpad",
            h5py.h5t.STR_SPACEPAD: "spacepad"}
# numpy kinds whose values are written as raw bytes: bool, signed, unsigned, float.
RAW_KINDS = "biuf"


def json_value(value):
    """Turns numpy scalars, arrays, bytes and non-finite floats into plain JSON values."""
    if isinstance(value, np.ndarray):
        return [json_value(v) for v in value]
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="backslashreplace")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(value, str):
        return value
    return repr(value)


def type_name(type_id, dtype):
    """The dtype string for an HDF5 datatype; strings get their HDF5 properties spelled out."""
    if isinstance(type_id, h5py.h5t.TypeStringID):
        charset = CHARSETS.get(type_id.get_cset(), str(type_id.get_cset()))
        if type_id.is_variable_str():
            return "string(variable,%s)" % charset
        padding = PADDINGS.get(type_id.get_strpad(), str(type_id.get_strpad()))
        return "string(fixed,%d,%s,%s)" % (type_id.get_size(), charset, padding)
    return dtype.str


def describe_attributes(obj):
    result = {}
    for name in sorted(obj.attrs.keys()):
        attr_id = h5py.h5a.open(obj.id, name.encode("utf-8"))
        value = obj.attrs[name]
        empty = isinstance(value, h5py.Empty)
        result[name] = {
            "dtype": type_name(attr_id.get_type(), attr_id.dtype),
            "shape": None if empty else list(attr_id.shape),
            "value": None if empty else json_value(value),
        }
    return result


def list_chunks(dset, limit):
    chunks = []
    for index in range(min(limit, dset.id.get_num_chunks())):
        info = dset.id.get_chunk_info(index)
        chunks.append({"offset": list(info.chunk_offset), "filter_mask": info.filter_mask,
                       "address": info.byte_offset, "size": info.size})
    return chunks


def write_data(dset, path):
    """Writes the whole dataset as little-endian C-order bytes; False when it is not numeric."""
    if dset.dtype.kind not in RAW_KINDS or dset.shape is None:
        return False
    data = np.ascontiguousarray(dset[()], dtype=dset.dtype.newbyteorder("<"))
    data.tofile(path)
    return True


def describe_dataset(dset, index, outdir, chunk_limit):
    dcpl = dset.id.get_create_plist()
    layout = dcpl.get_layout()
    filters = []
    for i in range(dcpl.get_nfilters()):
        code, flags, cd_values, name = dcpl.get_filter(i)
        filters.append({"id": code, "flags": flags, "name": name.decode("utf-8", "replace"),
                        "cd": list(cd_values)})
    data_file = "%d.bin" % index
    written = write_data(dset, os.path.join(outdir, data_file))
    description = {
        "dtype": type_name(dset.id.get_type(), dset.dtype),
        "shape": None if dset.shape is None else list(dset.shape),
        "maxshape": None if dset.maxshape is None else list(dset.maxshape),
        "chunks": None if dset.chunks is None else list(dset.chunks),
        "layout": LAYOUTS.get(layout, str(layout)),
        "filters": filters,
        "fill_value": json_value(dset.fillvalue),
        "fill_value_defined": FILL_DEFINED.get(dcpl.fill_value_defined()),
        "fill_time": FILL_TIMES.get(dcpl.get_fill_time()),
        "alloc_time": ALLOC_TIMES.get(dcpl.get_alloc_time()),
        "allocated_chunks": dset.id.get_num_chunks() if layout == h5py.h5d.CHUNKED else None,
        "stored_bytes": dset.id.get_storage_size(),
        "attributes": describe_attributes(dset),
        "data_file": data_file if written else None,
    }
    if chunk_limit and layout == h5py.h5d.CHUNKED:
        description["chunk_list"] = list_chunks(dset, chunk_limit)
    return description


def describe(path, outdir, chunk_limit):
    groups, datasets = {}, {}
    with h5py.File(path, "r") as f:
        objects = {"/": f}

        def visit(name, obj):
            objects["/" + name] = obj

        f.visititems(visit)
        for obj_path in sorted(objects):
            obj = objects[obj_path]
            if isinstance(obj, h5py.Group):
                groups[obj_path] = {"attributes": describe_attributes(obj)}
            elif isinstance(obj, h5py.Dataset):
                datasets[obj_path] = describe_dataset(obj, len(datasets), outdir, chunk_limit)
        superblock = f.id.get_create_plist().get_version()[0]
    return {"libhdf5_version": h5py.version.hdf5_version, "superblock_version": superblock,
            "groups": groups, "datasets": datasets}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file")
    parser.add_argument("outdir")
    parser.add_argument("--chunk-list", type=int, default=0, metavar="N",
                        help="also list the first N allocated chunks of every chunked dataset")
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    document = describe(args.file, args.outdir, args.chunk_list)
    json.dump(document, sys.stdout, indent=1, sort_keys=True, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
