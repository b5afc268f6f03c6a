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
# convert as users run it: through the launcher (with JAVA_HOME's java where it is set), whose
# class archive or, on Java 25, ahead-of-time cache (made by the first run of a build with that
# java, kept in $WORK/cache) saves about 1.4 s of start-up per run. One conversion here makes it
# where it is missing, so that no timed run does.
FLINK_HDF5=(env XDG_CACHE_HOME="$WORK/cache" scripts/flink-hdf5)
/usr/bin/python3 -c "import numpy as np, sys; np.save(sys.argv[1], np.zeros((4096, 8), '<i2'))" "$WORK/warmup.npy"
rm -rf "$WORK/warmup.h5" "$WORK/warmup.h5.checkpoints"
"${FLINK_HDF5[@]}" convert --input "$WORK/warmup.npy" --output "$WORK/warmup.h5" --no-progress >/dev/null 2>&1 || true
rm -rf "$WORK/warmup.h5" "$WORK/warmup.h5.checkpoints"
ratio() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
