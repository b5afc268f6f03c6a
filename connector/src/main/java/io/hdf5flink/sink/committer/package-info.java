/**
 * The sink's committer, internal: copies staged chunks into the HDF5 files and publishes them
 * with one atomic commit per dataset, idempotently, and cleans up what the committables and
 * the swept writers leave in the staging directory.
 */
package io.hdf5flink.sink.committer;
