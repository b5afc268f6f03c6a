"""Writes HDF5 files in the layouts a user meets, for the engine's read path to be judged against.

Usage: h5read_fixtures.py OUTDIR

For every case, OUTDIR/<case>.h5 holds the dataset /<case>/data (or /data) written by h5py, and
OUTDIR/<case>.bin the values h5py reads back from it, little-endian (what the engine must read).
Prints one JSON line per case: {"case", "file", "dataset", "shape", "dtype"}.
"""
import json
import os
import subprocess
import sys

import h5py
import hdf5plugin  # noqa: F401  (registers LZ4 and Blosc for libhdf5; zstd is not writable here)
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(20261205)
cases = []


def ramp(shape, dtype):
    n = int(np.prod(shape))
    if np.dtype(dtype).kind == 'b':
        return (np.arange(n) % 3 == 0).reshape(shape)
    if np.dtype(dtype).kind == 'c':
        return (np.arange(n) * 0.5 + 1j * np.arange(n)).astype(dtype).reshape(shape)
    if np.dtype(dtype).kind == 'f':
        return (np.arange(n) * 0.25 - 100).astype(dtype).reshape(shape)
    info = np.iinfo(np.dtype(dtype))
    return (np.arange(n) * 7919 % (int(info.max) - int(info.min) + 1) + int(info.min)).astype(dtype).reshape(shape)


def add(name, make, libver='earliest', userblock=0, path='/data'):
    file = os.path.join(out, name + '.h5')
    args = {'libver': libver}
    if userblock:
        args['userblock_size'] = userblock
    with h5py.File(file, 'w', **args) as f:
        make(f)
    with h5py.File(file, 'r') as f:
        values = f[path][()]
    little = values.astype(values.dtype.newbyteorder('<'))
    little.tofile(os.path.join(out, name + '.bin'))
    cases.append({'case': name, 'file': file, 'dataset': path, 'shape': list(values.shape),
                  'dtype': little.dtype.str})


# h5py's default format: superblock 0, version 1 B-tree chunk index.
add('gzip_shuffle_2d_edges', lambda f: f.create_dataset(
    'data', data=ramp((1000, 37), '<i2'), chunks=(64, 8), compression='gzip', compression_opts=4, shuffle=True,
    maxshape=(None, 37)))
add('lzf_1d', lambda f: f.create_dataset('data', data=ramp((5000,), '<f4'), chunks=(333,), compression='lzf'))
add('fletcher32_3d', lambda f: f.create_dataset(
    'data', data=ramp((50, 6, 7), '<i4'), chunks=(8, 4, 3), fletcher32=True))
add('gzip_4d_u1', lambda f: f.create_dataset(
    'data', data=ramp((9, 5, 4, 3), 'u1'), chunks=(2, 2, 2, 2), compression='gzip', shuffle=True))
add('bool_complex', lambda f: (f.create_dataset('b', data=ramp((300, 4), '?'), chunks=(64, 4)),
                               f.create_dataset('data', data=ramp((300, 3), '<c8'), chunks=(32, 2),
                                                compression='gzip')))
add('lz4', lambda f: f.create_dataset('data', data=ramp((4000, 16), '<u2'), chunks=(512, 16), **hdf5plugin.LZ4()))
add('blosc_lz4', lambda f: f.create_dataset('data', data=ramp((4000, 8), '<f8'), chunks=(700, 8),
                                            **hdf5plugin.Blosc(cname='lz4', clevel=5,
                                                               shuffle=hdf5plugin.Blosc.SHUFFLE)))
# Noise that LZF cannot shrink (half the chunks): libhdf5 stores those chunks without the
# (optional) filter and sets their filter mask, which a reader must honour.
def incompressible(f):
    data = ramp((4096, 64), 'u1')
    data[1024:2048] = rng.integers(0, 256, size=(1024, 64), dtype='u1')
    data[3072:] = rng.integers(0, 256, size=(1024, 64), dtype='u1')
    f.create_dataset('data', data=data, chunks=(1024, 64), compression='lzf', shuffle=True)
add('lzf_incompressible', incompressible)
# Chunks never written read as the fill value.
def unallocated(f):
    d = f.create_dataset('data', shape=(300, 10), dtype='<i4', chunks=(50, 10), fillvalue=7, compression='gzip')
    d[100:150] = ramp((50, 10), '<i4')
    d[260:270, 3:5] = 1
add('unallocated_fill', unallocated)
add('big_endian_contiguous', lambda f: f.create_dataset('data', data=ramp((777, 5), '>f8')))
add('big_endian_chunked', lambda f: f.create_dataset('data', data=ramp((777, 5), '>i8'), chunks=(100, 5),
                                                     compression='gzip'))
def compact(f):
    space = h5py.h5s.create_simple((40, 3))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    ds = h5py.h5d.create(f.id, b'data', h5py.h5t.STD_I16LE, space, dcpl=dcpl)
    h5py.Dataset(ds)[...] = ramp((40, 3), '<i2')
