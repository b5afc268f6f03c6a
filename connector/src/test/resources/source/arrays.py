#!/usr/bin/python3
"""Writes the input files the source tests read, with numpy, and what the sources should emit.

usage: arrays.py SPEC.json -- SPEC is a list of operations, run in order:

  {"op": "npy", "path", "dtype": "<i2", "shape": [..], "version": [1, 0], "seed", "expect"}
      an array of random bytes viewed as dtype, written with np.lib.format.write_array;
      "expect" receives its elements little-endian in C order (what the source must emit)
  {"op": "raw", "path", "dtype", "shape", "header": n, "seed", "expect"}
      n random header bytes, then the elements (tobytes, C order, dtype's byte order)
  {"op": "save", "path", "expr"}      np.save(path, eval(expr)) for refused dtypes and orders
  {"op": "compress", "src", "path", "codec": "gz" | "bz2" | "xz" | "zst"}
  {"op": "npz", "path", "members": [[key, src.npy], ..], "compressed": bool}   np.savez[_compressed]
  {"op": "zip", "path", "members": [[name, src], ..], "method": "stored" | "deflated" | "bzip2"}
  {"op": "tar", "path", "members": [[name, src], ..], "mode": "w" | "w:gz" | "w:bz2" | "w:xz"}
  {"op": "sparse", "path", "dtype", "shape", "rows": [..], "seed", "expect"}
      a sparse .npy (open_memmap) with random values in the listed rows only; "expect" receives
      those rows little-endian, in the order listed
"""
import bz2, gzip, json, lzma, sys, tarfile, zipfile
import numpy as np


def random_array(dtype, shape, seed):
    dt = np.dtype(dtype)
    n = int(np.prod(shape)) * dt.itemsize
    le = np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()
    # Byte-swap by view, never by value, so every bit pattern (NaN payloads too) survives.
    arr = np.frombuffer(le, dtype=dt.newbyteorder("<")).reshape(shape)
    if dt.byteorder == ">":
        arr = arr.byteswap().view(dt)
    return arr, le


def run(op):
    kind = op["op"]
    if kind == "npy":
        arr, le = random_array(op["dtype"], op["shape"], op["seed"])
        with open(op["path"], "wb") as f:
            np.lib.format.write_array(f, arr, version=tuple(op.get("version", [1, 0])))
        open(op["expect"], "wb").write(le)
    elif kind == "raw":
        arr, le = random_array(op["dtype"], op["shape"], op["seed"])
        header = np.random.default_rng(op["seed"] + 1).integers(0, 256, op.get("header", 0), dtype=np.uint8)
        with open(op["path"], "wb") as f:
            f.write(header.tobytes())
            f.write(arr.tobytes())
        open(op["expect"], "wb").write(le)
    elif kind == "save":
        np.save(op["path"], eval(op["expr"]), allow_pickle=True)
    elif kind == "compress":
        data = open(op["src"], "rb").read()
        codec = op["codec"]
        if codec == "gz":
            out = gzip.compress(data)
        elif codec == "bz2":
            out = bz2.compress(data)
        elif codec == "xz":
            out = lzma.compress(data)
        elif codec == "zst":
            import zstandard
            out = zstandard.ZstdCompressor().compress(data)
        else:
            raise ValueError(codec)
        open(op["path"], "wb").write(out)
    elif kind == "npz":
        arrays = {key: np.load(src) for key, src in op["members"]}
        (np.savez_compressed if op.get("compressed") else np.savez)(op["path"], **arrays)
    elif kind == "zip":
        method = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2}[op["method"]]
        with zipfile.ZipFile(op["path"], "w", compression=method) as z:
            for name, src in op["members"]:
                z.write(src, name)
    elif kind == "tar":
        with tarfile.open(op["path"], op.get("mode", "w")) as t:
            for name, src in op["members"]:
                t.add(src, name)
    elif kind == "sparse":
        dt = np.dtype(op["dtype"])
        m = np.lib.format.open_memmap(op["path"], mode="w+", dtype=dt, shape=tuple(op["shape"]))
        rows = op["rows"]
        arr, le = random_array(op["dtype"], [len(rows)] + op["shape"][1:], op["seed"])
        for i, r in enumerate(rows):
            m[r] = arr[i]
        m.flush()
        del m
        open(op["expect"], "wb").write(le)
    else:
        raise ValueError("unknown op " + kind)


for operation in json.load(open(sys.argv[1])):
    run(operation)
