package io.hdf5flink.itest;

import io.hdf5flink.hdf5.testing.ReferenceLibrary;

/** libhdf5 as the judge: Python code with h5py and numpy imported, failing the test when it raises. */
public final class H5py {
    private H5py() {}

    /**
     * Runs {@code code} after {@code import sys, h5py, numpy as np}; {@code sys.argv[1:]} are the
     * arguments. Its assertions fail the test with Python's traceback.
     *
     * @return what the code printed
     */
    public static String check(String code, Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        return ReferenceLibrary.runPython("import sys, h5py, numpy as np\n" + code, a);
    }
}
