-- Reads sql-demo/recording.h5 back (after record.sql) and aggregates per channel, in batch mode.
-- Each channel's SELECT reads only its column of the dataset's chunks (projection push-down);
-- the WHERE on the row index reads only the chunks of the first second (row-range push-down).
--   java -jar examples/target/flink-hdf5-examples.jar sql --file examples/sql/channel-stats.sql

SET 'execution.runtime-mode' = 'batch';

CREATE TABLE recording (
  idx BIGINT,
  ch0 SMALLINT, ch1 SMALLINT, ch2 SMALLINT, ch3 SMALLINT
) WITH (
  'connector' = 'hdf5',
  'path' = 'sql-demo',
  'file' = 'recording.h5',
  'dataset' = '/acquisition/ElectricalSeries/data',
  'layout' = 'matrix',
  'row-index.column' = 'idx'
);

SELECT * FROM (
SELECT 'ch0' AS channel, COUNT(*) AS samples, MIN(ch0) AS lowest, MAX(ch0) AS highest, AVG(CAST(ch0 AS DOUBLE)) AS mean FROM recording
UNION ALL
SELECT 'ch1', COUNT(*), MIN(ch1), MAX(ch1), AVG(CAST(ch1 AS DOUBLE)) FROM recording
UNION ALL
SELECT 'ch2', COUNT(*), MIN(ch2), MAX(ch2), AVG(CAST(ch2 AS DOUBLE)) FROM recording
UNION ALL
SELECT 'ch3', COUNT(*), MIN(ch3), MAX(ch3), AVG(CAST(ch3 AS DOUBLE)) FROM recording
) ORDER BY channel;

-- The first second only: rows [0, 30000), of channel 3 (t mod 7, so 0 to 6 and a mean of 2.9998).
SELECT COUNT(*) AS samples, MIN(ch3) AS lowest, MAX(ch3) AS highest, AVG(CAST(ch3 AS DOUBLE)) AS mean
FROM recording WHERE idx < 30000;
