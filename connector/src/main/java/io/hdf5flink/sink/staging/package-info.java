/**
 * The staging directory, shared by writers and committer: how its files are named, written and
 * read back, and how the files of writers that died before any committable named them are found
 * and swept. Internal; what tools may do with it is
 * {@link io.hdf5flink.sink.Hdf5Sink#deleteStagingFilesOfJobs}.
 */
package io.hdf5flink.sink.staging;
