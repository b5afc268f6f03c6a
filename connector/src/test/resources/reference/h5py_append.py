#!/usr/bin/python3
"""Append rows to a dataset with h5py: proves libhdf5 can keep extending a file.

Usage: h5py_append.py FILE DATASET N

Grows DATASET along axis 0 by N rows and writes the standard pattern (h5pattern.py) into
them, continuing the flat C-order index where the existing rows end; so a dataset that held
the pattern before holds it, longer, after. Prints {"shape": [...]} with the new shape.
"""
import json
import sys

import numpy as np
import h5py
import hdf5plugin  # noqa: F401  plugin filters for writing compressed chunks

import h5pattern


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, name, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with h5py.File(path, "a") as f:
        dset = f[name]
        old = dset.shape[0]
        row_size = int(np.prod(dset.shape[1:], dtype=np.int64))
        dset.resize(old + rows, axis=0)
        dset[old:] = h5pattern.shaped(dset.dtype, (rows,) + dset.shape[1:], old * row_size)
        print(json.dumps({"shape": list(dset.shape)}))


if __name__ == "__main__":
    main()
