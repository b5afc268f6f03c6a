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
  * A dataset whose pipeline has a filter libhdf5 lacks here (zstd, 32015, is not in Debian's
    hdf5plugin; Debian's bitshuffle 0.3.5 plugin, 32008, has LZ4 but not zstd inside) is still
    described; its chunks are read raw through libhdf5 and decoded in Python when every stage
    is one of zstd (python3-zstandard), bitshuffle (the bitshuffle module's transpose, zstandard
    for zstd blocks, the framing read here), deflate, shuffle and fletcher32 (checksum stripped,
    not verified), and "data_decoded_by" says so; otherwise "data_file" is null and
    "data_unavailable" says why. Any other read error fails the script.
  * --chunk-list N also lists the first N allocated chunks (offset, filter_mask, address,
    size), in libhdf5's index order; without it no per-chunk query is made, so files with
    millions of chunks stay cheap to describe. Keep N small: libhdf5 walks its index from the
    start for each listed chunk.
"""
import argparse
import itertools
import json
import math
import os
import sys
import zlib

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
# numpy kinds whose values are written as raw bytes: bool, signed, unsigned, float, complex.
RAW_KINDS = "biufc"
ZSTD_ID = 32015
BITSHUFFLE_ID = 32008
# Filters this script can undo itself when libhdf5 has no plugin for one of a pipeline's stages.
PYTHON_DECODABLE = {1: "deflate", 2: "shuffle", 3: "fletcher32", ZSTD_ID: "zstd", BITSHUFFLE_ID: "bitshuffle"}


def bitshuffle_zstd_in_libhdf5():
    """Whether libhdf5's bitshuffle plugin here has zstd inside: writes one chunk in memory and
    looks for the compressed framing (0.3.5 stores such chunks bit-shuffled, uncompressed)."""
    if not h5py.h5z.filter_avail(BITSHUFFLE_ID):
        return False
    try:
        with h5py.File("probe.h5", "w", driver="core", backing_store=False) as f:
            dset = f.create_dataset("p", data=np.zeros(64, dtype="<i4"), chunks=(64,),
                                    compression=BITSHUFFLE_ID, compression_opts=(0, 3, 1))
            chunk = dset.id.read_direct_chunk((0,))[1]
            return chunk[:8] == (256).to_bytes(8, "big") and len(chunk) < 256
    except (OSError, ValueError):
        return False


BITSHUFFLE_ZSTD = bitshuffle_zstd_in_libhdf5()


def unavailable(flt):
    """Whether libhdf5 here cannot apply a pipeline stage."""
    if flt["id"] == BITSHUFFLE_ID and len(flt["cd"]) > 4 and flt["cd"][4] == 3:
        return not BITSHUFFLE_ZSTD
    return not h5py.h5z.filter_avail(flt["id"])


def bitunshuffle_chunk(raw, cd):
    """Undoes bitshuffle (filter 32008): the 12-byte big-endian header (decoded size, block size in
    bytes) and per block a big-endian size and a zstd frame, or bare transposed blocks without
    compression; the last (elements mod 8) elements stored as they are."""
    import bitshuffle
    import struct
    import zstandard
    size = cd[2]
    compression = cd[4] if len(cd) > 4 else 0
    if compression not in (0, 3):
        raise ValueError("bitshuffle compression %d is left to libhdf5" % compression)
    element = np.dtype("<u%d" % size)
    default = max(8192 // size // 8 * 8, 128)
    if compression == 0:
        nbytes, block, pos = len(raw), (cd[3] if len(cd) > 3 else 0) or default, 0
    else:
        nbytes, block_bytes = struct.unpack(">QI", raw[:12])
        block, pos = block_bytes // size or default, 12
    n = nbytes // size
    out = bytearray()
    for count in [block] * (n // block) + ([n % block // 8 * 8] if n % block >= 8 else []):
        if compression == 0:
            stream, pos = raw[pos:pos + count * size], pos + count * size
        else:
            stored = struct.unpack(">I", raw[pos:pos + 4])[0]
            stream = zstandard.ZstdDecompressor().decompress(raw[pos + 4:pos + 4 + stored],
                                                             max_output_size=count * size)
            pos += 4 + stored
        out += bitshuffle.bitunshuffle(np.frombuffer(stream, dtype=element), count).tobytes()
    out += raw[pos:pos + n % 8 * size]
    return bytes(out)


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
    if isinstance(value, (complex, np.complexfloating)):
        return [json_value(value.real), json_value(value.imag)]
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


def decode_chunk(raw, filters, filter_mask, itemsize, nbytes):
    """Undoes a chunk's pipeline in reverse order, skipping the stages its filter mask skips."""
    for stage in reversed(range(len(filters))):
        if filter_mask & (1 << stage):
            continue
        code = filters[stage]["id"]
        if code == ZSTD_ID:
            import zstandard
            raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=nbytes)
        elif code == BITSHUFFLE_ID:
            raw = bitunshuffle_chunk(raw, filters[stage]["cd"])
        elif code == 1:
            raw = zlib.decompress(raw)
        elif code == 2:
            raw = np.frombuffer(raw, np.uint8).reshape(itemsize, -1).T.tobytes()
        elif code == 3:
            raw = raw[:-4]
    return raw


