-- A 4-channel recording at 30 kHz, 10 s of it, streamed from Flink's datagen connector into one
-- compressed, appendable HDF5 dataset of shape (rows, 4). Run from any directory:
--   java -jar examples/target/flink-hdf5-examples.jar sql --file examples/sql/record.sql
-- It writes sql-demo/recording.h5 below the current directory; h5py reads it while it grows.

-- A recording keeps its samples in time order: one reader of the clock and one writer (at a higher
-- parallelism rows reach the file in no fixed order). The writer still compresses on every core.
SET 'parallelism.default' = '1';

CREATE TABLE clock (
  t BIGINT NOT NULL
) WITH (
  'connector' = 'datagen',
  'fields.t.kind' = 'sequence', 'fields.t.start' = '0', 'fields.t.end' = '299999',
  'rows-per-second' = '1000000'
);

CREATE TABLE recording (
  ch0 SMALLINT NOT NULL,
  ch1 SMALLINT NOT NULL,
  ch2 SMALLINT NOT NULL,
  ch3 SMALLINT NOT NULL
) WITH (
  'connector' = 'hdf5',
  'path' = 'sql-demo',
  'file' = 'recording.h5',
  'dataset' = '/acquisition/ElectricalSeries/data',
  'layout' = 'matrix',
  'chunks' = '30000',
  'compression' = 'gzip:4',
  'attribute.unit' = 'uV',
  'attribute.rate' = '30000.0'
);

INSERT INTO recording
SELECT CAST(1000 * SIN(t / 30.0) AS SMALLINT),
       CAST(500 * COS(t / 60.0) AS SMALLINT),
       CAST(MOD(t, 200) - 100 AS SMALLINT),
       CAST(MOD(t, 7) AS SMALLINT)
FROM clock;
