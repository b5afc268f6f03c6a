"""Reference-library side of FilterInteropTest: libhdf5 (through h5py and hdf5plugin) and the
zstandard module judge chunks the Java filters encode, and encode chunks for the Java filters
to decode. For bitshuffle with zstd inside, which Debian's bitshuffle 0.3.5 plugin lacks, the
judges are the bitshuffle module's transpose and zstandard, with the framing read and written
here (reference/h5describe.py).

Usage: /usr/bin/python3 h5py_filters.py REQUEST.json
The request is {"cases": [...]}; each case has an "op" (see the functions below). Prints one JSON
object {"results": [...]} with one result per case, in order. A case that fails reports
{"ok": false, "error": "..."}; the script itself only fails when it cannot run at all.
"""
import json
import os
import struct
import sys
import traceback

import h5py
import hdf5plugin  # noqa: F401  (registers the LZ4 and bzip2 plugins' path with libhdf5)
import numpy as np
import zstandard

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from h5describe import bitunshuffle_chunk  # noqa: E402


def recorded_filters(dset):
    """The filter pipeline libhdf5 recorded for a dataset: id, flags, client data, name."""
    plist = dset.id.get_create_plist()
    out = []
    for i in range(plist.get_nfilters()):
        fid, flags, cd, name = plist.get_filter(i)
        out.append({"id": int(fid), "flags": int(flags), "cd": [int(v) for v in cd],
                    "name": name.decode("latin-1")})
    return out


def create_dataset(f, case):
    """A one-chunk 1-D dataset with exactly the case's filter pipeline, set with the low-level
    API so that ids, flags and client data are the ones the Java side chose."""
    dtype = np.dtype(case["dtype"])
    n = case["elements"]
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((n,))
    for flt in case["filters"]:
        dcpl.set_filter(flt["id"], flt["flags"], tuple(flt["cd"]))
    space = h5py.h5s.create_simple((n,), (n,))
    tid = h5py.h5t.py_create(dtype)
    dsid = h5py.h5d.create(f.id, b"data", tid, space, dcpl=dcpl)
    return h5py.Dataset(dsid)


def op_read_java_chunk(case):
    """Stores a chunk the Java pipeline encoded with write_direct_chunk, reads it back through
    libhdf5's own filters, and compares with the expected raw bytes."""
    with h5py.File(case["h5"], "w") as f:
        dset = create_dataset(f, case)
        with open(case["chunk_file"], "rb") as cf:
            chunk = cf.read()
        dset.id.write_direct_chunk((0,), chunk, case["filter_mask"])
        recorded = recorded_filters(dset)
    with h5py.File(case["h5"], "r") as f:
        values = f["data"][...]
    expected = np.fromfile(case["expected_file"], dtype=np.dtype(case["dtype"]))
    same = values.tobytes() == expected.tobytes()
    result = {"ok": bool(same), "recorded": recorded}
    if not same:
        diff = np.nonzero(values.view(np.uint8) != expected.view(np.uint8))[0]
        result["error"] = "libhdf5 read different values; first differing byte %d of %d" % (
            int(diff[0]) if len(diff) else -1, expected.nbytes)
    return result


def op_libhdf5_chunk(case):
    """libhdf5 writes the raw values through the pipeline; returns the stored chunk and mask."""
    values = np.fromfile(case["raw_file"], dtype=np.dtype(case["dtype"]))
    with h5py.File(case["h5"], "w") as f:
        dset = create_dataset(f, case)
        dset[...] = values
        f.flush()
        mask, chunk = dset.id.read_direct_chunk((0,))
        recorded = recorded_filters(dset)
    with open(case["out_file"], "wb") as out:
        out.write(chunk)
    return {"ok": True, "filter_mask": int(mask), "recorded": recorded}