def read_in_python(dset, filters):
    """The dataset's values, from raw chunks decoded here; unallocated chunks hold the fill value.

    Walks the chunk grid with get_chunk_info_by_coord (an index lookup), as get_chunk_info(i)
    walks the index from its start on every call.
    """
    data = np.full(dset.shape, dset.fillvalue, dtype=dset.dtype)
    chunk_nbytes = int(np.prod(dset.chunks)) * dset.dtype.itemsize
    grid = [range(0, extent, chunk) for extent, chunk in zip(dset.shape, dset.chunks)]
    for offset in itertools.product(*grid):
        if dset.id.get_chunk_info_by_coord(offset).byte_offset is None:
            continue
        filter_mask, raw = dset.id.read_direct_chunk(offset)
        decoded = decode_chunk(raw, filters, filter_mask, dset.dtype.itemsize, chunk_nbytes)
        chunk = np.frombuffer(decoded, dtype=dset.dtype).reshape(dset.chunks)
        target = tuple(slice(o, min(o + c, s)) for o, c, s in zip(offset, dset.chunks, dset.shape))
        data[target] = chunk[tuple(slice(0, t.stop - t.start) for t in target)]
    return data


# Datasets larger than this (e.g. a sparse 10^12-element matrix) are described without their data.
MAX_DATA_BYTES = 1 << 30


def write_data(dset, filters, path):
    """Writes the whole dataset as little-endian C-order bytes.

    Returns the JSON fields that say how ("data_file", and "data_decoded_by" or
    "data_unavailable").
    """
    name = os.path.basename(path)
    if dset.dtype.kind not in RAW_KINDS or dset.shape is None:
        return {"data_file": None, "data_unavailable": "raw data is written for numeric datasets only"}
    logical = int(np.prod(dset.shape, dtype=np.float64)) * dset.dtype.itemsize
    if logical > MAX_DATA_BYTES:
        return {"data_file": None, "data_unavailable": "%d logical bytes exceed the %d read for comparison"
                % (logical, MAX_DATA_BYTES)}
    missing = sorted({f["id"] for f in filters if unavailable(f)})
    fields = {"data_file": name}
    if not missing:
        values = dset[()]
    elif all(f["id"] in PYTHON_DECODABLE for f in filters):
        values = read_in_python(dset, filters)
        fields["data_decoded_by"] = ("h5describe.py: libhdf5 lacks filter(s) %s, so raw chunks were "
                                     "decoded in Python" % missing)
    else:
        return {"data_file": None, "data_unavailable": "libhdf5 here lacks filter(s) %s" % missing}
    np.ascontiguousarray(values, dtype=dset.dtype.newbyteorder("<")).tofile(path)
    return fields


def describe_dataset(dset, index, outdir, chunk_limit):
    dcpl = dset.id.get_create_plist()
    layout = dcpl.get_layout()
    filters = []
    for i in range(dcpl.get_nfilters()):
        code, flags, cd_values, name = dcpl.get_filter(i)
        filters.append({"id": code, "flags": flags, "name": name.decode("utf-8", "replace"),
                        "cd": list(cd_values)})
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
    }
    description.update(write_data(dset, filters, os.path.join(outdir, "%d.bin" % index)))
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
