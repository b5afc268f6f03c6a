/**
 * Checks every input on the client, before a job runs, and describes the arrays they hold:
 * {@code ArrayProber} is the entry; {@code ArchiveMembers} expands zip and tar archives,
 * {@code ArrayData} measures mapped ranges and decodes streams to check them, {@code ArrayHeader}
 * decides {@code .npy} or raw by content. Every error names the file (and member). Internal.
 */
package io.hdf5flink.source.probe;
