# An h5py reader in SWMR mode watching OUT's dataset /data while a job writes it (issue 18):
# it opens the file once the dataset exists, then calls refresh() in a loop until the file STOP
# appears, and once more after. Every look must show a growing prefix of the expected rows, each
# one right; any error ends it with a traceback (exit 1). At the end a reader without SWMR must
# open the file (the writer cleared the superblock's flags) and find superblock 3.
#
# usage: swmr_reader.py OUT STOP npy FILE.npy...   (the rows are those files concatenated)
#        swmr_reader.py OUT STOP pattern CHANNELS   (row r, channel c holds int16(r * 31 + c * 7))
# prints: looks, distinct sizes seen, rows of the last look
import os, sys, time
import h5py
import numpy as np

out, stop, kind = sys.argv[1:4]
if kind == 'npy':
    rows = np.concatenate([np.load(p) for p in sys.argv[4:]])
    expected = lambda n: rows[:n]
else:
    channels = int(sys.argv[4])
    def expected(n):
        r = np.arange(n, dtype=np.int64)[:, None] * 31 + np.arange(channels, dtype=np.int64)[None, :] * 7
        return (r & 0xFFFF).astype(np.uint16).view(np.int16)

f = None
while f is None and not os.path.exists(stop):
    if os.path.exists(out):
        g = h5py.File(out, 'r', swmr=True)
        if 'data' in g:
            f = g
        else:
            g.close()
    time.sleep(0.005)
assert f is not None, 'the dataset never appeared'
d = f['data']
shown, looks, sizes = 0, 0, set()


def look():
    global shown, looks
    d.refresh()
    n = d.shape[0]
    v = d[:n]
    assert n >= shown, f'{shown} rows were shown, then {n}'
    assert np.array_equal(v, expected(n)), f'of the {n} rows shown, some are wrong'
    shown = n
    looks += 1
    sizes.add(n)


while not os.path.exists(stop):
    look()
    time.sleep(0.01)
look()
f.close()
with h5py.File(out, 'r') as g:
    assert g.id.get_create_plist().get_version()[0] == 3
    assert h5py.h5o.get_info(g['data'].id).hdr.version == 2
print(looks, len(sizes), shown)