add('compact', compact)
add('contiguous_unwritten', lambda f: f.create_dataset('data', shape=(20, 3), dtype='<u4'))
def nested(f):
    d = f.create_dataset('a/b/data', data=ramp((100, 2), '<i2'), chunks=(30, 2))
    d.attrs['unit'] = 'uV'
    d.attrs['rate'] = 30000.0
    d.attrs['gains'] = np.array([1, 2, 3], dtype='>i4')
    d.attrs['valid'] = np.bool_(True)
    d.attrs['names'] = ['a', 'b']
add('nested_path', nested, path='/a/b/data')
add('userblock', lambda f: (f.create_dataset('data', data=ramp((500, 4), '<i2'), chunks=(64, 4), compression='gzip'),
                            f.create_dataset('flat', data=ramp((30,), '<i2'))), userblock=512)
# libver='latest': superblock 3, version 2 object headers, and the version 4 chunk indexes.
add('latest_extensible_array', lambda f: f.create_dataset(
    'data', data=ramp((3000, 6), '<i2'), chunks=(128, 6), maxshape=(None, 6), compression='gzip', shuffle=True),
    libver='latest')
def paged(f):
    # More chunks than jhdf 0.13 reads (its paged extensible-array data blocks begin at 131,072), with holes.
    d = f.create_dataset('data', shape=(140000,), maxshape=(None,), chunks=(1,), dtype='<i1', fillvalue=-1)
    for k in range(0, 140000, 1000):
        d[k:k + 900] = (np.arange(k, k + 900) % 100).astype('<i1')
add('latest_paged_extensible_array', paged, libver='latest')
add('latest_fixed_array', lambda f: f.create_dataset(
    'data', data=ramp((3000, 6), '<f4'), chunks=(128, 4), compression='lzf'), libver='latest')
add('latest_btree2', lambda f: f.create_dataset(
    'data', data=ramp((400, 30), '<i4'), chunks=(64, 8), maxshape=(None, None), compression='gzip'), libver='latest')
add('latest_single_chunk', lambda f: f.create_dataset(
    'data', data=ramp((200, 5), '<i2'), chunks=(200, 5), compression='gzip'), libver='latest')
add('latest_contiguous', lambda f: f.create_dataset('data', data=ramp((123, 4), '<u2')), libver='latest')
# The 1.8 format (superblock 2).
add('v108_superblock2', lambda f: f.create_dataset(
    'data', data=ramp((1000, 3), '<i8'), chunks=(99, 2), maxshape=(None, 3), compression='gzip'), libver='v108')
# Rewritten by h5repack: other chunks and filters, and the latest format.
def repacked(name, *options):
    src = os.path.join(out, 'gzip_shuffle_2d_edges.h5')
    file = os.path.join(out, name + '.h5')
    subprocess.run(['h5repack', *options, src, file], check=True)
    with h5py.File(file, 'r') as f:
        values = f['data'][()]
    values.astype(values.dtype.newbyteorder('<')).tofile(os.path.join(out, name + '.bin'))
    cases.append({'case': name, 'file': file, 'dataset': '/data', 'shape': list(values.shape),
                  'dtype': values.dtype.str})
repacked('h5repack_rechunked', '-l', 'CHUNK=100x7', '-f', 'SHUF', '-f', 'GZIP=1')
repacked('h5repack_latest_fletcher', '--latest', '-l', 'CHUNK=250x37', '-f', 'FLET')

# Not a case (the engine refuses it): an optional filter libhdf5 lacks too, so every chunk is
# stored without it, its filter-mask bit set.
with h5py.File(os.path.join(out, 'unknown_filter.h5'), 'w') as f:
    space = h5py.h5s.create_simple((100, 4), (h5py.h5s.UNLIMITED, 4))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((10, 4))
    dcpl.set_filter(30123, h5py.h5z.FLAG_OPTIONAL, (1, 2))
    h5py.Dataset(h5py.h5d.create(f.id, b'data', h5py.h5t.STD_I16LE, space, dcpl=dcpl))[...] = ramp((100, 4), '<i2')

# Not cases either: virtual and external storage, which the engine refuses by name.
with h5py.File(os.path.join(out, 'virtual.h5'), 'w') as f:
    layout = h5py.VirtualLayout(shape=(1000, 37), dtype='<i2')
    layout[:] = h5py.VirtualSource(os.path.join(out, 'gzip_shuffle_2d_edges.h5'), 'data', shape=(1000, 37))
    f.create_virtual_dataset('data', layout)
with h5py.File(os.path.join(out, 'external.h5'), 'w') as f:
    ramp((25, 4), '<i4').tofile(os.path.join(out, 'external.bin'))
    f.create_dataset('data', shape=(25, 4), dtype='<i4', external=[(os.path.join(out, 'external.bin'), 0, 400)])

for c in cases:
    print(json.dumps(c))