def op_h5py_recorded(case):
    """What h5py's high-level API records for the usual ways of asking for a filter."""
    kind = case["kind"]
    kwargs = {}
    if kind == "gzip":
        kwargs = {"compression": "gzip", "compression_opts": case["level"]}
    elif kind == "shuffle":
        kwargs = {"shuffle": True}
    elif kind == "fletcher32":
        kwargs = {"fletcher32": True}
    elif kind == "lzf":
        kwargs = {"compression": "lzf"}
    elif kind == "lz4":
        kwargs = dict(hdf5plugin.LZ4(nbytes=case["block_size"]))
    elif kind == "bzip2":
        kwargs = dict(hdf5plugin.BZip2(blocksize=case["block_size"]))
    elif kind == "bitshuffle":
        kwargs = dict(hdf5plugin.Bitshuffle(nelems=case["block_size"]))
    elif kind == "blosc":
        kwargs = dict(hdf5plugin.Blosc(cname=case["cname"], clevel=case["level"], shuffle=case["shuffle"]))
    elif kind == "zstd":
        # libhdf5 here has no zstd filter, so no dataset can be made; report what hdf5plugin
        # asks h5py for, and the flags h5py passes for any filter given by number.
        opts = dict(hdf5plugin.Zstd(clevel=case["level"]))
        return {"ok": True, "recorded": [{"id": opts["compression"], "flags": int(h5py.h5z.FLAG_OPTIONAL),
                                          "cd": [int(v) for v in opts["compression_opts"]],
                                          "name": None}]}
    else:
        raise ValueError("unknown kind " + kind)
    with h5py.File(case["h5"], "w") as f:
        dset = f.create_dataset("data", shape=(case["elements"],), chunks=(case["elements"],),
                                dtype=case["dtype"], **kwargs)
        return {"ok": True, "recorded": recorded_filters(dset)}


def v1_messages(buf, addr):
    """(type, body) of every message of a version 1 object header, following continuations."""
    version, _, count = struct.unpack_from("<BBH", buf, addr)
    if version != 1:
        raise ValueError("object header at %d is version %d, not 1" % (addr, version))
    size = struct.unpack_from("<I", buf, addr + 8)[0]
    blocks = [(addr + 16, size)]
    out = []
    while blocks:
        pos, length = blocks.pop(0)
        end = pos + length
        while pos + 8 <= end:
            mtype, msize, _flags = struct.unpack_from("<HHB", buf, pos)
            body = buf[pos + 8:pos + 8 + msize]
            out.append((mtype, body))
            if mtype == 0x10:
                blocks.append(struct.unpack_from("<QQ", body, 0))
            pos += 8 + msize
    return out


def v2_messages(buf, addr):
    """(type, body) of every message of a version 2 object header, following continuations."""
    if buf[addr:addr + 4] != b"OHDR":
        raise ValueError("no OHDR signature at %d" % addr)
    flags = buf[addr + 5]
    pos = addr + 6
    if flags & 0x20:
        pos += 16
    if flags & 0x10:
        pos += 4
    size_bytes = 1 << (flags & 3)
    size = int.from_bytes(buf[pos:pos + size_bytes], "little")
    pos += size_bytes
    blocks = [(pos, size)]
    out = []
    first = True
    while blocks:
        pos, length = blocks.pop(0)
        if not first:
            if buf[pos:pos + 4] != b"OCHK":
                raise ValueError("no OCHK signature at %d" % pos)
            pos += 4
            length -= 8
        else:
            first = False
        end = pos + length
        header = 6 if flags & 0x04 else 4
        while pos + header <= end:
            mtype, msize, _mflags = struct.unpack_from("<BHB", buf, pos)
            body = buf[pos + header:pos + header + msize]
            out.append((mtype, body))
            if mtype == 0x10:
                blocks.append(struct.unpack_from("<QQ", body, 0))
            pos += header + msize
    return out


def op_pline_body(case):
    """The Filter Pipeline message body libhdf5 wrote for a dataset made with h5py, found by
    walking the dataset's object header (version 1 for libver 'earliest', 2 for 'latest')."""
    libver = case["libver"]
    with h5py.File(case["h5"], "w", libver=libver) as f:
        kwargs = {}
        if case.get("shuffle"):
            kwargs["shuffle"] = True
        if case.get("compression"):
            kwargs["compression"] = case["compression"]
            if case.get("compression_opts") is not None:
                opts = case["compression_opts"]
                kwargs["compression_opts"] = tuple(opts) if isinstance(opts, list) else opts
        if case.get("fletcher32"):
            kwargs["fletcher32"] = True
        dset = f.create_dataset("data", shape=(case["elements"],), chunks=(case["elements"],),
                                dtype=case["dtype"], **kwargs)
        addr = h5py.h5o.get_info(dset.id).addr
        recorded = recorded_filters(dset)
    with open(case["h5"], "rb") as fh:
        buf = fh.read()
    messages = v1_messages(buf, addr) if libver == "earliest" else v2_messages(buf, addr)
    bodies = [body for mtype, body in messages if mtype == 0x0B]
    if len(bodies) != 1:
        raise ValueError("found %d filter pipeline messages" % len(bodies))
    return {"ok": True, "body_hex": bodies[0].hex(), "recorded": recorded}


