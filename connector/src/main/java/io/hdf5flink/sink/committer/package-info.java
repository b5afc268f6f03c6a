/**
 * The sink's committers, internal: the pre-commit step that gives each committer subtask the
 * shares of the files it owns, the turns committers take on a file, and the committer, which
 * enters chunks in the HDF5 files' indexes (or copies staged ones) and publishes them with one
 * atomic commit per file, idempotently, rebuilds the masters of rolled recordings, and cleans up
 * what the committables and the swept writers leave in the staging directory.
 */
package io.hdf5flink.sink.committer;
