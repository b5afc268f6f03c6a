/**
 * Planning and handing out splits: {@code SplitPlanner} cuts probed arrays into splits of whole
 * chunk row-bands (and sizes blocks), {@code FileSelection} lists a directory or a glob,
 * {@code ArraySplitEnumerator} hands splits to readers one at a time and checkpoints those left.
 * Internal ({@code @Internal}).
 */
package io.hdf5flink.source.enumerate;