def op_zstd_check(case):
    """Decompresses a Java zstd frame with the reference library and checks its content size."""
    with open(case["chunk_file"], "rb") as cf:
        frame = cf.read()
    with open(case["expected_file"], "rb") as ef:
        expected = ef.read()
    declared = zstandard.frame_content_size(frame)
    if declared != len(expected):
        return {"ok": False, "error": "frame content size %d, expected %d" % (declared, len(expected))}
    # decompress() without max_output_size relies on the content size, as the HDF5 plugin does.
    decoded = zstandard.ZstdDecompressor().decompress(frame)
    if decoded != expected:
        return {"ok": False, "error": "zstandard decoded different bytes"}
    return {"ok": True}


def op_zstd_compress(case):
    """Compresses raw bytes the way the HDF5 zstd plugin does (one frame, content size set)."""
    with open(case["raw_file"], "rb") as rf:
        raw = rf.read()
    frame = zstandard.ZstdCompressor(level=case["level"], write_content_size=True).compress(raw)
    with open(case["out_file"], "wb") as out:
        out.write(frame)
    return {"ok": True}


def op_bitshuffle_zstd_check(case):
    """Decodes a Java bitshuffle chunk with zstd inside and compares it with the expected bytes."""
    with open(case["chunk_file"], "rb") as cf:
        chunk = cf.read()
    with open(case["expected_file"], "rb") as ef:
        expected = ef.read()
    decoded = bitunshuffle_chunk(chunk, case["cd"])
    if decoded != expected:
        return {"ok": False, "error": "decoded %d bytes that differ from the %d expected" % (len(decoded), len(expected))}
    return {"ok": True}


def op_bitshuffle_zstd_compress(case):
    """Writes a bitshuffle chunk with zstd inside, block by block: the transpose of the bitshuffle
    module, a zstandard frame with its content size (as ZSTD_compress writes it)."""
    import bitshuffle
    with open(case["raw_file"], "rb") as rf:
        raw = rf.read()
    size, block, level = case["element_size"], case["block"], case["level"]
    element = np.dtype("<u%d" % size)
    n = len(raw) // size
    out = bytearray(struct.pack(">QI", len(raw), block * size))
    start = 0
    for count in [block] * (n // block) + ([n % block // 8 * 8] if n % block >= 8 else []):
        stream = bitshuffle.bitshuffle(np.frombuffer(raw[start * size:(start + count) * size], dtype=element),
                                       count).tobytes()
        frame = zstandard.ZstdCompressor(level=level).compress(stream)
        out += struct.pack(">I", len(frame)) + frame
        start += count
    out += raw[start * size:]
    with open(case["out_file"], "wb") as out_file:
        out_file.write(out)
    return {"ok": True}


OPS = {
    "read_java_chunk": op_read_java_chunk,
    "libhdf5_chunk": op_libhdf5_chunk,
    "h5py_recorded": op_h5py_recorded,
    "pline_body": op_pline_body,
    "zstd_check": op_zstd_check,
    "zstd_compress": op_zstd_compress,
    "bitshuffle_zstd_check": op_bitshuffle_zstd_check,
    "bitshuffle_zstd_compress": op_bitshuffle_zstd_compress,
}


def main():
    with open(sys.argv[1]) as fh:
        request = json.load(fh)
    results = []
    for case in request["cases"]:
        try:
            results.append(OPS[case["op"]](case))
        except Exception:  # reported per case so one failure does not hide the others
            results.append({"ok": False, "error": traceback.format_exc()})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
