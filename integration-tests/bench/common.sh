# Shared by the benchmark scripts: the input, the build and the classpath. Source it from the
# repository root with WORK set; it sets IN, OFFSET, ROWS, CHANNELS, CP, JAR and SHARED.
SHARED=../shared/bench
[ -d "$SHARED" ] || { echo "needs ../shared/bench (make_npy.py, h5py_convert.py) beside the repository" >&2; exit 1; }
mkdir -p "$WORK"
IN="$WORK/in.npy"
[ -f "$IN" ] || /usr/bin/python3 "$SHARED/make_npy.py" "$IN" 1024
read -r OFFSET ROWS CHANNELS < <(/usr/bin/python3 -c "
import numpy as np, sys; a = np.load(sys.argv[1], mmap_mode='r'); print(a.offset, a.shape[0], a.shape[1])" "$IN")
mvn -B -q -ntp -DskipTests install >/dev/null
# The classpath goes through a file: on stdout Maven's colour codes would corrupt its first entry.
mvn -B -q -ntp -pl integration-tests dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null
CP="integration-tests/target/classes:$(cat "$WORK/classpath.txt")"
JAR=examples/target/flink-hdf5-examples.jar
ratio() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
