#!/usr/bin/python3
"""same_as_input.py IN.npy OUT.h5... : says whether each OUT.h5:/data equals the input, value for value."""
import sys
import h5py
import numpy as np

a = np.load(sys.argv[1], mmap_mode="r")
bad = 0
for f in sys.argv[2:]:
    d = h5py.File(f, "r")["data"]
    ok = d.shape == a.shape and all((d[i:i + 500000] == a[i:i + 500000]).all() for i in range(0, a.shape[0], 500000))
    bad += not ok
    print(f, "equal to the input" if ok else "DIFFERS FROM THE INPUT")
sys.exit(1 if bad else 0)
